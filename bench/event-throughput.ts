/*
 * `pnpm bench`: throughput of the engine's hot paths on the local Postgres, next to pgbench's TPC-B-like
 * transaction rate measured on the same server in the same run, with the same number of connections.
 * Results are ratios against that baseline (machines here are noisy; absolute numbers are not comparable
 * between runs). Writes bench/results/latest.json and latest.md.
 *
 * The throttled-send row is compared with the unthrottled one too (`throttledToUnthrottledSends`).
 *
 *   BENCH_CAMPAIGNS (default 400)   BENCH_CONCURRENCY (default 8)   BENCH_PGBENCH_SECONDS (default 8)
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { CampaignPlanExecutionService, type Plan } from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import { KyselyCampaignStore } from '@campaign/db';
import { createTestDatabase } from '@campaign/db/testing';
import { analyticsBench } from './analytics-bench.ts';

const CAMPAIGNS = Number(process.env.BENCH_CAMPAIGNS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PGBENCH_SECONDS = Number(process.env.BENCH_PGBENCH_SECONDS ?? 8);

const plan: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hello {{name|there}}',
      body: '<p>Hi {{name|there}}</p>',
      transitions: [
        { on: 'opened', to: 'wait', within: 'P3D' },
        { on: 'no_open', to: 'done', after: 'P3D' },
      ],
    },
    {
      id: 'wait',
      action: 'wait',
      transitions: [
        { on: 'clicked', to: 'done' },
        { on: 'no_click', to: 'done', after: 'P2D' },
      ],
    },
    { id: 'done', action: 'end' },
  ],
};

/** Runs `work` for every item with `concurrency` in flight; returns items per second. */
async function rate<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next];
        next += 1;
        if (item !== undefined) await work(item);
      }
    }),
  );
  return items.length / ((performance.now() - started) / 1000);
}

function pgbenchTps(url: string): number {
  const u = new URL(url);
  const args = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
  const db = u.pathname.slice(1);
  execFileSync('pgbench', [...args, '-i', '-q', '-s', '1', db], { stdio: 'ignore' });
  const out = execFileSync(
    'pgbench',
    [...args, '-n', '-c', String(CONCURRENCY), '-j', '2', '-T', String(PGBENCH_SECONDS), db],
    {
      encoding: 'utf8',
    },
  );
  const tps = /tps = ([\d.]+)/.exec(out)?.[1];
  if (!tps) throw new Error(`cannot read pgbench output:\n${out}`);
  return Number(tps);
}

