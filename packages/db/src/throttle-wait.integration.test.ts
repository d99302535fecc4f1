import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService, type CampaignStore, type Plan } from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * A throttled send whose slot is close (`throttleWaitMs`) waits for it in the worker instead of being
 * deferred through the queue: behind a 50 ms min gap, a trip through a queue (a delayed job, or a poll
 * interval) comes back later than the gap, behind every job due meanwhile. Waiting records no entry
 * (only the action's run_at moves, so the reconcile pass leaves it alone) and
 * goes on while the sends ahead go; when none of them goes for `throttleWaitMs` (no worker runs them:
 * their jobs wait behind this one) the send is deferred as before, so waiters cannot keep the workers'
 * slots from the sends they wait for.
 */

const QUIET_END = new Date('2026-03-02T08:00:00.000Z');
const CREATED = new Date(QUIET_END.getTime() - 60_000);
const GAP_MS = 50;
const plan = {
  version: '1.1',
  timezone: 'UTC',
  quietHours: { start: '20:00', end: '08:00' },
  startNodeId: 'only',
  nodes: [{ id: 'only', action: 'send', subject: 'Hello', body: 'Hi', transitions: [] }],
} as Plan;

describe('waiting for a close slot in the worker (THROTTLE_WAIT_MS) on postgres', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { poolSize: 12 });
    store = new KyselyCampaignStore(database.db);
  }, 60_000);
  afterAll(async () => database?.dispose());

  /**
   * `n` campaigns behind one sender with a 50 ms min gap, their sends held until the quiet end. A worker's
   * timer fires `lateTimerMs` after the instant it was set for (a busy event loop's). `hold`: while `on`,
   * each sleep waits for the test to call the resolver it pushes to `sleeping` (then moves the clock as
   * the others do).
   */
  async function burst(
    n: number,
    options: {
      lateTimerMs?: number;
      throttleMaxWaiting?: number;
      actionConcurrency?: number;
      hold?: { on: boolean; sleeping: (() => void)[] };
      /** The store the waiting service uses (default: the test's). */
      via?: CampaignStore;
      /** The sender's daily cap (default 100,000). */
      daily?: number;
    } = {},
  ) {
    const { lateTimerMs = 0, throttleMaxWaiting, actionConcurrency, hold, via = store } = options;
    const daily = options.daily ?? 100_000;
    const senderId = `snd_${randomUUID().slice(0, 8)}`;
    await store.transaction((tx) =>
      tx.senders.insert({
        id: senderId,
        channel: 'email',
        from: `${senderId}@example.com`,
        timezone: 'UTC',
        // Its min gap is set once the campaigns are stored (below): stored with it, the sends behind the
        // first would be deferred then (`SendLinePlanner`, send-line-plan.integration.test.ts); these tests
        // judge what the claims do with a line that falls due at once.
        caps: { daily },
        warmup: null,
        enabled: true,
        transport: 'log',
        createdAt: new Date('2026-01-01T00:00:00Z'),
      }),
    );
    const clock = new ManualClock(CREATED);
    const scheduler = new InMemoryScheduler(clock);
    const transport = new RecordingTransport();
    // When each message was handed to the transport.
    const handedAt: number[] = [];
    const send = transport.send.bind(transport);
    transport.send = (email) => {
      handedAt.push(clock.now().getTime());
      return send(email);
    };
    const sleeps: number[] = [];
    // What the reconcile pass (grace 0) re-queued while each send waited.
    const requeuedWhileWaiting: string[][] = [];
    const service: CampaignPlanExecutionService = new CampaignPlanExecutionService({
      ...{ store: via, scheduler, transport, clock },
      throttleWaitMs: 1000,
      ...(throttleMaxWaiting === undefined ? {} : { throttleMaxWaiting }),
      ...(actionConcurrency === undefined ? {} : { actionConcurrency }),
      // Virtual time: a waiting worker moves the clock to its wake-up (never back).
      sleep: async (ms) => {
        sleeps.push(ms);
        if (hold?.on) await new Promise<void>((resolve) => hold.sleeping.push(resolve));
        const before = new Set(scheduler.pending().map((j) => j.actionId));
        await service.reconcileOverdue(0);
        requeuedWhileWaiting.push(
          scheduler
            .pending()
            .map((j) => j.actionId)
            .filter((id) => !before.has(id)),
        );
        const wake = clock.now().getTime() + ms + lateTimerMs;
        await new Promise((resolve) => setImmediate(resolve));
        if (clock.now().getTime() < wake) clock.set(new Date(wake));
      },
    });
    const campaignIds: string[] = [];
    for (let i = 0; i < n; i++) {
      const { campaign } = await service.persistPlan({
        contact: { email: `${randomUUID()}@example.com` },
        plan,
        senderIds: { email: senderId },
      });
      campaignIds.push(campaign.id);
      clock.advance(1);
    }
    await database.db
      .updateTable('senders')
      .set({ min_gap: `PT${GAP_MS / 1000}S` })
      .where('id', '=', senderId)
      .execute();
    const actions = await database.db
      .selectFrom('scheduled_actions')
      .select(['id', 'contact_id', 'campaign_id', 'due_at', 'run_at'])
      .where('campaign_id', 'in', campaignIds)
      .orderBy('due_at')
      .orderBy('id')
      .execute();
    return {
      ...{ clock, service, scheduler, transport, actions, campaignIds, sleeps, requeuedWhileWaiting },
      handedAt,
    };
  }

  /**
   * Defers a send by its sender's min gap (a worker that never waits: a recorded deferral), then moves it
   * `awayMs` (a minute) away, as a paced retry that the line outran leaves it.
   */
  async function deferAway(
    actionId: string,
    deps: { store: KyselyCampaignStore; scheduler: InMemoryScheduler; clock: ManualClock },
    awayMs = 60_000,
  ) {
    const direct = new CampaignPlanExecutionService({ ...deps, transport: new RecordingTransport() });
    expect(await direct.executeAction(actionId)).toEqual({ outcome: 'deferred' });
    const away = new Date(deps.clock.now().getTime() + awayMs);
    await database.db
      .updateTable('scheduled_actions')
      .set({ run_at: away })
      .where('id', '=', actionId)
      .execute();
  }

  const claimsOf = (actionIds: string[]) =>
    database.db
      .selectFrom('outbound_messages')
      .select(['action_id', 'claimed_at'])
      .where('action_id', 'in', actionIds)
      .orderBy('claimed_at')
      .execute();

  const deferralsOf = (campaignIds: string[]) =>
    database.db
      .selectFrom('campaign_transitions')
      .select(['campaign_id', 'reason'])
      .where('campaign_id', 'in', campaignIds)
      .where('kind', '=', 'deferred')
      .execute();

  it('one worker in due order: each send waits for its slot, exactly one gap apart, nothing recorded', async () => {
    const n = 12;
    const { clock, service, scheduler, transport, actions, campaignIds, sleeps, requeuedWhileWaiting } =
      await burst(n);
    clock.set(QUIET_END);
    // Nothing is queued: each send runs here, as its worker would.
    await scheduler.cancel(actions.map((a) => a.id));
    for (const [i, a] of actions.entries()) {
      expect(await service.executeAction(a.id)).toEqual({ outcome: 'sent' });
      // While it waited, its row said when it would try again: the reconcile pass re-queued the sends
      // behind it (overdue, no job), never the waiting one.
      if (i > 0) expect(requeuedWhileWaiting.at(-1)).not.toContain(a.id);
      await scheduler.cancel(actions.map((x) => x.id));
    }
    expect(transport.sent).toHaveLength(n);
    const claims = await claimsOf(actions.map((a) => a.id));
    expect(claims.map((c) => c.action_id)).toEqual(actions.map((a) => a.id));
    expect(claims.map((c) => c.claimed_at?.getTime())).toEqual(
      actions.map((_, i) => QUIET_END.getTime() + GAP_MS * i),
    );
    // Every send but the first waited one gap; none was deferred or rescheduled.
    expect(sleeps).toEqual(Array(n - 1).fill(GAP_MS));
    expect(await deferralsOf(campaignIds)).toEqual([]);
  });

  it('one worker whose timer fires 30 ms late: each send is claimed ahead for its slot, so the gaps stay one gap (not one gap plus the lateness), and none is handed over before its slot', async () => {
    const n = 12;
    const { clock, service, scheduler, transport, actions, campaignIds, handedAt } = await burst(n, {
      lateTimerMs: 30,
    });
    clock.set(QUIET_END);
    await scheduler.cancel(actions.map((a) => a.id));
    for (const a of actions) {
      expect(await service.executeAction(a.id)).toEqual({ outcome: 'sent' });
      await scheduler.cancel(actions.map((x) => x.id));
    }
    expect(transport.sent).toHaveLength(n);
    const claims = await claimsOf(actions.map((a) => a.id));
    expect(claims.map((c) => c.action_id)).toEqual(actions.map((a) => a.id));
    const slots = actions.map((_, i) => QUIET_END.getTime() + GAP_MS * i);
    expect(claims.map((c) => c.claimed_at?.getTime())).toEqual(slots);
    expect(handedAt.filter((t, i) => t < (slots[i] as number))).toEqual([]);
    expect(await deferralsOf(campaignIds)).toEqual([]);
  });

  it('a send whose slot is further than the wait is deferred through the queue: before its sender has a pace, tried again as if its line went at half the gap’s rate (the line brings it forward as it comes within reach), its job back as early as it may wait, less the lead (800 ms)', async () => {
    const { clock, service, scheduler, actions } = await burst(30);
    clock.set(QUIET_END);
    await scheduler.cancel(actions.map((a) => a.id));
    // The last in due order: 29 sends ahead, its slot 1,450 ms away (more than the 1,000 ms wait).
    const last = actions.at(-1) as { id: string; contact_id: string };
    expect(await service.executeAction(last.id)).toEqual({ outcome: 'deferred' });
    const row = await database.db
      .selectFrom('scheduled_actions')
      .select('run_at')
      .where('id', '=', last.id)
      .executeTakeFirstOrThrow();
    // Its slot is 29 gaps away; with no pace yet (no claims) the line assumes two gaps a send, and the
    // retry comes at 0.9 of that time.
    expect(row.run_at.getTime()).toBe(QUIET_END.getTime() + Math.round(0.9 * 29 * 2 * GAP_MS));
    // The queue brings it back early: its worker waits there for the slot and is claimed for it, where
    // the queue's own delay (or poll interval) would make it late, and every send behind it.
    expect(scheduler.pending()).toEqual([
      {
        actionId: last.id,
        contactId: last.contact_id,
        runAt: new Date(row.run_at.getTime() - 800),
        urgent: true,
      },
    ]);
  });

  it('a send its daily cap holds for another day, deferred by a worker that may wait before its sender has a pace, is tried at the caps’ instant (the line’s assumed pace is not stretched to the day)', async () => {
    const { clock, service, scheduler, actions, campaignIds } = await burst(3, { daily: 1 });
    clock.set(QUIET_END);
    const ids = actions.map((a) => a.id) as [string, string, string];
    await scheduler.cancel(ids);
    expect(await service.executeAction(ids[0])).toEqual({ outcome: 'sent' });
    // The last: one send ahead of it takes the next day's only slot; it gets the day after's.
    expect(await service.executeAction(ids[2])).toEqual({ outcome: 'deferred' });
    const entry = await database.db
      .selectFrom('campaign_transitions')
      .select(['reason', 'until_at'])
      .where('campaign_id', '=', campaignIds[2] as string)
      .where('kind', '=', 'deferred')
      .executeTakeFirstOrThrow();
    expect(entry.reason).toBe('sender_daily_cap');
    expect(entry.until_at?.getTime()).toBeGreaterThan(QUIET_END.getTime() + 86_400_000);
    const row = await database.db
      .selectFrom('scheduled_actions')
      .select('run_at')
      .where('id', '=', ids[2])
      .executeTakeFirstOrThrow();
    expect(row.run_at).toEqual(entry.until_at);
  });

  it('a process holds at most throttleMaxWaiting sends waiting behind others: the next one further than the wait less the lead goes back to the queue (no entry), a closer one waits anyway', async () => {
    const hold = { on: true, sleeping: [] as (() => void)[] };
    const n = 20;
    const { clock, service, scheduler, transport, actions, campaignIds } = await burst(n, {
      throttleMaxWaiting: 1,
      hold,
    });
    clock.set(QUIET_END);
    const ids = actions.map((a) => a.id);
    const id = (i: number) => ids[i] as string;
    await scheduler.cancel(ids);
    expect(await service.executeAction(id(0))).toEqual({ outcome: 'sent' });
    const sleepers = async (count: number) => {
      while (hold.sleeping.length < count) await new Promise((resolve) => setImmediate(resolve));
    };
    // The second's job is still in the queue; the third waits behind it (the one waiting place).
    const waiting = [service.executeAction(id(2))];
    await sleepers(1);
    // The last finds no place: its slot (950 ms after the first send) is further than the wait less the
    // lead (800 ms), so it goes back to the queue, to come back 800 ms before the slot.
    expect(await service.executeAction(id(n - 1))).toEqual({ outcome: 'not_due' });
    expect(scheduler.pending()).toEqual([
      {
        actionId: id(n - 1),
        contactId: actions[n - 1]?.contact_id,
        runAt: new Date(QUIET_END.getTime() + (n - 1) * GAP_MS - 800),
        urgent: true,
      },
    ]);
    // The fourth's slot (150 ms) is closer: back in the queue it would be due at once, behind every job
    // due meanwhile. It waits although the place is taken.
    waiting.push(service.executeAction(id(3)));
    await sleepers(2);
    expect(scheduler.pending()).toHaveLength(1);
    hold.on = false;
    for (const resume of hold.sleeping.splice(0)) resume();
    for (let i = 1; i < n; i++) if (i !== 2 && i !== 3) await service.executeAction(id(i));
    expect(await Promise.all(waiting)).toEqual([{ outcome: 'sent' }, { outcome: 'sent' }]);
    expect(transport.sent).toHaveLength(n);
    const claims = await claimsOf(ids);
    expect(claims.map((c) => c.action_id)).toEqual(ids);
    expect(await deferralsOf(campaignIds)).toEqual([]);
  });

  it('a line whose next send is away (deferred to come back later than the line reaches it): the send waiting behind it brings it forward, and all go in due order, nothing recorded but the away send’s own deferral', async () => {
    const hold = { on: false, sleeping: [] as (() => void)[] };
    const { clock, service, scheduler, transport, actions, campaignIds } = await burst(3, { hold });
    clock.set(QUIET_END);
    const ids = actions.map((a) => a.id) as [string, string, string];
    await scheduler.cancel(ids);
    expect(await service.executeAction(ids[0])).toEqual({ outcome: 'sent' });
    // The second is away for a minute, as a paced retry the line outran leaves it: its row says so, and
    // no worker holds its job.
    await deferAway(ids[1], { store, scheduler, clock });
    await scheduler.cancel(ids);
    hold.on = true;
    const third = service.executeAction(ids[2]);
    const pulled = () => scheduler.pending().find((j) => j.actionId === ids[1]);
    // The third waits with one send ahead that does not move; after a quarter of its wait (250 ms) it
    // brings it forward.
    const waitStarted = clock.now().getTime();
    for (let i = 0; i < 500 && !pulled(); i++) {
      while (hold.sleeping.length === 0) await new Promise((resolve) => setImmediate(resolve));
      (hold.sleeping.shift() as () => void)();
      while (hold.sleeping.length === 0 && !pulled()) await new Promise((resolve) => setImmediate(resolve));
    }
    const job = pulled();
    expect(job).toMatchObject({ actionId: ids[1], urgent: true });
    expect(clock.now().getTime() - waitStarted).toBeGreaterThanOrEqual(250);
    const row = await database.db
      .selectFrom('scheduled_actions')
      .select('run_at')
      .where('id', '=', ids[1])
      .executeTakeFirstOrThrow();
    expect(row.run_at.getTime()).toBe(job?.runAt.getTime());
    expect(row.run_at.getTime()).toBeLessThanOrEqual(clock.now().getTime());
    // Its job runs; the third goes after it.
    hold.on = false;
    for (const resume of hold.sleeping.splice(0)) resume();
    expect(await service.executeAction(ids[1])).toEqual({ outcome: 'sent' });
    expect(await third).toEqual({ outcome: 'sent' });
    expect(transport.sent).toHaveLength(3);
    const claims = await claimsOf(ids);
    expect(claims.map((c) => c.action_id)).toEqual(ids);
    const instants = claims.map((c) => c.claimed_at?.getTime() ?? Number.NaN);
    expect(instants.slice(1).filter((t, i) => !(t - (instants[i] as number) >= GAP_MS))).toEqual([]);
    expect(await deferralsOf(campaignIds)).toEqual([
      { campaign_id: campaignIds[1], reason: 'sender_min_gap' },
    ]);
  });

  it('a send deferred behind an away head (deferred to come back later than the line reaches it) brings the head forward: its job runs now', async () => {
    const { clock, service, scheduler, actions } = await burst(30);
    clock.set(QUIET_END);
    const ids = actions.map((a) => a.id);
    await scheduler.cancel(ids);
    expect(await service.executeAction(ids[0] as string)).toEqual({ outcome: 'sent' });
    await deferAway(ids[1] as string, { store, scheduler, clock });
    await scheduler.cancel(ids);
    // The last in due order: 28 sends ahead, its slot further than the wait: deferred.
    expect(await service.executeAction(ids[29] as string)).toEqual({ outcome: 'deferred' });
    const now = clock.now();
    expect(scheduler.pending().find((j) => j.actionId === ids[1])).toEqual({
      actionId: ids[1],
      contactId: actions[1]?.contact_id,
      runAt: now,
      urgent: true,
    });
    const row = await database.db
      .selectFrom('scheduled_actions')
      .select('run_at')
      .where('id', '=', ids[1] as string)
      .executeTakeFirstOrThrow();
    expect(row.run_at).toEqual(now);
    // Only the away head: the next send ahead is due now (tried within the wait), so the pull stops there.
    expect(
      scheduler
        .pending()
        .map((j) => j.actionId)
        .sort(),
    ).toEqual([ids[1], ids[29]].sort());
  });

  it('a paced retry whose job is back within the wait is claimed for the slot its caps give it now (one gap after the send ahead), not for its later runAt: the line went faster than the retry’s estimate', async () => {
    const { clock, service, scheduler, actions, campaignIds } = await burst(2);
    clock.set(QUIET_END);
    const ids = actions.map((a) => a.id) as [string, string];
    await scheduler.cancel(ids);
    expect(await service.executeAction(ids[0])).toEqual({ outcome: 'sent' });
    // Deferred by the min gap, then its retry 900 ms away (within the 1 s wait): its job is back now.
    await deferAway(ids[1], { store, scheduler, clock }, 900);
    await scheduler.cancel(ids);
    expect(await service.executeAction(ids[1])).toEqual({ outcome: 'sent' });
    const [first, second] = (await claimsOf(ids)).map((c) => c.claimed_at?.getTime() ?? Number.NaN);
    expect(second).toBe((first as number) + GAP_MS);
    // No entry for it: only the deferral that moved it.
    expect(await deferralsOf(campaignIds)).toEqual([
      { campaign_id: campaignIds[1], reason: 'sender_min_gap' },
    ]);
  });

  it('a send whose runAt is later for another reason than its sender’s caps (never deferred by them) is claimed for its runAt, even with its job back early and the caps free', async () => {
    const { clock, service, scheduler, actions } = await burst(1);
    clock.set(QUIET_END);
    const id = (actions[0] as { id: string }).id;
    await scheduler.cancel([id]);
    const runAt = new Date(QUIET_END.getTime() + 900);
    await database.db.updateTable('scheduled_actions').set({ run_at: runAt }).where('id', '=', id).execute();
    expect(await service.executeAction(id)).toEqual({ outcome: 'sent' });
    expect((await claimsOf([id]))[0]?.claimed_at).toEqual(runAt);
  });

  it('a send waiting behind a send that does not go watches the line by counting the sends ahead, not by claiming again: one claim transaction to start waiting, one when it gives up (deferred)', async () => {
    // The throttle reads of each transaction the waiting service runs, and its line reads, by name.
    const reads: string[] = [];
    const named = <T extends object>(target: T): T =>
      new Proxy(target, {
        get: (inner, method) => {
          const f = Reflect.get(inner, method);
          return typeof f !== 'function'
            ? f
            : (...args: unknown[]) => {
                reads.push(String(method));
                return f.apply(inner, args);
              };
        },
      });
    const counting: CampaignStore = {
      read: new Proxy(store.read, {
        get: (target, key) => (key === 'lines' ? named(target.lines) : Reflect.get(target, key)),
      }),
      transaction: (work, options) =>
        store.transaction(
          (tx) =>
            work(
              new Proxy(tx, {
                get: (target, key) =>
                  key === 'throttle' ? named(target.throttle) : Reflect.get(target, key),
              }),
            ),
          options,
        ),
    };
    const { clock, service, scheduler, actions, campaignIds } = await burst(3, { via: counting });
    clock.set(QUIET_END);
    const ids = actions.map((a) => a.id) as [string, string, string];
    await scheduler.cancel(ids);
    expect(await service.executeAction(ids[0])).toEqual({ outcome: 'sent' });
    reads.length = 0;
    // The second is due and pending, but no worker runs it: the third waits behind it, then gives up.
    expect(await service.executeAction(ids[2])).toEqual({ outcome: 'deferred' });
    const count = (name: string) => reads.filter((r) => r === name).length;
    expect(count('senderState')).toBe(2);
    // Every 10 ms for the five waits (5 s) it may watch a line that does not move.
    expect(count('sendsAhead')).toBeGreaterThanOrEqual(400);
    expect(await deferralsOf([campaignIds[2] as string])).toEqual([
      { campaign_id: campaignIds[2], reason: 'sender_min_gap' },
    ]);
  });

  it('a claimed send keeps its line’s next sends at hand: the one right behind it, deferred by the caps to come back later than the line reaches it, runs now (an urgent job); one tried later for another reason is left', async () => {
    const { clock, service, scheduler, actions } = await burst(3);
    clock.set(QUIET_END);
    const ids = actions.map((a) => a.id) as [string, string, string];
    await scheduler.cancel(ids);
    // The second: deferred by the min gap (the first is ahead), its retry a minute away.
    await deferAway(ids[1], { store, scheduler, clock });
    // The third: a minute away with no deferral of its caps (as a transport retry's backoff leaves it).
    const away = new Date(QUIET_END.getTime() + 60_000);
    await database.db
      .updateTable('scheduled_actions')
      .set({ run_at: away })
      .where('id', '=', ids[2])
      .execute();
    await scheduler.cancel(ids);
    expect(await service.executeAction(ids[0])).toEqual({ outcome: 'sent' });
    const now = clock.now();
    expect(scheduler.pending()).toEqual([
      { actionId: ids[1], contactId: actions[1]?.contact_id, runAt: now, urgent: true },
    ]);
    const rows = await database.db
      .selectFrom('scheduled_actions')
      .select(['id', 'run_at'])
      .where('id', 'in', [ids[1], ids[2]])
      .execute();
    expect(new Map(rows.map((r) => [r.id, r.run_at]))).toEqual(
      new Map([
        [ids[1], now],
        [ids[2], away],
      ]),
    );
  });

  it('a claimed send whose pull of the sends behind it fails still goes: the claim is committed, the pull only an optimization', async () => {
    const failing: CampaignStore = {
      read: new Proxy(store.read, {
        get: (target, key) =>
          key === 'lines'
            ? new Proxy(target.lines, {
                get: (lines, method) =>
                  method === 'lineBehind'
                    ? () => Promise.reject(new Error('connection lost'))
                    : Reflect.get(lines, method),
              })
            : Reflect.get(target, key),
      }),
      transaction: (work, options) => store.transaction(work, options),
    };
    const { clock, service, scheduler, transport, actions } = await burst(2, { via: failing });
    clock.set(QUIET_END);
    const ids = actions.map((a) => a.id) as [string, string];
    await scheduler.cancel(ids);
    expect(await service.executeAction(ids[0])).toEqual({ outcome: 'sent' });
    expect(transport.sent).toHaveLength(1);
  });

  it('a send sleeping until its slot holds no action permit: with one permit, the send it waits for still runs', async () => {
    const hold = { on: true, sleeping: [] as (() => void)[] };
    const { clock, service, scheduler, transport, actions } = await burst(3, { actionConcurrency: 1, hold });
    clock.set(QUIET_END);
    const ids = actions.map((a) => a.id) as [string, string, string];
    await scheduler.cancel(ids);
    expect(await service.executeAction(ids[0])).toEqual({ outcome: 'sent' });
    // The third sleeps behind the second; the second (its job delivered meanwhile) takes the one permit.
    const third = service.executeAction(ids[2]);
    while (hold.sleeping.length === 0) await new Promise((resolve) => setImmediate(resolve));
    hold.on = false;
    expect(await service.executeAction(ids[1])).toEqual({ outcome: 'sent' });
    (hold.sleeping.shift() as () => void)();
    expect(await third).toEqual({ outcome: 'sent' });
    expect(transport.sent).toHaveLength(3);
  });

  it('eight workers in due order: the waiting sends watch the ones ahead go and none is deferred', async () => {
    const n = 24;
    const { clock, service, transport, actions, campaignIds } = await burst(n);
    clock.set(QUIET_END);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < actions.length) {
          const id = (actions[next++] as { id: string }).id;
          expect(await service.executeAction(id)).toEqual({ outcome: 'sent' });
        }
      }),
    );
    expect(transport.sent).toHaveLength(n);
    const claims = await claimsOf(actions.map((a) => a.id));
    expect(claims.map((c) => c.action_id)).toEqual(actions.map((a) => a.id));
    const instants = claims.map((c) => c.claimed_at?.getTime() ?? Number.NaN);
    expect(instants.slice(1).filter((t, i) => !(t - (instants[i] as number) >= GAP_MS))).toEqual([]);
    expect(await deferralsOf(campaignIds)).toEqual([]);
  });

  // Virtual time, real Postgres: every count a waiting send makes while its line stalls (5 s of virtual time,
  // 10 ms apart, eight workers) is a statement: about 30 s here, more on a loaded machine.
  it('eight workers, latest due first: waiting sends whose predecessors do not move give up their slot, and all go in due order, a gap apart', async () => {
    const n = 30;
    const { clock, service, transport, actions, campaignIds } = await burst(n);
    clock.set(QUIET_END);
    const runAll = async (ids: string[]) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < ids.length) await service.executeAction(ids[next++] as string);
        }),
      );
    };
    // Latest due first: the first eight wait for sends that no worker runs yet, then are deferred.
    await runAll([...actions].reverse().map((a) => a.id));
    for (let round = 0; round < n; round++) {
      const pending = await database.db
        .selectFrom('scheduled_actions')
        .select(['id', 'run_at'])
        .where(
          'id',
          'in',
          actions.map((a) => a.id),
        )
        .where('status', '=', 'pending')
        .orderBy('run_at')
        .execute();
      if (pending.length === 0) break;
      const at = Math.max(clock.now().getTime(), (pending[0] as { run_at: Date }).run_at.getTime());
      clock.set(new Date(at));
      await runAll(pending.filter((p) => p.run_at.getTime() <= at).map((p) => p.id));
    }
    expect(transport.sent).toHaveLength(n);
    const claims = await claimsOf(actions.map((a) => a.id));
    expect(claims.map((c) => c.action_id)).toEqual(actions.map((a) => a.id));
    const instants = claims.map((c) => c.claimed_at?.getTime() ?? Number.NaN);
    expect(instants.slice(1).filter((t, i) => !(t - (instants[i] as number) >= GAP_MS))).toEqual([]);
    // Some did give up (recorded min-gap deferrals), none for another reason.
    const deferrals = await deferralsOf(campaignIds);
    expect(deferrals.length).toBeGreaterThan(0);
    expect(new Set(deferrals.map((d) => d.reason))).toEqual(new Set(['sender_min_gap']));
  }, 120_000);
});
