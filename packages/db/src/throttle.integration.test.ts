import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService, type Plan } from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * Throttling in the claim transaction (DESIGN section 11): racing workers never grant more than a
 * sender's caps, sends keep their due order per sender, a deferral moves the action to the instant
 * every cap allows and is recorded once per change of reason, and it counts toward expireAfter.
 */

const T0 = new Date('2026-03-02T15:00:00.000Z');
const NEXT_UTC_MIDNIGHT = new Date('2026-03-03T00:00:00.000Z');

function onePlan(expireAfter?: string): Plan {
  return {
    version: '1.1',
    timezone: 'UTC',
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

describe.each(['postgres', 'pglite'] as const)('throttling on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind, { poolSize: 12 });
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  function worker(
    clock: ManualClock,
    scheduler: InMemoryScheduler,
    contactCap?: { count: number; window: string },
  ) {
    const transport = new RecordingTransport();
    const service = new CampaignPlanExecutionService({
      store,
      scheduler,
      transport,
      clock,
      maxSendAttempts: 3,
      ...(contactCap ? { contactFrequencyCap: contactCap } : {}),
    });
    return { service, transport };
  }

  async function sender(caps: { daily: number; hourly?: number; minGap?: string }) {
    const id = `snd_${randomUUID().slice(0, 8)}`;
    await store.transaction((tx) =>
      tx.senders.insert({
        id,
        channel: 'email',
        from: `${id}@example.com`,
        timezone: 'UTC',
        caps,
        warmup: null,
        enabled: true,
        transport: 'log',
        createdAt: new Date('2026-01-01T00:00:00Z'),
      }),
    );
    return id;
  }

  /** `n` campaigns on the sender, due 1 ms apart from T0 (due order = creation order); their send action ids. */
  async function campaigns(senderId: string, n: number, plan: Plan = onePlan(), email?: string) {
    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    const { service } = worker(clock, scheduler);
    const ids: { campaignId: string; actionId: string }[] = [];
    for (let i = 0; i < n; i++) {
      const contact = { email: email ?? `${randomUUID()}@example.com` };
      const { campaign } = await service.persistPlan({ contact, plan });
      await database.db
        .updateTable('contact_campaigns')
        .set({ email_sender_id: senderId })
        .where('id', '=', campaign.id)
        .execute();
      const action = await database.db
        .selectFrom('scheduled_actions')
        .select('id')
        .where('campaign_id', '=', campaign.id)
        .executeTakeFirstOrThrow();
      ids.push({ campaignId: campaign.id, actionId: action.id });
      clock.advance(1);
    }
    return ids;
  }

  async function actionRow(id: string) {
    return database.db
      .selectFrom('scheduled_actions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
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

  it('four racing workers grant exactly the daily cap, to the earliest due; the rest wait for the next local day, one entry per reason', async () => {
    const senderId = await sender({ daily: 3 });
    const sends = await campaigns(senderId, 8);
    const at = new Date(T0.getTime() + 1000);
    const workers = Array.from({ length: 4 }, () => {
      const clock = new ManualClock(at);
      return { clock, ...worker(clock, new InMemoryScheduler(clock)) };
    });
    // Latest due first, spread over the four workers: order of execution must not decide the winners.
    const reversed = [...sends].reverse();
    await Promise.all(
      reversed.map((s, i) => (workers[i % 4] as (typeof workers)[number]).service.executeAction(s.actionId)),
    );
    const sent = workers.flatMap((w) => w.transport.sent);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((m) => m.campaignId))).toEqual(
      new Set(sends.slice(0, 3).map((s) => s.campaignId)),
    );
    // Each waiting send is promised the slot its place in due order gets: the 4th-6th tomorrow, the
    // 7th and 8th the day after (the daily cap checked through the until values).
    const DAY_AFTER = new Date('2026-03-04T00:00:00.000Z');
    for (const [i, s] of sends.entries()) {
      if (i < 3) continue;
      const until = i < 6 ? NEXT_UTC_MIDNIGHT : DAY_AFTER;
      expect(await actionRow(s.actionId)).toMatchObject({ status: 'pending', run_at: until });
      expect(await deferredEntries(s.campaignId)).toEqual([
        { reason: 'sender_daily_cap', until_at: until, at },
      ]);
    }

    // The next day: three more in due order; the last two, run early, keep their day and write no
    // second entry (same reason).
    for (const w of workers) w.clock.set(NEXT_UTC_MIDNIGHT);
    await Promise.all(
      sends
        .slice(3)
        .reverse()
        .map((s, i) => (workers[i % 4] as (typeof workers)[number]).service.executeAction(s.actionId)),
    );
    const sentNow = workers.flatMap((w) => w.transport.sent);
    expect(sentNow).toHaveLength(6);
    expect(new Set(sentNow.slice(0).map((m) => m.campaignId))).toEqual(
      new Set(sends.slice(0, 6).map((s) => s.campaignId)),
    );
    for (const s of sends.slice(6)) {
      expect(await actionRow(s.actionId)).toMatchObject({
        status: 'pending',
        run_at: new Date('2026-03-04T00:00:00.000Z'),
      });
      expect(await deferredEntries(s.campaignId)).toHaveLength(1);
    }
  });

  it('min gap: a send within the gap of the last waits exactly until last + gap', async () => {
    const senderId = await sender({ daily: 1000, minGap: 'PT0.05S' });
    const [first, second] = await campaigns(senderId, 2);
    const clock = new ManualClock(new Date(T0.getTime() + 10));
    const { service, transport } = worker(clock, new InMemoryScheduler(clock));
    expect(await service.executeAction(first?.actionId ?? '')).toEqual({ outcome: 'sent' });
    clock.advance(20);
    expect(await service.executeAction(second?.actionId ?? '')).toEqual({ outcome: 'deferred' });
    expect((await actionRow(second?.actionId ?? '')).run_at).toEqual(new Date(T0.getTime() + 60));
    expect(await deferredEntries(second?.campaignId ?? '')).toMatchObject([{ reason: 'sender_min_gap' }]);
    clock.advance(30);
    expect(await service.executeAction(second?.actionId ?? '')).toEqual({ outcome: 'sent' });
    expect(transport.sent).toHaveLength(2);
  });

  it('deferral counts toward expireAfter: a send the cap holds past due + expireAfter is skipped and the campaign stops send_expired', async () => {
    const senderId = await sender({ daily: 1 });
    const [first, second] = await campaigns(senderId, 2, onePlan('PT2H'));
    const clock = new ManualClock(new Date(T0.getTime() + 10));
    const { service, transport } = worker(clock, new InMemoryScheduler(clock));
    expect(await service.executeAction(first?.actionId ?? '')).toEqual({ outcome: 'sent' });
    // The next slot is the next UTC midnight, 9 h away: past due + 2 h.
    expect(await service.executeAction(second?.actionId ?? '')).toEqual({ outcome: 'expired' });
    expect(transport.sent).toHaveLength(1);
    expect(await actionRow(second?.actionId ?? '')).toMatchObject({ status: 'skipped' });
    const view = await service.getCampaign(second?.campaignId ?? '');
    expect(view.campaign.state).toMatchObject({ status: 'stopped', stopReason: 'send_expired' });
  });

  /*
   * A worker reads its clock, then waits for the sender's lock while another worker (whose clock read
   * later) claims and commits: the claim it then counts is stamped after its own `now`. Played in lock
   * order with injected clocks: B claims at T0 + 1200 ms, then A decides with its clock at T0 + 1100 ms.
   */
  it('a claim committed while a worker waited for the sender lock, stamped after its clock read, still counts toward the daily cap', async () => {
    const senderId = await sender({ daily: 1 });
    const [first, second] = await campaigns(senderId, 2);
    const clockB = new ManualClock(new Date(T0.getTime() + 1200));
    const b = worker(clockB, new InMemoryScheduler(clockB));
    const clockA = new ManualClock(new Date(T0.getTime() + 1100));
    const a = worker(clockA, new InMemoryScheduler(clockA));
    expect(await b.service.executeAction(first?.actionId ?? '')).toEqual({ outcome: 'sent' });
    // The day's one slot is taken: a second send would exceed the cap.
    expect(await a.service.executeAction(second?.actionId ?? '')).toEqual({ outcome: 'deferred' });
    expect([...a.transport.sent, ...b.transport.sent]).toHaveLength(1);
    expect(await actionRow(second?.actionId ?? '')).toMatchObject({
      status: 'pending',
      run_at: NEXT_UTC_MIDNIGHT,
    });
  });

  it('two waiting sends are never promised the same slot when the later one decides with a clock read before the last claim', async () => {
    const senderId = await sender({ daily: 2, minGap: 'PT0.1S' });
    const sends = await campaigns(senderId, 4);
    const clockB = new ManualClock(new Date(T0.getTime() + 1000));
    const b = worker(clockB, new InMemoryScheduler(clockB));
    const clockA = new ManualClock(new Date(T0.getTime() + 1100));
    const a = worker(clockA, new InMemoryScheduler(clockA));
    const [s0, s1, s2, s3] = sends.map((s) => s.actionId) as [string, string, string, string];
    expect(await b.service.executeAction(s0)).toEqual({ outcome: 'sent' });
    clockB.set(new Date(T0.getTime() + 1200));
    expect(await b.service.executeAction(s1)).toEqual({ outcome: 'sent' });
    // A read T0 + 1100 before B's second claim: today is full (2 of 2), so the 3rd send waits for the
    // next midnight and the 4th, one min gap later, whichever decides first.
    expect(await a.service.executeAction(s3)).toEqual({ outcome: 'deferred' });
    expect(await b.service.executeAction(s2)).toEqual({ outcome: 'deferred' });
    expect((await actionRow(s2)).run_at).toEqual(NEXT_UTC_MIDNIGHT);
    expect((await actionRow(s3)).run_at).toEqual(new Date(NEXT_UTC_MIDNIGHT.getTime() + 100));
    expect(await deferredEntries(sends[3]?.campaignId ?? '')).toMatchObject([{ reason: 'sender_daily_cap' }]);
  });

  it('the contact frequency cap counts the contact across campaigns', async () => {
    const senderId = await sender({ daily: 1000 });
    const email = `${randomUUID()}@example.com`;
    const [first, second] = await campaigns(senderId, 2, onePlan(), email);
    const clock = new ManualClock(new Date(T0.getTime() + 10));
    const { service, transport } = worker(clock, new InMemoryScheduler(clock), { count: 1, window: 'P1D' });
    expect(await service.executeAction(first?.actionId ?? '')).toEqual({ outcome: 'sent' });
    expect(await service.executeAction(second?.actionId ?? '')).toEqual({ outcome: 'deferred' });
    expect(transport.sent).toHaveLength(1);
    // One day after the first claim (T0 + 10 ms).
    expect((await actionRow(second?.actionId ?? '')).run_at).toEqual(
      new Date(T0.getTime() + 86_400_000 + 10),
    );
    expect(await deferredEntries(second?.campaignId ?? '')).toMatchObject([
      { reason: 'contact_frequency_cap' },
    ]);
  });
});

/*
 * A burst (DESIGN section 11): campaigns (100, or BURST_CAMPAIGNS) whose sends all fall due at the end of the quiet hours,
 * one minute after they were created, through one sender with a 50 ms min gap. Eight sends in flight at a
 * time, an injected clock moved to each next due instant: every send goes, exactly 50 ms apart, in due
 * order, the last one N - 1 gaps after the quiet end. Then a daily cap of 40 checked through the `until`
 * values the deferred are promised.
 */
/** Campaigns in the burst: 100 by default (every claim is serialized on the sender's row, as it must be);
 * BURST_CAMPAIGNS=1000 runs the full burst (passes in about 2.5 minutes on this machine). */
const N = Number(process.env.BURST_CAMPAIGNS ?? 100);
describe(`a ${N}-campaign burst on postgres`, { timeout: 600_000 }, () => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;
  const QUIET_END = new Date('2026-03-02T08:00:00.000Z');
  const CREATED = new Date(QUIET_END.getTime() - 60_000);
  const quietPlan = { ...onePlan(), quietHours: { start: '20:00', end: '08:00' } } as Plan;

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { poolSize: 12 });
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  /** `gapLater`: the sender's min gap is set once the campaigns are stored (none is planned as it is stored). */
  async function burst(caps: { daily: number; minGap?: string }, n: number, gapLater = false) {
    const { minGap, ...stored } = caps;
    const senderId = `snd_${randomUUID().slice(0, 8)}`;
    await store.transaction((tx) =>
      tx.senders.insert({
        id: senderId,
        channel: 'email',
        from: `${senderId}@example.com`,
        timezone: 'UTC',
        caps: gapLater ? stored : caps,
        warmup: null,
        enabled: true,
        transport: 'log',
        createdAt: new Date('2026-01-01T00:00:00Z'),
      }),
    );
    const clock = new ManualClock(CREATED);
    const scheduler = new InMemoryScheduler(clock);
    const transport = new RecordingTransport();
    const service = new CampaignPlanExecutionService({ store, scheduler, transport, clock });
    // One at a time, 1 ms apart: due order is creation order.
    const campaignIds: string[] = [];
    for (let i = 0; i < n; i++) {
      const { campaign } = await service.persistPlan({
        contact: { email: `${randomUUID()}@example.com` },
        plan: quietPlan,
        senderIds: { email: senderId },
      });
      campaignIds.push(campaign.id);
      clock.advance(1);
    }
    if (gapLater && minGap !== undefined)
      await database.db.updateTable('senders').set({ min_gap: minGap }).where('id', '=', senderId).execute();
    const actions = await database.db
      .selectFrom('scheduled_actions')
      .select(['id', 'campaign_id', 'due_at', 'run_at'])
      .where('campaign_id', 'in', campaignIds)
      .orderBy('due_at')
      .orderBy('id')
      .execute();
    return { senderId, clock, service, transport, actions };
  }

  /** Runs every pending send due at the clock, `inFlight` at a time. */
  async function runDue(service: CampaignPlanExecutionService, ids: string[], inFlight: number) {
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < ids.length) {
          const id = ids[next++] as string;
          await service.executeAction(id);
        }
      }),
    );
  }

  // Planned as they are stored (the line plan), or all falling due at the quiet end (the claims defer them).
  it.each([
    ['planned as they are stored', false],
    ['all due at the quiet end', true],
  ] as const)('drains at the min gap, in due order, none lost: %s', async (_, gapLater) => {
    const caps = { daily: 100_000, minGap: 'PT0.05S' };
    const { clock, service, transport, actions } = await burst(caps, N, gapLater);
    expect(actions).toHaveLength(N);
    // Every send was due a minute before the quiet end. The first runs at it; each send behind it was
    // deferred when it was stored (`SendLinePlanner`), to its slot behind the sends stored before it;
    // unless its sender had no min gap then.
    const entries = await database.db
      .selectFrom('campaign_transitions')
      .select(['action_id', 'reason', 'until_at', 'at'])
      .where(
        'action_id',
        'in',
        actions.map((a) => a.id),
      )
      .where('kind', '=', 'deferred')
      .orderBy('seq')
      .execute();
    for (const [i, a] of actions.entries()) {
      const slot = new Date(QUIET_END.getTime() + (gapLater ? 0 : 50 * i));
      expect(a.run_at).toEqual(slot);
      expect(entries.filter((e) => e.action_id === a.id)).toEqual(
        i === 0 || gapLater
          ? []
          : [{ action_id: a.id, reason: 'sender_min_gap', until_at: slot, at: a.due_at }],
      );
    }
    clock.set(QUIET_END);
    // Latest due first: the order of execution must not decide the order of the sends (planned, only the
    // first is due now and the rest come one at a time below; else all are, and the claims defer them).
    await runDue(
      service,
      [...actions].reverse().map((a) => a.id),
      8,
    );
    for (let round = 0; round < N; round++) {
      const pending = await database.db
        .selectFrom('scheduled_actions')
        .select(['id', 'run_at'])
        .where(
          'id',
          'in',
          actions.map((a) => a.id),
        )
        .where('status', '=', 'pending')
        .execute();
      if (pending.length === 0) break;
      const at = Math.min(...pending.map((p) => p.run_at.getTime()));
      clock.set(new Date(at));
      await runDue(
        service,
        pending.filter((p) => p.run_at.getTime() === at).map((p) => p.id),
        8,
      );
    }
    const messages = await database.db
      .selectFrom('outbound_messages')
      .select(['action_id', 'claimed_at', 'status'])
      .where(
        'action_id',
        'in',
        actions.map((a) => a.id),
      )
      .orderBy('claimed_at')
      .execute();
    expect(messages).toHaveLength(N);
    expect(transport.sent).toHaveLength(N);
    expect(messages.map((m) => m.action_id)).toEqual(actions.map((a) => a.id));
    expect(messages.map((m) => m.claimed_at?.getTime())).toEqual(
      actions.map((_, i) => QUIET_END.getTime() + 50 * i),
    );
  });

  it('a daily cap of 40: the deferred are promised the following days in due order', async () => {
    const { clock, service, transport, actions } = await burst({ daily: 40 }, 100);
    clock.set(QUIET_END);
    await runDue(
      service,
      [...actions].reverse().map((a) => a.id),
      8,
    );
    expect(transport.sent).toHaveLength(40);
    const rows = await database.db
      .selectFrom('scheduled_actions')
      .select(['id', 'status', 'run_at'])
      .where(
        'id',
        'in',
        actions.map((a) => a.id),
      )
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [i, a] of actions.entries()) {
      const row = byId.get(a.id);
      if (i < 40) expect(row?.status).toBe('done');
      else {
        // The 41st-80th get the next day, the rest the day after, each at its quiet end (08:00).
        const day = i < 80 ? '2026-03-03' : '2026-03-04';
        expect(row).toMatchObject({ status: 'pending', run_at: new Date(`${day}T08:00:00.000Z`) });
      }
    }
  });
});
