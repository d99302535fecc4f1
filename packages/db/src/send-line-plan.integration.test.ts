import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService, type Plan } from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * A send stored for later behind a line of its sender is deferred as it is stored (`SendLinePlanner`,
 * DESIGN section 11): its row, a `sender_min_gap` entry and its job say the slot behind the sends held as
 * long as it, so a burst that falls due at one quiet-hours end does not defer each send at once then. What
 * is not planned is left to the claim, as before.
 */

const QUIET_END = new Date('2026-03-02T08:00:00.000Z');
const CREATED = new Date(QUIET_END.getTime() - 60_000);
const GAP_MS = 50;

function heldPlan(expireAfter?: string): Plan {
  return {
    version: '1.1',
    timezone: 'UTC',
    quietHours: { start: '20:00', end: '08:00' },
    startNodeId: 'only',
    nodes: [
      {
        id: 'only',
        action: 'send',
        subject: 'Hello',
        body: 'Hi',
        ...(expireAfter ? { schedule: { delay: 'PT0S', expireAfter } } : {}),
        transitions: [],
      },
    ],
  } as Plan;
}

describe('a send planned in its line as it is stored, on postgres', () => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  async function sender(caps: { daily: number; minGap?: string }, enabled = true) {
    const id = `snd_${randomUUID().slice(0, 8)}`;
    await store.transaction((tx) =>
      tx.senders.insert({
        id,
        channel: 'email',
        from: `${id}@example.com`,
        timezone: 'UTC',
        caps,
        warmup: null,
        enabled,
        transport: 'log',
        createdAt: new Date('2026-01-01T00:00:00Z'),
      }),
    );
    return id;
  }

  /** A service on a fresh clock at `at` (virtual time), a worker that may wait `throttleWaitMs`. */
  function service(at: Date, throttleWaitMs?: number) {
    const clock = new ManualClock(at);
    const scheduler = new InMemoryScheduler(clock);
    const svc = new CampaignPlanExecutionService({
      ...{ store, scheduler, transport: new RecordingTransport(), clock },
      ...(throttleWaitMs === undefined ? {} : { throttleWaitMs }),
    });
    return { clock, scheduler, service: svc };
  }

  /** `n` campaigns of `plan` on the sender, stored 1 ms apart (due order is creation order). */
  async function storeSends(
    deps: ReturnType<typeof service>,
    senderId: string | null,
    n: number,
    plan: Plan = heldPlan(),
  ) {
    const sends: { campaignId: string; actionId: string; runAt: Date; dueAt: Date }[] = [];
    for (let i = 0; i < n; i++) {
      const { campaign } = await deps.service.persistPlan({
        contact: { email: `${randomUUID()}@example.com` },
        plan,
        ...(senderId === null ? {} : { senderIds: { email: senderId } }),
      });
      const row = await database.db
        .selectFrom('scheduled_actions')
        .select(['id', 'run_at', 'due_at'])
        .where('campaign_id', '=', campaign.id)
        .executeTakeFirstOrThrow();
      sends.push({ campaignId: campaign.id, actionId: row.id, runAt: row.run_at, dueAt: row.due_at });
      deps.clock.advance(1);
    }
    return sends;
  }

  async function deferredEntries(campaignId: string) {
    return database.db
      .selectFrom('campaign_transitions')
      .select(['reason', 'until_at', 'at'])
      .where('campaign_id', '=', campaignId)
      .where('kind', '=', 'deferred')
      .orderBy('seq')
      .execute();
  }

  it('without a wait: the row and the job at the slot behind the held sends, one sender_min_gap entry', async () => {
    const senderId = await sender({ daily: 1000, minGap: `PT${GAP_MS / 1000}S` });
    const deps = service(CREATED);
    const sends = await storeSends(deps, senderId, 5);
    for (const [i, s] of sends.entries()) {
      const slot = new Date(QUIET_END.getTime() + GAP_MS * i);
      expect(s.runAt).toEqual(slot);
      expect(deps.scheduler.pending().find((j) => j.actionId === s.actionId)).toEqual({
        actionId: s.actionId,
        contactId: expect.any(String),
        runAt: slot,
      });
      expect(await deferredEntries(s.campaignId)).toEqual(
        i === 0 ? [] : [{ reason: 'sender_min_gap', until_at: slot, at: s.dueAt }],
      );
    }
    // Their jobs run them: each is claimed at its slot, in due order.
    const outcomes: unknown[] = [];
    await deps.scheduler.start(async (id, contactId) => {
      outcomes.push(await deps.service.executeAction(id, contactId));
    });
    await deps.scheduler.advanceTo(new Date(QUIET_END.getTime() + 1000));
    expect(outcomes).toEqual(sends.map(() => ({ outcome: 'sent' })));
    const claims = await database.db
      .selectFrom('outbound_messages')
      .select(['action_id', 'claimed_at'])
      .where(
        'action_id',
        'in',
        sends.map((x) => x.actionId),
      )
      .orderBy('claimed_at')
      .execute();
    expect(claims).toEqual(sends.map((x) => ({ action_id: x.actionId, claimed_at: x.runAt })));
  });

  it('with a wait: beyond it, tried again at the assumed pace (half the gap’s rate, at 0.9) and its job back urgent, the wait less the lead, before', async () => {
    const senderId = await sender({ daily: 1000, minGap: `PT${GAP_MS / 1000}S` });
    const deps = service(CREATED, 1000);
    const sends = await storeSends(deps, senderId, 25);
    for (const [i, s] of sends.entries()) {
      const job = deps.scheduler.pending().find((j) => j.actionId === s.actionId);
      // A slot within the wait (20 sends of 50 ms) is the worker's to wait for: not planned.
      if (i * GAP_MS <= 1000) {
        expect(s.runAt).toEqual(QUIET_END);
        expect(job).toMatchObject({ runAt: QUIET_END });
        expect(job?.urgent).toBeUndefined();
        expect(await deferredEntries(s.campaignId)).toEqual([]);
        continue;
      }
      const retry = new Date(QUIET_END.getTime() + Math.round(i * 2 * GAP_MS * 0.9));
      expect(s.runAt).toEqual(retry);
      expect(job).toMatchObject({ runAt: new Date(retry.getTime() - 800), urgent: true });
      expect(await deferredEntries(s.campaignId)).toEqual([
        { reason: 'sender_min_gap', until_at: new Date(QUIET_END.getTime() + GAP_MS * i), at: s.dueAt },
      ]);
    }
  });

  it('not planned: a daily cap, a disabled or paused sender, a send the caps would expire, one due now', async () => {
    const held = async (senderId: string | null, plan?: Plan) => {
      const deps = service(CREATED);
      const sends = await storeSends(deps, senderId, 3, plan);
      for (const s of sends) {
        expect(s.runAt).toEqual(QUIET_END);
        expect(await deferredEntries(s.campaignId)).toEqual([]);
      }
    };
    // A daily cap of 1: the claim defers the rest to the next day (and frees a slot a cancelled one left);
    // with a min gap too, the daily cap is what defers them (its reason is not the min gap's).
    await held(await sender({ daily: 1 }));
    await held(await sender({ daily: 1, minGap: 'PT0.05S' }));
    // Disabled, or paused by its health: the claim holds its sends.
    await held(await sender({ daily: 1000, minGap: 'PT0.05S' }, false));
    const paused = await sender({ daily: 1000, minGap: 'PT0.05S' });
    await database.db
      .updateTable('senders')
      .set({ paused_at: CREATED, paused_reason: 'complaint rate' })
      .where('id', '=', paused)
      .execute();
    await held(paused);
    // The second's slot is 50 ms after the quiet end, the third's 100; each expires 40 ms after it (due a
    // minute before, 1 ms apart): the claim decides (it expires the send then, as any claim that meets it).
    await held(await sender({ daily: 1000, minGap: 'PT0.05S' }), heldPlan('PT60.04S'));
    // Due at once (no quiet hours at creation time): the claim decides, moments away.
    const senderId = await sender({ daily: 1000, minGap: 'PT0.05S' });
    const deps = service(QUIET_END);
    const { quietHours: _, ...plan } = heldPlan();
    const sends = await storeSends(deps, senderId, 3, plan as Plan);
    for (const s of sends) {
      expect(s.runAt).toEqual(s.dueAt);
      expect(await deferredEntries(s.campaignId)).toEqual([]);
    }
  });

  it('counts only the sends ahead held as long: those due to go before its runAt do not push it back', async () => {
    const senderId = await sender({ daily: 1000, minGap: `PT${GAP_MS / 1000}S` });
    // Ten sends due now (their quiet hours are over): they go before the quiet end of the next ones.
    const now = service(new Date(QUIET_END.getTime() - 24 * 3_600_000 + 60_000));
    const early = await storeSends(now, senderId, 10);
    for (const s of early) expect(s.runAt.getTime()).toBeLessThan(CREATED.getTime());
    const deps = service(CREATED);
    const [first, second] = await storeSends(deps, senderId, 2);
    expect(first?.runAt).toEqual(QUIET_END);
    expect(second?.runAt).toEqual(new Date(QUIET_END.getTime() + GAP_MS));
  });
});
