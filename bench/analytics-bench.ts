/*
 * The analytics rows of `pnpm bench` (issue 14 item 4): every GET /v1/analytics/* query over a range
 * holding BENCH_ANALYTICS_MESSAGES messages (default 1,000,000) with their events, on the same Postgres,
 * next to a baseline measured in the same run: Postgres counting the same messages by a sequential scan
 * (`select count(*) from outbound_messages where sent_at in the range`, with no index to help). The
 * target is an answer in under a second per query; the ratio shows the cost against a bare scan.
 */
import type { AnalyticsRange } from '@campaign/core';
import { KyselyAnalytics } from '@campaign/db';
import { createTestDatabase, seedAnalyticsBench, sequentialMessageCount } from '@campaign/db/testing';

const MESSAGES = Number(process.env.BENCH_ANALYTICS_MESSAGES ?? 1_000_000);
const PER_CAMPAIGN = 4;

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

// Run alone: node --conditions=@campaign/source bench/analytics-bench.ts
if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await analyticsBench();
  console.log(`messages: ${result.messages}, baseline (sequential count) ${result.baselineMs} ms`);
  for (const row of result.rows) console.log(`${row.name}: ${row.ms} ms (x${row.ratioToBaseline})`);
}