const database = await createTestDatabase('postgres', { poolSize: CONCURRENCY + 2 });
try {
  const clock = new ManualClock(new Date('2026-01-05T10:00:00Z'));
  const scheduler = new InMemoryScheduler(clock);
  const transport = new RecordingTransport();
  const store = new KyselyCampaignStore(database.db);
  const service = new CampaignPlanExecutionService({
    store,
    scheduler,
    transport,
    clock,
  });
  const contacts = Array.from({ length: CAMPAIGNS }, () => ({
    id: randomUUID(),
    email: `${randomUUID()}@bench.test`,
    name: 'Ada',
  }));

  const activations = await rate(contacts, CONCURRENCY, (contact) => service.persistPlan({ contact, plan }));
  const sendIds = scheduler.pending().map((j) => j.actionId);
  await scheduler.cancel(sendIds);
  const sends = await rate(sendIds, CONCURRENCY, (id) => service.executeAction(id));
  const messages = transport.sent.map((m) => m.messageId);
  const ignored = await rate(messages, CONCURRENCY, (messageId) =>
    service.recordEvent({
      provider: 'bench',
      providerEventId: `d-${messageId}`,
      messageId,
      type: 'delivered',
      occurredAt: clock.now(),
    }),
  );
  const transitions = await rate(messages, CONCURRENCY, (messageId) =>
    service.recordEvent({
      provider: 'bench',
      providerEventId: `o-${messageId}`,
      messageId,
      type: 'opened',
      occurredAt: clock.now(),
    }),
  );
  const duplicates = await rate(messages, CONCURRENCY, (messageId) =>
    service.recordEvent({
      provider: 'bench',
      providerEventId: `o-${messageId}`,
      messageId,
      type: 'opened',
      occurredAt: clock.now(),
    }),
  );
  // The same sends on one sender whose caps are never reached: what throttling costs (the sender's row
  // lock, its usage and the due order counted in the claim transaction), against the sends above.
  const senderId = 'snd_bench';
  await store.transaction((tx) =>
    tx.senders.insert({
      id: senderId,
      channel: 'email',
      from: 'bench@bench.test',
      timezone: 'UTC',
      caps: { daily: 1_000_000, hourly: 1_000_000 },
      warmup: null,
      enabled: true,
      transport: 'log',
      createdAt: clock.now(),
    }),
  );
  const throttledContacts = contacts.map(() => ({ id: randomUUID(), email: `${randomUUID()}@bench.test` }));
  const throttledCampaigns = await Promise.all(
    throttledContacts.map((contact) => service.persistPlan({ contact, plan }).then((r) => r.campaign.id)),
  );
  await database.db
    .updateTable('contact_campaigns')
    .set({ email_sender_id: senderId })
    .where('id', 'in', throttledCampaigns)
    .execute();
  const throttledIds = (
    await database.db
      .selectFrom('scheduled_actions')
      .select('id')
      .where('campaign_id', 'in', throttledCampaigns)
      .where('kind', '=', 'send')
      .execute()
  ).map((r) => r.id);
  await scheduler.cancel(throttledIds);
  const sentBefore = transport.sent.length;
  const throttled = await rate(throttledIds, CONCURRENCY, (id) => service.executeAction(id));
  if (transport.sent.length - sentBefore !== throttledIds.length)
    throw new Error('a throttled send did not go although no cap was reached');
  const baseline = pgbenchTps(database.url ?? '');
  // Analytics over BENCH_ANALYTICS_MESSAGES messages (default 1,000,000; 0 skips), see analytics-bench.ts.
  const analytics =
    Number(process.env.BENCH_ANALYTICS_MESSAGES ?? 1_000_000) > 0 ? await analyticsBench() : null;

  const rows = [
    ['pgbench TPC-B-like transaction (baseline)', baseline],
    ['campaign created and activated', activations],
    ['send executed (recording transport)', sends],
    ['send executed through a sender (throttled, caps not reached)', throttled],
    ['event that moves a campaign', transitions],
    ['event that changes nothing', ignored],
    ['duplicate event', duplicates],
  ] as const;
  const result = {
    at: new Date().toISOString(),
    campaigns: CAMPAIGNS,
    concurrency: CONCURRENCY,
    /** Throttled sends per second over unthrottled ones, same run. */
    throttledToUnthrottledSends: Number((throttled / sends).toFixed(3)),
    /** Analytics query times (ms, median of 3) over `messages` messages, against a sequential count of them. */
    analytics,
    results: rows.map(([name, perSecond]) => ({
      name,
      perSecond: Math.round(perSecond),
      ratioToPgbench: Number((perSecond / baseline).toFixed(3)),
    })),
  };
  const table = [
    `Campaigns: ${CAMPAIGNS}, concurrency: ${CONCURRENCY}, ${result.at}`,
    '',
    '| operation | per second | ratio to pgbench |',
    '|---|---:|---:|',
    ...result.results.map((r) => `| ${r.name} | ${r.perSecond} | ${r.ratioToPgbench} |`),
    '',
    `Throttled sends / unthrottled sends: ${result.throttledToUnthrottledSends}`,
    ...(analytics
      ? [
          '',
          `Analytics over ${analytics.messages} messages (baseline: a sequential count of them, ${analytics.baselineMs} ms)`,
          '',
          '| query | ms | ratio to baseline |',
          '|---|---:|---:|',
          ...analytics.rows.map((r) => `| ${r.name} | ${r.ms} | ${r.ratioToBaseline} |`),
        ]
      : []),
  ].join('\n');
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/latest.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(new URL('./results/latest.md', import.meta.url), `${table}\n`);
  console.log(table);
} finally {
  await database.dispose();
}
