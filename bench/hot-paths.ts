import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { CampaignPlanExecutionService } from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import { KyselyCampaignStore } from '@campaign/db';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { rate } from './lib/measure.ts';
import { plan } from './lib/service-rows.ts';

/*
 * The service hot paths alone, for profiling (issue 15 item 2): activation, executed send, an event that
 * changes nothing, one that moves a campaign, a duplicate; the rate of each and its statements per call.
 * With each: CPU milliseconds of this process and of the database's Postgres backends per call.
 * `node --conditions=@campaign/source bench/hot-paths.ts [campaigns=300] [concurrency=8]`; HOT_PATHS_PROFILE=dir
 * writes a CPU profile per row, HOT_PATHS_PREPARE=sql runs on the fresh database first, HOT_PATHS_STATS=1
 * prints the tables' insert, update and HOT update counts after; HOT_PATHS_PREPARED=0 runs every statement
 * unnamed (`DATABASE_PREPARED_STATEMENTS=false`), to compare.
 */

type KyselyPlugin = Parameters<TestDatabase['db']['withPlugin']>[0];
type QueryExecutor = ReturnType<TestDatabase['db']['getExecutor']>;

/**
 * Counts the statements that reach the database (a result each; a query built only to be embedded in
 * another is not one). HOT_PATHS_SQL=1 prints each (run it with one campaign); HOT_PATHS_TIME=1 keeps
 * per statement text its calls and milliseconds from compile to result.
 */
class CountingPlugin implements KyselyPlugin {
  count = 0;
  readonly times = new Map<string, { calls: number; ms: number }>();
  readonly #compiler: QueryExecutor;
  readonly #print = process.env.HOT_PATHS_SQL === '1';
  readonly #time = process.env.HOT_PATHS_TIME === '1';
  readonly #started = new WeakMap<object, { sql: string; at: number }>();
  constructor(executor: QueryExecutor) {
    this.#compiler = executor;
  }
  transformQuery(args: Parameters<KyselyPlugin['transformQuery']>[0]) {
    if (this.#print || this.#time)
      this.#started.set(args.queryId, {
        sql: this.#compiler.compileQuery(args.node, args.queryId).sql,
        at: performance.now(),
      });
    return args.node;
  }
  async transformResult(args: Parameters<KyselyPlugin['transformResult']>[0]) {
    this.count += 1;
    const started = this.#started.get(args.queryId);
    if (started && this.#print) console.info(`  ${started.sql}`);
    if (started && this.#time) {
      const key = started.sql.replace(/\s+/g, ' ').slice(0, 110);
      const t = this.times.get(key) ?? { calls: 0, ms: 0 };
      t.calls += 1;
      t.ms += performance.now() - started.at;
      this.times.set(key, t);
    }
    return args.result;
  }
}

const CAMPAIGNS = Number(process.argv[2] ?? 300);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const database = await createTestDatabase('postgres', {
  poolSize: CONCURRENCY + 2,
  preparedStatements: process.env.HOT_PATHS_PREPARED !== '0',
});
try {
  const counter = new CountingPlugin(database.db.getExecutor());
  const clock = new ManualClock(new Date('2026-01-05T10:00:00Z'));
  const scheduler = new InMemoryScheduler(clock);
  const transport = new RecordingTransport();
  const service = new CampaignPlanExecutionService({
    store: new KyselyCampaignStore(database.db.withPlugin(counter)),
    scheduler,
    transport,
    clock,
  });
  // CPU milliseconds of this process and of the database's Postgres backends (Linux /proc), per call.
  const backends = async () =>
    execFileSync('psql', [
      database.url ?? '',
      '-Atc',
      'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    ])
      .toString()
      .trim()
      .split('\n')
      .map(Number);
  const backendMs = (pids: number[]) =>
    pids.reduce((sum, pid) => {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        return sum + ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
      } catch {
        return sum;
      }
    }, 0);
  const row = async <T>(name: string, items: readonly T[], work: (item: T) => Promise<unknown>) => {
    counter.count = 0;
    counter.times.clear();
    const pids = await backends();
    const pgBefore = backendMs(pids);
    const cpuBefore = process.cpuUsage();
    // HOT_PATHS_PROFILE=dir: a CPU profile of each row, dir/<row>.cpuprofile.
    const profileDir = process.env.HOT_PATHS_PROFILE;
    const session = profileDir ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const perSecond = await rate(items, CONCURRENCY, work);
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(`${profileDir}/${name}.cpuprofile`, JSON.stringify(profile));
      session.disconnect();
    }
    const cpu = process.cpuUsage(cpuBefore);
    // Backends the pool opened during the run count whole (their start is part of the run's cost).
    const pgMs = backendMs(await backends()) - pgBefore;
    console.info(
      `${name.padEnd(12)} ${perSecond.toFixed(1).padStart(8)}/s  ${(counter.count / items.length).toFixed(1)} statements each; CPU ms each: node ${((cpu.user + cpu.system) / 1000 / items.length).toFixed(2)}, postgres ${(pgMs / items.length).toFixed(2)}`,
    );
    for (const [sql, t] of counter.times)
      console.info(`  ${(t.ms / t.calls).toFixed(2).padStart(7)} ms x${t.calls} ${sql}`);
  };
  // HOT_PATHS_PREPARE: SQL run on the fresh database first (psql), to try a schema change.
  if (process.env.HOT_PATHS_PREPARE)
    execFileSync('psql', [database.url ?? '', '-qc', process.env.HOT_PATHS_PREPARE]);
  const contacts = Array.from({ length: CAMPAIGNS }, () => ({
    id: randomUUID(),
    email: `${randomUUID()}@bench.test`,
    name: 'Ada',
  }));
  await row('activation', contacts, (contact) => service.persistPlan({ contact, plan }));
  const sendIds = scheduler.pending().map((j) => j.actionId);
  await scheduler.cancel(sendIds);
  await row('send', sendIds, (id) => service.executeAction(id));
  const messages = transport.sent.map((m) => m.messageId);
  const event = (type: 'delivered' | 'opened', prefix: string) => (messageId: string) =>
    service.recordEvent({
      provider: 'bench',
      providerEventId: `${prefix}-${messageId}`,
      messageId,
      type,
      occurredAt: clock.now(),
    });
  await row('ignored', messages, event('delivered', 'd'));
  await row('transition', messages, event('opened', 'o'));
  await row('duplicate', messages, event('opened', 'o'));
  if (process.env.HOT_PATHS_STATS === '1')
    console.info(
      execFileSync('psql', [
        database.url ?? '',
        '-c',
        'select relname, n_tup_ins, n_tup_upd, n_tup_hot_upd from pg_stat_user_tables where n_tup_ins + n_tup_upd > 0 order by relname',
      ]).toString(),
    );
} finally {
  await database.dispose();
}
