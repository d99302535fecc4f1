import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { oneSendPlan } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, manualEngine, type TestDatabase, type TestDatabaseKind } from './testing.ts';

/*
 * The emergency stop (DESIGN section 11): while sending is disabled every due send is held (pending, a
 * `deferred` entry with reason `emergency_stop` and `until` null, recorded once), no transport is called;
 * enabling releases the held sends, oldest due first, through the claim as any due send (quiet hours,
 * expiry).
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');
const MIN = 60_000;

describe.each<TestDatabaseKind>(['postgres', 'pglite'])('emergency stop on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  async function engineAt(at: Date) {
    const engine = manualEngine(store, at);
    await engine.scheduler.start(async (id) => {
      await engine.service.executeAction(id);
    });
    return engine;
  }

  const contact = () => ({ email: `${randomUUID()}@example.com`, name: 'Ada' });

  it('answers enabled with since null before anything was set, and moves since only on a change', async () => {
    const { service, clock } = await engineAt(T0);
    expect(await service.sending.get()).toEqual({ enabled: true, since: null });
    expect(await service.sending.set(true)).toEqual({ enabled: true, since: null });
    clock.set(new Date(T0.getTime() + MIN));
    expect(await service.sending.set(false)).toEqual({ enabled: false, since: new Date(T0.getTime() + MIN) });
    clock.set(new Date(T0.getTime() + 2 * MIN));
    // Disabling twice keeps the first instant: the stop began then.
    expect(await service.sending.set(false)).toEqual({ enabled: false, since: new Date(T0.getTime() + MIN) });
    expect(await service.sending.get()).toEqual({ enabled: false, since: new Date(T0.getTime() + MIN) });
    clock.set(new Date(T0.getTime() + 3 * MIN));
    expect(await service.sending.set(true)).toEqual({
      enabled: true,
      since: new Date(T0.getTime() + 3 * MIN),
    });
  });

  it('holds due sends without calling the transport, records the hold once, and releases them in due order', async () => {
    const { service, clock, scheduler, transport } = await engineAt(T0);
    await service.sending.set(false);
    const first = await service.persistPlan({ contact: contact(), plan: oneSendPlan({ subject: 'first' }) });
    await scheduler.runDue();
    clock.set(new Date(T0.getTime() + MIN));
    const second = await service.persistPlan({
      contact: contact(),
      plan: oneSendPlan({ subject: 'second' }),
    });
    await scheduler.advanceTo(new Date(T0.getTime() + 2 * MIN));
    expect(transport.sent).toEqual([]);

    // Run again (as the reconcile loop would): still held, still one entry.
    const pendingBefore = await service.getCampaign(first.campaign.id);
    const actionId = pendingBefore.pendingActions[0]?.id;
    expect(actionId).toBeDefined();
    expect(await service.executeAction(actionId as string)).toEqual({ outcome: 'deferred' });
    await service.actions.reconcileOverdue(0);
    await scheduler.runDue();
    expect(transport.sent).toEqual([]);

    const held = await service.getCampaign(first.campaign.id);
    expect(held.campaign.state.status).toBe('active');
    expect(held.pendingActions.map((a) => [a.kind, a.runAt.toISOString()])).toEqual([
      ['send', T0.toISOString()],
    ]);
    expect(held.timeline.filter((e) => e.kind === 'deferred')).toEqual([
      { at: T0.toISOString(), kind: 'deferred', node: 'intro', until: null, reason: 'emergency_stop' },
    ]);
    expect(held.timeline.some((e) => e.kind === 'send')).toBe(false);

    clock.set(new Date(T0.getTime() + 10 * MIN));
    const queued = await service.sending.set(true);
    expect(queued.enabled).toBe(true);
    await scheduler.runDue();
    // Only this test's two campaigns were held in this database at this point in the file.
    expect(transport.sent.map((m) => m.subject)).toEqual(['first', 'second']);
    for (const { campaign } of [first, second]) {
      const done = await service.getCampaign(campaign.id);
      expect(done.campaign.state.status).toBe('completed');
      const send = done.timeline.find((e) => e.kind === 'send');
      expect(send).toMatchObject({ at: new Date(T0.getTime() + 10 * MIN).toISOString() });
    }
  });

  it('on release a held send obeys quiet hours (deferred to their end) and expiry (skipped, stopped)', async () => {
    const { service, clock, scheduler, transport } = await engineAt(T0);
    await service.sending.set(false);
    const quiet: Plan = {
      ...oneSendPlan({ subject: 'quiet' }),
      quietHours: { start: '21:00', end: '07:30' },
    };
    const expiring: Plan = {
      version: '1.1',
      timezone: 'UTC',
      startNodeId: 'intro',
      nodes: [
        {
          id: 'intro',
          action: 'send',
          subject: 'expiring',
          body: '<p>Hi</p>',
          schedule: { expireAfter: 'PT2H' },
          transitions: [],
        },
      ],
    };
    const q = await service.persistPlan({ contact: contact(), plan: quiet });
    const e = await service.persistPlan({ contact: contact(), plan: expiring });
    await scheduler.runDue();
    // Released at 22:00 UTC: inside quiet hours, and 12 hours after the expiring send's due time.
    clock.set(new Date('2026-03-02T22:00:00.000Z'));
    await service.sending.set(true);
    await scheduler.runDue();
    expect(transport.sent).toEqual([]);

    const quietView = await service.getCampaign(q.campaign.id);
    expect(quietView.timeline.filter((x) => x.kind === 'deferred')).toEqual([
      { at: T0.toISOString(), kind: 'deferred', node: 'intro', until: null, reason: 'emergency_stop' },
      {
        at: '2026-03-02T22:00:00.000Z',
        kind: 'deferred',
        node: 'intro',
        until: '2026-03-03T07:30:00.000Z',
        reason: 'quiet_hours',
      },
    ]);
    const expiredView = await service.getCampaign(e.campaign.id);
    expect(expiredView.campaign.state).toMatchObject({ status: 'stopped', stopReason: 'send_expired' });

    await scheduler.advanceTo(new Date('2026-03-03T07:30:00.000Z'));
    expect(transport.sent.map((m) => m.subject)).toEqual(['quiet']);
  });
  // Last: the sender it creates is assigned to every campaign created after it (least-loaded sender).
  it('released sends are throttled: over the sender cap they are deferred to the next allowed day, in due order', async () => {
    const { service, clock, scheduler, transport } = await engineAt(T0);
    const sender = await service.senders.create({
      id: `snd_${randomUUID().slice(0, 8)}`,
      channel: 'email',
      from: 'Ada <ada@acme.example>',
      timezone: 'UTC',
      caps: { daily: 1 },
    });
    await service.sending.set(false);
    const started: string[] = [];
    for (const subject of ['one', 'two']) {
      const { campaign } = await service.persistPlan({
        contact: contact(),
        plan: oneSendPlan({ subject }),
        senderIds: { email: sender.id },
      });
      started.push(campaign.id);
      await scheduler.runDue();
      clock.set(new Date(clock.now().getTime() + MIN));
    }
    await service.sending.set(true);
    await scheduler.runDue();
    // One slot today: the earlier due send takes it, the other waits for the next local day.
    expect(transport.sent.map((m) => m.subject)).toEqual(['one']);
    const waiting = await service.getCampaign(started[1] as string);
    expect(waiting.timeline.filter((e) => e.kind === 'deferred').map((e) => e.reason)).toEqual([
      'emergency_stop',
      'sender_daily_cap',
    ]);
    expect(waiting.pendingActions.map((a) => a.runAt.toISOString())).toEqual(['2026-03-03T00:00:00.000Z']);
    await scheduler.advanceTo(new Date('2026-03-03T00:00:00.000Z'));
    expect(transport.sent.map((m) => m.subject)).toEqual(['one', 'two']);
  });
});
