/*
 * The analytics rows of `pnpm bench` (issue 14 item 4): every GET /v1/analytics/* query over a range
 * holding BENCH_ANALYTICS_MESSAGES messages (default 1,000,000) with their events, on the same Postgres,
 * next to a baseline measured in the same run: Postgres counting the same messages by a sequential scan
 * (`select count(*) from outbound_messages where sent_at in the range`, with no index to help). The
 * target is an answer in under a second per query; the ratio shows the cost against a bare scan.
 *
 * Then the write cost of the facts the queries read (message_facts, 0016, and its per-campaign chain,
 * 0017): BENCH_ANALYTICS_WRITES (default 2,000) send-and-events paths (a send action and its message
 * inserted, the message marked sent, then delivered, opened and replied events, each step its own
 * transaction as the engine commits them), timed with the analytics triggers off, with 0016's only, and
 * with all of them, alternated over three rounds (median), on one connection.
 *
 * Alone: `pnpm bench:analytics` (writes bench/results/analytics-<YYYY-MM-DD-HHMM>.md and analytics-latest.md).
 */
import type { AnalyticsRange } from '@campaign/core';
import { KyselyAnalytics } from '@campaign/db';
import {
  type AnalyticsWriteConfig,
  analyticsWritePaths,
  createTestDatabase,
  seedAnalyticsBench,
  seedAnalyticsWriteCampaigns,
  sequentialMessageCount,
  setAnalyticsTriggers,
} from '@campaign/db/testing';

const MESSAGES = Number(process.env.BENCH_ANALYTICS_MESSAGES ?? 1_000_000);
const PER_CAMPAIGN = 4;
const WRITES = Number(process.env.BENCH_ANALYTICS_WRITES ?? 2_000);

export interface AnalyticsBenchRow {
  name: string;
  ms: number;
  ratioToBaseline: number;
}

/** Median of `runs` timings of `work`, in milliseconds, after one warm-up run. */
async function timed(work: () => Promise<unknown>, runs = 3): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

export async function analyticsBench(): Promise<{
  messages: number;
  baselineMs: number;
  rows: AnalyticsBenchRow[];
}> {
  const database = await createTestDatabase('postgres');
  try {
    const db = database.db;
    const campaigns = Math.ceil(MESSAGES / PER_CAMPAIGN);
    const range: AnalyticsRange = {
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-03-31T00:00:00Z'),
    };
    await seedAnalyticsBench(db, campaigns, range);
    const analytics = new KyselyAnalytics(db);
    const baselineMs = await timed(() => sequentialMessageCount(db, range));
    const rows: AnalyticsBenchRow[] = [];
    for (const [name, work] of [
      ['analytics: nodes', () => analytics.nodes(range)],
      ['analytics: experiments', () => analytics.experiments(range)],
      ['analytics: senders', () => analytics.senders(range)],
      ['analytics: shapes', () => analytics.shapes(range)],
      ['analytics: lateness', () => analytics.lateness(range)],
    ] as const) {
      const ms = await timed(work);
      rows.push({ name, ms: Math.round(ms), ratioToBaseline: Number((ms / baselineMs).toFixed(2)) });
    }
    return { messages: campaigns * PER_CAMPAIGN, baselineMs: Math.round(baselineMs), rows };
  } finally {
    await database.dispose();
  }
}

export interface WriteCostRow {
  config: AnalyticsWriteConfig;
  msPerPath: number;
}

/** The write cost of the analytics triggers (see the file's comment): ms per send-and-events path. */
export async function analyticsWriteCost(paths = WRITES): Promise<WriteCostRow[]> {
  const database = await createTestDatabase('postgres');
  try {
    const db = database.db;
    const campaigns = 200;
    await seedAnalyticsWriteCampaigns(db, campaigns);
    const configs: AnalyticsWriteConfig[] = [
      'no analytics triggers',
      'message_facts (0016)',
      'message_facts + chain (0016, 0017)',
    ];
    const times = new Map<AnalyticsWriteConfig, number[]>(configs.map((c) => [c, []]));
    await analyticsWritePaths(db, Math.min(200, paths), campaigns, 'warm');
    for (let round = 0; round < 3; round++) {
      for (const config of configs) {
        await setAnalyticsTriggers(db, config);
        times
          .get(config)
          ?.push(await analyticsWritePaths(db, paths, campaigns, `${round}-${configs.indexOf(config)}`));
      }
    }
    await setAnalyticsTriggers(db, 'message_facts + chain (0016, 0017)');
    return configs.map((config) => {
      const sorted = [...(times.get(config) ?? [])].sort((a, b) => a - b);
      return { config, msPerPath: Number((sorted[1] as number).toFixed(3)) };
    });
  } finally {
    await database.dispose();
  }
}

function markdown(
  at: Date,
  result: Awaited<ReturnType<typeof analyticsBench>>,
  writes: WriteCostRow[],
  load: string,
): string {
  const base = writes[0]?.msPerPath ?? 0;
  return [
    `# Analytics bench, ${at.toISOString()}`,
    '',
    `\`pnpm bench:analytics\` (bench/analytics-bench.ts): ${result.messages} messages in the range, median of 3 runs after a warm-up.`,
    `Load average at the start: ${load} (2 CPUs; other work shares the machine: read the ratios).`,
    '',
    '| query | ms | x baseline |',
    '| --- | ---: | ---: |',
    `| baseline: sequential count of the range's messages | ${result.baselineMs} | 1 |`,
    ...result.rows.map((r) => `| ${r.name} | ${r.ms} | ${r.ratioToBaseline} |`),
    '',
    `Write cost: ${WRITES} send-and-events paths (action + message, markSent, delivered, opened, replied; 5 transactions), median of 3 alternated rounds, one connection.`,
    '',
    '| triggers | ms per path | x without |',
    '| --- | ---: | ---: |',
    ...writes.map((w) => `| ${w.config} | ${w.msPerPath} | ${(w.msPerPath / base).toFixed(2)} |`),
    '',
  ].join('\n');
}

// Run alone: node --conditions=@campaign/source bench/analytics-bench.ts
if (import.meta.url === `file://${process.argv[1]}`) {
  const { loadavg } = await import('node:os');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const started = new Date();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const result = await analyticsBench();
  console.log(`messages: ${result.messages}, baseline (sequential count) ${result.baselineMs} ms`);
  for (const row of result.rows) console.log(`${row.name}: ${row.ms} ms (x${row.ratioToBaseline})`);
  const writes = await analyticsWriteCost();
  for (const w of writes) console.log(`write path, ${w.config}: ${w.msPerPath} ms`);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const stamp = started.toISOString().slice(0, 16).replace('T', '-').replace(':', '');
  const md = markdown(started, result, writes, load);
  for (const name of ['analytics-latest', `analytics-${stamp}`])
    writeFileSync(new URL(`${name}.md`, dir), md);
}
