import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { createRuntime, loadConfig, type Runtime } from '@campaign/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type NodeProcess,
  type RedisServer,
  spawnWorker,
  startRedis,
  waitFor,
} from '../support/processes.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

/*
 * Throttling (DESIGN section 11) through four real worker processes racing for one sender, on both
 * queue backends: never more than the cap, none lost, granted in due order; the rest deferred to the
 * sender's next local day with their reason in the timeline.
 */

const plan: Plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'only',
  nodes: [{ id: 'only', action: 'send', subject: 'Hello', body: '<p>Hi</p>', transitions: [] }],
} as Plan;

describe.each(['bullmq', 'pgboss'] as const)('throttled sends on %s', { timeout: 90_000 }, (backend) => {
  let database: TestDatabase;
  let redis: RedisServer;
  let sink: SmtpSink;
  let env: NodeJS.ProcessEnv;
  let api: Runtime;
  const workers = new Set<NodeProcess>();

  beforeAll(async () => {
    [database, redis] = await Promise.all([createTestDatabase('postgres'), startRedis()]);
    sink = new SmtpSink();
    const smtpUrl = await sink.listen();
    env = {
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      QUEUE_BACKEND: backend,
      QUEUE_NAME: `e2e-${randomUUID()}`,
      QUEUE_POLL_SECONDS: '0.5',
      SMTP_URL: smtpUrl,
      MAIL_FROM: 'Campaigns <campaigns@e2e.test>',
      PUBLIC_URL: 'https://engine.e2e.test',
      UNSUBSCRIBE_SECRET: 'e2e-unsubscribe-secret-0123456789',
      MESSAGE_ID_DOMAIN: 'e2e.test',
      RECONCILE_INTERVAL_MS: '500',
      RECONCILE_GRACE_MS: '1500',
      WORKER_CONCURRENCY: '4',
      QUEUE_LOCK_MS: '3000',
      SEND_CLAIM_LEASE_MS: '3000',
      SEND_RETRY_BASE_DELAY_MS: '300',
      LOG_LEVEL: 'warn',
    };
    api = await createRuntime(loadConfig(env));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...workers].map((w) => w.stop('SIGKILL')));
    await api?.close();
    await sink?.close();
    await redis?.stop();
    await database?.dispose();
  });

  it('four workers racing for one sender with a daily cap of 5: exactly 5 go, the earliest due, in due order; the others wait for the next UTC day', async () => {
    const sender = await api.service.senders.create({
      channel: 'email',
      from: 'Throttled <throttled@e2e.test>',
      timezone: 'UTC',
      caps: { daily: 5, minGap: 'PT0.1S' },
      transport: 'smtp',
    });
    // Created before any worker runs, one after the other: due order is creation order.
    const created: { id: string; email: string }[] = [];
    for (let i = 0; i < 12; i++) {
      const email = `${randomUUID()}@e2e.test`;
      const { campaign } = await api.service.persistPlan({
        contact: { email },
        plan,
        senderIds: { email: sender.id },
      });
      created.push({ id: campaign.id, email });
    }
    const startedAt = new Date();
    for (let i = 0; i < 4; i++) {
      const worker = spawnWorker(env);
      worker.child.stderr?.pipe(process.stderr);
      workers.add(worker);
    }
    const db = database.db;
    const nextMidnight = Date.UTC(
      startedAt.getUTCFullYear(),
      startedAt.getUTCMonth(),
      startedAt.getUTCDate() + 1,
    );
    const waiting = created.slice(5).map((c) => c.id);
    // The final state, not an intermediate one: five sent, and each of the other seven decided for the
    // daily cap (its latest deferral's reason) and moved to a following midnight. A count of deferred
    // entries is no such signal: the sent ones may have waited for the min gap, and a waiting one may
    // still have only its first (min gap) deferral.
    let settled = 0;
    await waitFor(
      async () => {
        const rows = await db
          .selectFrom('scheduled_actions as a')
          .select(['a.campaign_id', 'a.run_at'])
          .select((eb) =>
            eb
              .selectFrom('campaign_transitions as t')
              .select('t.reason')
              .whereRef('t.campaign_id', '=', 'a.campaign_id')
              .whereRef('t.action_id', '=', 'a.id')
              .where('t.kind', '=', 'deferred')
              .orderBy('t.seq', 'desc')
              .limit(1)
              .as('reason'),
          )
          .where('a.campaign_id', 'in', waiting)
          .execute();
        settled = rows.filter(
          (r) => r.reason === 'sender_daily_cap' && r.run_at.getTime() >= nextMidnight,
        ).length;
        return settled === 7 && sink.received.length >= 5;
      },
      () => `${sink.received.length} sent and ${settled} waiting for the daily cap, expected 5 and 7`,
      { timeoutMs: 40_000 },
    );
    const messages = await db
      .selectFrom('outbound_messages')
      .select(['campaign_id', 'claimed_at', 'status'])
      .where(
        'campaign_id',
        'in',
        created.map((c) => c.id),
      )
      .orderBy('claimed_at')
      .execute();
    // Never more than the cap, granted to the five earliest due, in due order.
    expect(messages.map((m) => m.campaign_id)).toEqual(created.slice(0, 5).map((c) => c.id));
    expect(sink.received.filter((m) => created.some((c) => c.email === m.to))).toHaveLength(5);
    // None lost: the other seven are pending, moved to a following UTC midnight, each with one entry.
    const actions = await db
      .selectFrom('scheduled_actions')
      .select(['campaign_id', 'status', 'run_at'])
      .where(
        'campaign_id',
        'in',
        created.slice(5).map((c) => c.id),
      )
      .execute();
    expect(actions).toHaveLength(7);
    for (const a of actions) {
      expect(a.status).toBe('pending');
      // The 6th-10th get the next day's five slots, 100 ms apart (the min gap), the 11th and 12th
      // the first two of the day after: each promised the slot of its place in due order.
      const index = created.findIndex((c) => c.id === a.campaign_id);
      const slot =
        index < 10 ? nextMidnight + (index - 5) * 100 : nextMidnight + 86_400_000 + (index - 10) * 100;
      expect(a.run_at.getTime()).toBe(slot);
    }
    const entries = await db
      .selectFrom('campaign_transitions')
      .select(['campaign_id', 'reason'])
      .where(
        'campaign_id',
        'in',
        created.map((c) => c.id),
      )
      .where('kind', '=', 'deferred')
      .orderBy('seq')
      .execute();
    // One entry per change of reason: a waiting send ends on the daily cap (it may have waited for the
    // min gap before the sends ahead of it were all counted); a sent one only ever waited for the gap.
    for (const [index, c] of created.entries()) {
      const reasons = entries.filter((e) => e.campaign_id === c.id).map((e) => e.reason);
      for (let k = 1; k < reasons.length; k++) expect(reasons[k]).not.toBe(reasons[k - 1]);
      if (index >= 5) expect(reasons.at(-1)).toBe('sender_daily_cap');
      else for (const reason of reasons) expect(reason).toBe('sender_min_gap');
    }
  });
});
