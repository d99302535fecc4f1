/*
 * `pnpm bench` (`--quick`: the small run CI executes): the engine end to end against raw baselines
 * measured in the same run on the same servers (these machines are noisy: read the ratios). Writes
 * bench/results/latest.{json,md} and a dated copy (YYYY-MM-DD-HHMM); `--quick` writes to
 * bench/results/scratch/ (not kept). Exits non-zero if any row has no figure. See docs/benchmarks.md.
 *
 *   BENCH_TIMERS (10000)  BENCH_SCALE_SENDS (1000)  BENCH_PENDING (1000000)  BENCH_CAMPAIGNS (500)
 *   BENCH_HTTP_MESSAGES (1000)  BENCH_START_MARGIN_SECONDS (10)  BENCH_STEADY_SECONDS (20)
 *   BENCH_CONCURRENCY (8)  BENCH_PGBENCH_SECONDS (20)  BENCH_RAW_JOBS (20000)  BENCH_POLL_SECONDS (0.5)
 *   BENCH_ANALYTICS_MESSAGES (0: skipped; see analytics-bench.ts)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createTestDatabase } from '@campaign/db/testing';
import { startRedis } from '../test-e2e/src/support/processes.ts';
import { analyticsBench } from './analytics-bench.ts';
import { rawBullmq, rawPgboss } from './lib/baselines.ts';
import { httpRows } from './lib/http-rows.ts';
import { pgbenchTps } from './lib/measure.ts';
import { type Row, render } from './lib/report.ts';
import { serviceRows } from './lib/service-rows.ts';
import { type Backend, type WorkerRun, workerRun } from './lib/worker-runs.ts';

const quick = process.argv.includes('--quick');
const num = (name: string, full: number, small: number) =>
  Number(process.env[name] ?? (quick ? small : full));
const cfg = {
  quick,
  timers: num('BENCH_TIMERS', 10_000, 30),
  pending: num('BENCH_PENDING', 1_000_000, 1_000),
  campaigns: num('BENCH_CAMPAIGNS', 500, 20),
  scaleSends: num('BENCH_SCALE_SENDS', 1_000, 30),
  httpMessages: num('BENCH_HTTP_MESSAGES', 1_000, 100),
  concurrency: num('BENCH_CONCURRENCY', 8, 8),
  pgbenchSeconds: num('BENCH_PGBENCH_SECONDS', 20, 2),
  pgbenchScale: num('BENCH_PGBENCH_SCALE', 10, 10),
  rawJobs: num('BENCH_RAW_JOBS', 20_000, 500),
  startMarginSeconds: num('BENCH_START_MARGIN_SECONDS', 10, 3),
  steadySeconds: num('BENCH_STEADY_SECONDS', 20, 3),
  pollSeconds: num('BENCH_POLL_SECONDS', 0.5, 0.5),
  analyticsMessages: num('BENCH_ANALYTICS_MESSAGES', 0, 0),
  scale: quick ? [1, 2] : [1, 2, 4],
};
// Each progress line starts a section; the report gives the time each took (for sizing the full run).
const sections: { name: string; seconds: number }[] = [];
let sectionStart = performance.now();
const closeSection = () => {
  const last = sections.at(-1);
  if (last && Number.isNaN(last.seconds))
    last.seconds = Math.round((performance.now() - sectionStart) / 100) / 10;
  sectionStart = performance.now();
};
const log = (line: string) => {
  closeSection();
  sections.push({ name: line, seconds: Number.NaN });
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};
const server = process.env.DATABASE_URL_ADMIN ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const redis = await startRedis();
const started = new Date();
try {
  log(`pgbench -s ${cfg.pgbenchScale} -c ${cfg.concurrency} -j 2 -M prepared -T ${cfg.pgbenchSeconds}`);
  const pgbench = pgbenchTps(server, {
    scale: cfg.pgbenchScale,
    clients: cfg.concurrency,
    seconds: cfg.pgbenchSeconds,
  });
  log('raw BullMQ');
  const bull = await rawBullmq(redis.url, cfg.rawJobs, cfg.concurrency);
  log('raw pg-boss');
  const bossDb = await createTestDatabase('postgres');
  const boss = await rawPgboss(bossDb.url ?? '', cfg.rawJobs, cfg.concurrency).finally(() =>
    bossDb.dispose(),
  );
  log('service rows');
  const serviceDb = await createTestDatabase('postgres', { poolSize: cfg.concurrency + 2 });
  const service = await serviceRows(serviceDb, cfg.campaigns, cfg.concurrency).finally(() =>
    serviceDb.dispose(),
  );
  const runs: WorkerRun[] = [];
  // Activation through a queue backend runs slower than on the in-memory scheduler: start cautious, then
  // place each run's due instant with the rate the previous one measured.
  let expectedActivationRate = service.activations / 4;
  for (const backend of ['bullmq', 'pgboss'] as Backend[]) {
    for (const [workers, pending] of [...cfg.scale.map((k) => [k, 0]), [1, cfg.pending]] as [
      number,
      number,
    ][]) {
      const sends = workers === 1 ? cfg.timers : cfg.scaleSends;
      // The steady state (timers due at half the drain rate) follows the burst of the 1-worker runs.
      const steadySeconds = workers === 1 ? cfg.steadySeconds : 0;
      log(
        `${backend}: ${sends} sends due at once${steadySeconds > 0 ? ` then ${steadySeconds} s at half the drain rate` : ''}, ${workers} worker process(es), ${pending} pending timers`,
      );
      const run = await workerRun({
        backend,
        workers,
        sends,
        // The activation row comes from the 1-worker runs; the scale runs activate few (shorter lead).
        activations: workers === 1 ? cfg.campaigns : Math.min(cfg.campaigns, 100),
        pending,
        concurrency: cfg.concurrency,
        redisUrl: redis.url,
        pollSeconds: cfg.pollSeconds,
        expectedActivationRate,
        startMarginMs: cfg.startMarginSeconds * 1000,
        steadySeconds,
      });
      runs.push(run);
      // Only the 1-worker runs: with 2 and 4 worker processes starting meanwhile, activation measured a
      // fraction of that, and its minimum placed every later run's T minutes ahead.
      if (workers === 1) expectedActivationRate = run.activationsPerSecond;
    }
  }
  log('HTTP rows');
  const http = await httpRows(cfg.httpMessages, 4);
  if (cfg.analyticsMessages > 0) log(`analytics over ${cfg.analyticsMessages} messages`);
  const analytics = cfg.analyticsMessages > 0 ? await analyticsBench() : null;
  closeSection();
  const { rows, md } = render({ cfg, started, pgbench, bull, boss, service, runs, http, sections });
  const result = { at: started.toISOString(), config: cfg, rows, runs, analytics, sections };
  const dir = new URL(quick ? './results/scratch/' : './results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const stamp = started.toISOString().slice(0, 16).replace('T', '-').replace(':', '');
  for (const name of ['latest', ...(quick ? [] : [stamp])]) {
    writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(new URL(`${name}.md`, dir), md);
  }
  process.stdout.write(md);
  const missing = rows.filter((r: Row) => !Number.isFinite(r.value));
  if (missing.length > 0) {
    log(`rows without a figure: ${missing.map((r) => r.name).join('; ')}`);
    process.exitCode = 1;
  }
} finally {
  await redis.stop();
}
