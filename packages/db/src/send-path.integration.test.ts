import { randomUUID } from 'node:crypto';
import {
  CampaignPlanExecutionService,
  type CampaignStore,
  type ExecutionObserver,
  type Plan,
  type StoreTransaction,
} from '@campaign/core';
import { InMemoryScheduler, ManualClock, noOpenBumpPlan, RecordingTransport } from '@campaign/core/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * The send path (DESIGN section 4 rule 4 and rule 3 at execution time): the send is claimed and
 * committed before the provider is called, the provider's acceptance is recorded on its own, and no
 * error after that acceptance ever sends the message again.
 */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const LEASE_MS = 120_000;
const RETRY_MS = 60_000;
const UNSUBSCRIBE = {
  baseUrl: 'https://engine.example/v1/unsubscribe',
  secret: 'unsubscribe-secret-for-tests',
};

const plan: Plan = noOpenBumpPlan();

const quietPlan: Plan = { ...plan, quietHours: { start: '21:00', end: '07:30' } };

/** A store that dies (every transaction throws) once the provider's acceptance is recorded: a crash between the two. */
class DiesAfterAcceptanceStore implements CampaignStore {
  readonly read;
  private readonly inner: CampaignStore;
  private dead = false;
  constructor(inner: CampaignStore) {
    this.inner = inner;
    this.read = inner.read;
  }
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    if (this.dead) return Promise.reject(new Error('process died after the acceptance (simulated)'));
    return this.inner.transaction((tx) =>
      work({
        ...tx,
        messages: new Proxy(tx.messages, {
          get: (target, property, receiver) =>
            property === 'markSent'
              ? async (...args: Parameters<typeof target.markSent>) => {
                  const marked = await target.markSent(...args);
                  this.dead = true;
                  return marked;
                }
              : Reflect.get(target, property, receiver),
        }),
      }),
    );
  }
}

/** Whether the scheduler holds a job for the action (the database is shared by the file's tests). */
function queued(scheduler: InMemoryScheduler, actionId: string): boolean {
  return scheduler.pending().some((job) => job.actionId === actionId);
}

describe.each(['postgres', 'pglite'] as const)('the send path on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  function worker(clock: ManualClock, scheduler: InMemoryScheduler, over: CampaignStore = store) {
    const transport = new RecordingTransport();
    const failures: Parameters<NonNullable<ExecutionObserver['sendFailed']>>[] = [];
    const service = new CampaignPlanExecutionService({
      store: over,
      scheduler,
      transport,
      clock,
      maxSendAttempts: 3,
      retryBaseDelayMs: RETRY_MS,
      sendClaimLeaseMs: LEASE_MS,
      unsubscribe: UNSUBSCRIBE,
      observer: { sendFailed: (...args) => failures.push(args) },
    });
    return { service, transport, failures };
  }

  async function started(campaignPlan: Plan = plan, at = T0) {
    const clock = new ManualClock(at);
    const scheduler = new InMemoryScheduler(clock);
    const w = worker(clock, scheduler);
    const contact = { id: randomUUID(), email: `${randomUUID()}@example.com` };
    const { campaign } = await w.service.persistPlan({ contact, plan: campaignPlan });
    const sendId = scheduler.pending()[0]?.actionId ?? '';
    return { clock, scheduler, ...w, campaign, sendId };
  }

  async function action(id: string) {
    return database.db
      .selectFrom('scheduled_actions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  async function messages(campaignId: string) {
    return database.db
      .selectFrom('outbound_messages')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .execute();
  }

  /** The stored plan's first timeout made unschedulable, past validation (as a plan stored before the bound was). */
  async function breakTimeout(campaignId: string, transition = 0) {
    await database.db
      .updateTable('contact_campaigns')
      .set({
        plan: sql`jsonb_set(plan, ${`{nodes,0,transitions,${transition},after}`}::text[], '"P300000Y"')`,
      })
      .where('id', '=', campaignId)
      .execute();
  }

  it('regression: an error after the provider accepted never sends again; the message stays sent, its unsubscribe link works, and the campaign stops (send_failed)', async () => {
    // On 6996e46 this error rolled the send back and every retry sent the email again, forever.
    const { clock, scheduler, service, transport, failures, campaign, sendId } = await started();
    await breakTimeout(campaign.id);
    expect(await service.executeAction(sendId)).toEqual({ outcome: 'retry' });
    expect(transport.sent).toHaveLength(1);
    const [message] = await messages(campaign.id);
    expect(message).toMatchObject({ status: 'sent', sent_at: T0 });
    expect(await action(sendId)).toMatchObject({ status: 'running', attempts: 1 });

    // the retries (and the reconcile loop) only redo the step after the send
    clock.advance(RETRY_MS);
    await service.reconcileOverdue(30_000);
    expect(queued(scheduler, sendId)).toBe(true);
    expect(await service.executeAction(sendId)).toEqual({ outcome: 'retry' });
    clock.advance(2 * RETRY_MS);
    expect(await service.executeAction(sendId)).toEqual({ outcome: 'failed' });
    expect(transport.attempts).toHaveLength(1);
    expect(await action(sendId)).toMatchObject({ status: 'failed', outcome: 'failed' });
    expect((await action(sendId)).last_error).toMatch(/Date range|invalid|outside/i);
    const view = await service.getCampaign(campaign.id);
    expect(view.campaign.state).toMatchObject({ status: 'stopped', stopReason: 'send_failed' });
    expect(view.pendingActions).toEqual([]);
    expect(view.timeline.at(-1)).toMatchObject({ kind: 'end', status: 'stopped', reason: 'send_failed' });
    expect(view.timeline.filter((e) => e.kind === 'send')).toHaveLength(1);
    expect(failures).toEqual([
      ['after_acceptance', expect.objectContaining({ actionId: sendId, campaignId: campaign.id })],
    ]);
    clock.advance(LEASE_MS * 10);
    await scheduler.cancel([sendId]);
    await service.reconcileOverdue(30_000);
    expect(queued(scheduler, sendId)).toBe(false);
    expect(await service.executeAction(sendId)).toEqual({ outcome: 'not_pending' });
    expect(transport.attempts).toHaveLength(1);

    // the message row survived: its one-click link unsubscribes the recipient
    const link = transport.sent[0]?.headers['List-Unsubscribe'] ?? '';
    const token = /\/([^/>]+)>/.exec(link)?.[1] ?? '';
    expect(await service.unsubscribeByToken(token)).toMatchObject({ status: 'accepted' });
    const contact = await database.db
      .selectFrom('contacts')
      .select(['suppressed_at', 'suppression_reason'])
      .where('id', '=', campaign.contactId)
      .executeTakeFirstOrThrow();
    expect(contact.suppression_reason).toBe('unsubscribed');
  });

  it('a refused send is retried with backoff, then fails the action and stops the campaign (send_failed) after the last attempt', async () => {
    const { clock, service, transport, failures, campaign, sendId } = await started();
    transport.failNext(3);
    expect(await service.executeAction(sendId)).toEqual({ outcome: 'retry' });
    expect(await action(sendId)).toMatchObject({
      status: 'pending',
      attempts: 1,
      run_at: new Date(T0.getTime() + RETRY_MS),
    });
    clock.advance(RETRY_MS);
    expect(await service.executeAction(sendId)).toEqual({ outcome: 'retry' });
    expect((await action(sendId)).run_at).toEqual(new Date(T0.getTime() + 3 * RETRY_MS));
    clock.advance(2 * RETRY_MS);
    expect(await service.executeAction(sendId)).toEqual({ outcome: 'failed' });
    expect(transport.attempts).toHaveLength(3);
    expect(transport.sent).toEqual([]);
    expect(new Set(transport.attempts.map((m) => m.messageIdHeader)).size).toBe(1);
    expect((await service.getCampaign(campaign.id)).campaign.state).toMatchObject({
      status: 'stopped',
      stopReason: 'send_failed',
    });
    expect(failures.map(([stage]) => stage)).toEqual(['transport']);
  });

  it('no lock is held while the provider has the message: an unsubscribe commits meanwhile and stops everything after it', async () => {
    const { service, transport, campaign, sendId } = await started();
    const hold = transport.holdNext();
    const send = service.executeAction(sendId);
    await hold.reached;
    expect(await action(sendId)).toMatchObject({ status: 'running' });
    expect((await messages(campaign.id))[0]).toMatchObject({ status: 'sending' });
    // would wait for the send's lock on 6996e46 (the send held the campaign row during the call)
    const unsubscribe = await service.recordEvent({
      provider: 'test',
      providerEventId: 'unsub-in-flight',
      contactId: campaign.contactId,
      type: 'unsubscribed',
      occurredAt: T0,
    });
    expect(unsubscribe).toMatchObject({ status: 'accepted', effect: 'exit' });
    hold.release();
    expect(await send).toEqual({ outcome: 'sent' });
    const view = await service.getCampaign(campaign.id);
    expect(view.campaign.state).toMatchObject({ status: 'stopped', stopReason: 'unsubscribed' });
    expect(view.pendingActions).toEqual([]);
    expect((await messages(campaign.id))[0]).toMatchObject({ status: 'sent' });
  });

  it('a worker that stalls mid-send past its lease: the reconcile loop sends once more with the same Message-ID, and the stalled worker coming back changes nothing', async () => {
    const { clock, scheduler, service, transport, campaign, sendId } = await started();
    const hold = transport.holdNext();
    const stalled = service.executeAction(sendId); // renews nothing for a whole lease (a frozen process)
    const first = await hold.reached;
    const other = worker(clock, scheduler);
    await scheduler.start((id) => other.service.executeAction(id).then(() => undefined));
    await scheduler.runDue(); // the job delivered again (a stalled job) finds the send claimed
    expect(other.transport.attempts).toEqual([]);
    clock.advance(LEASE_MS - 1);
    await other.service.reconcileOverdue(60_000);
    expect(queued(scheduler, sendId)).toBe(false);
    clock.advance(1);
    await other.service.reconcileOverdue(60_000);
    expect(queued(scheduler, sendId)).toBe(true);
    await scheduler.runDue();
    expect(other.transport.sent.map((m) => m.messageIdHeader)).toEqual([first.messageIdHeader]);
    expect(await messages(campaign.id)).toHaveLength(1);
    expect(await action(sendId)).toMatchObject({ status: 'done', outcome: 'sent' });
    const view = await other.service.getCampaign(campaign.id);
    expect(view.pendingActions).toEqual([expect.objectContaining({ kind: 'timeout', event: 'no_open' })]);

    // the stalled worker's provider call returns at last: its late record and step find the takeover's
    hold.release();
    expect(await stalled).toEqual({ outcome: 'not_pending' });
    expect(await messages(campaign.id)).toEqual([expect.objectContaining({ status: 'sent' })]);
    expect((await other.service.getCampaign(campaign.id)).pendingActions).toEqual(view.pendingActions);
  });

  it('a live worker renews its claim while the provider has the message: no takeover however slow the call', async () => {
    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    const shortLease = 1_500; // renewed every second (real time)
    const transport = new RecordingTransport();
    const slow = new CampaignPlanExecutionService({
      store,
      scheduler,
      transport,
      clock,
      sendClaimLeaseMs: shortLease,
    });
    const contact = { id: randomUUID(), email: `${randomUUID()}@example.com` };
    const { campaign } = await slow.persistPlan({ contact, plan });
    const sendId = scheduler.pending()[0]?.actionId ?? '';
    const hold = transport.holdNext();
    const sending = slow.executeAction(sendId);
    await hold.reached;
    clock.advance(1_000);
    // one renewal (its timer runs on real time, every second): wait until the row says claimed until T0 + 2.5 s
    const renewed = T0.getTime() + 2_500;
    for (const end = Date.now() + 5_000; (await action(sendId)).claimed_until?.getTime() !== renewed; ) {
      if (Date.now() > end) throw new Error('the claim was never renewed to T0 + 2.5 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    clock.advance(1_000); // past the first lease (T0 + 1.5 s)
    const other = worker(clock, scheduler);
    expect(await other.service.executeAction(sendId)).toEqual({ outcome: 'not_pending' });
    expect(other.transport.attempts).toEqual([]);
    hold.release();
    expect(await sending).toEqual({ outcome: 'sent' });
    expect(await messages(campaign.id)).toEqual([expect.objectContaining({ status: 'sent' })]);
  });

  it('a takeover that finds the campaign paused gives the send back; it goes once at resume, with the same Message-ID', async () => {
    const { clock, scheduler, service, transport, campaign, sendId } = await started();
    const hold = transport.holdNext();
    void service.executeAction(sendId); // this worker never comes back
    const first = await hold.reached;
    await service.pause(campaign.id);
    clock.advance(LEASE_MS);
    const other = worker(clock, scheduler);
    expect(await other.service.executeAction(sendId)).toEqual({ outcome: 'deferred' });
    expect(await action(sendId)).toMatchObject({ status: 'pending', claimed_until: null });
    expect((await messages(campaign.id))[0]).toMatchObject({ status: 'failed' });
    await other.service.resume(campaign.id);
    await scheduler.start((id) => other.service.executeAction(id).then(() => undefined));
    await scheduler.runDue();
    expect(other.transport.sent.map((m) => m.messageIdHeader)).toEqual([first.messageIdHeader]);
    expect(await action(sendId)).toMatchObject({ status: 'done', outcome: 'sent' });
  });

  it('an event that arrives while the step after the send is retried is not lost: the step replays it', async () => {
    const clickPlan: Plan = {
      ...plan,
      nodes: [
        {
          id: 'intro',
          action: 'send',
          subject: 'Hello',
          body: 'Hi',
          transitions: [
            { on: 'opened', to: 'opened_end', within: 'PT72H' },
            { on: 'no_open', to: 'bump', after: 'PT72H' },
          ],
        },
        { id: 'opened_end', action: 'end' },
        { id: 'bump', action: 'send', subject: 'Bump', body: 'Still there?', transitions: [] },
      ],
    };
    const { clock, service, campaign, sendId } = await started(clickPlan);
    await breakTimeout(campaign.id, 1); // step 3 fails until the plan is repaired
    expect(await service.executeAction(sendId)).toEqual({ outcome: 'retry' });
    const [message] = await messages(campaign.id);
    const open = await service.recordEvent({
      provider: 'test',
      providerEventId: 'open-during-step-3',
      messageId: message?.id,
      type: 'opened',
      occurredAt: new Date(T0.getTime() + 1_000),
    });
    expect(open).toMatchObject({ status: 'accepted', effect: 'ignored' });
    await database.db
      .updateTable('contact_campaigns')
      .set({ plan: JSON.stringify(clickPlan) })
      .where('id', '=', campaign.id)
      .execute();
    clock.advance(RETRY_MS);
    expect(await service.executeAction(sendId)).toEqual({ outcome: 'sent' });
    const view = await service.getCampaign(campaign.id);
    expect(view.campaign.state).toMatchObject({ status: 'completed', currentNodeId: 'opened_end' });
    expect(view.timeline).toContainEqual(
      expect.objectContaining({ kind: 'transition', from: 'intro', to: 'opened_end', on: 'opened' }),
    );
    const stored = await database.db
      .selectFrom('message_events')
      .select('effect')
      .where('provider_event_id', '=', 'open-during-step-3')
      .executeTakeFirstOrThrow();
    expect(stored.effect).toBe('transition');
  });

  it('a worker that dies after the acceptance was recorded: the takeover finishes the step and sends nothing', async () => {
    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    const dying = worker(clock, scheduler, new DiesAfterAcceptanceStore(store));
    const contact = { id: randomUUID(), email: `${randomUUID()}@example.com` };
    const { campaign } = await worker(clock, scheduler).service.persistPlan({ contact, plan });
    const sendId = scheduler.pending()[0]?.actionId ?? '';
    await expect(dying.service.executeAction(sendId)).rejects.toThrow(/process died/);
    expect(dying.transport.sent).toHaveLength(1);
    expect((await messages(campaign.id))[0]).toMatchObject({ status: 'sent' });
    expect(await action(sendId)).toMatchObject({ status: 'running' });

    const other = worker(clock, scheduler);
    clock.advance(LEASE_MS);
    await scheduler.cancel([sendId]);
    await other.service.reconcileOverdue(60_000);
    expect(queued(scheduler, sendId)).toBe(true);
    expect(await other.service.executeAction(sendId)).toEqual({ outcome: 'sent' });
    expect(other.transport.attempts).toEqual([]);
    const view = await other.service.getCampaign(campaign.id);
    expect(view.campaign.state.anchorAt).toEqual(T0);
    expect(view.pendingActions).toEqual([
      expect.objectContaining({ kind: 'timeout', runAt: new Date(T0.getTime() + 72 * 3_600_000) }),
    ]);
  });

  describe('rule 3 when the send executes (quiet hours 21:00-07:30 UTC)', () => {
    const quietAt = new Date('2026-01-05T23:00:00.000Z');
    const quietEnd = new Date('2026-01-06T07:30:00.000Z');

    async function expectDeferred(ctx: Awaited<ReturnType<typeof started>>, at: Date): Promise<void> {
      const attemptsBefore = ctx.transport.attempts.length;
      expect(await ctx.service.executeAction(ctx.sendId)).toEqual({ outcome: 'deferred' });
      expect(ctx.transport.attempts).toHaveLength(attemptsBefore);
      expect(await action(ctx.sendId)).toMatchObject({ status: 'pending', run_at: quietEnd });
      const view = await ctx.service.getCampaign(ctx.campaign.id);
      expect(view.timeline).toContainEqual({
        at: at.toISOString(),
        kind: 'deferred',
        node: 'intro',
        until: quietEnd.toISOString(),
        reason: 'quiet_hours',
      });
      expect(ctx.scheduler.pending()).toContainEqual({
        actionId: ctx.sendId,
        contactId: ctx.campaign.contactId,
        runAt: quietEnd,
      });
      ctx.clock.set(quietEnd);
      expect(await ctx.service.executeAction(ctx.sendId)).toEqual({ outcome: 'sent' });
      expect(ctx.transport.sent).toHaveLength(1);
    }

    it('regression: a send run late after an outage is not sent at 23:00 but at the end of quiet hours', async () => {
      const ctx = await started(quietPlan);
      ctx.clock.set(quietAt);
      await expectDeferred(ctx, quietAt);
    });

    it('regression: a retry that falls due in quiet hours is deferred', async () => {
      const ctx = await started(quietPlan, new Date('2026-01-05T20:59:30.000Z'));
      ctx.transport.failNext(1);
      expect(await ctx.service.executeAction(ctx.sendId)).toEqual({ outcome: 'retry' });
      const retryAt = new Date('2026-01-05T21:00:30.000Z');
      ctx.clock.set(retryAt);
      await expectDeferred(ctx, retryAt);
    });

    it('regression: a send the reconcile loop queues in quiet hours is deferred', async () => {
      const ctx = await started(quietPlan);
      ctx.clock.set(quietAt);
      await ctx.scheduler.cancel([ctx.sendId]); // the job was lost (a flushed Redis)
      await ctx.service.reconcileOverdue(60_000);
      expect(queued(ctx.scheduler, ctx.sendId)).toBe(true);
      await ctx.scheduler.start((id) => ctx.service.executeAction(id).then(() => undefined));
      expect(await ctx.scheduler.runDue()).toBeGreaterThanOrEqual(1);
      expect(ctx.transport.attempts).toEqual([]);
      expect(await action(ctx.sendId)).toMatchObject({ status: 'pending', run_at: quietEnd });
      await expectDeferredEntry(ctx, quietAt);
    });

    it('a send resumed in quiet hours goes at the end of quiet hours', async () => {
      const ctx = await started(quietPlan);
      await ctx.service.pause(ctx.campaign.id);
      ctx.clock.set(quietAt);
      expect(await ctx.service.executeAction(ctx.sendId)).toEqual({ outcome: 'deferred' });
      await ctx.service.resume(ctx.campaign.id);
      await ctx.scheduler.start((id) => ctx.service.executeAction(id).then(() => undefined));
      await ctx.scheduler.runDue();
      expect(ctx.transport.attempts).toEqual([]);
      expect(await action(ctx.sendId)).toMatchObject({ status: 'pending', run_at: quietEnd });
      await ctx.scheduler.advanceTo(quietEnd);
      expect(ctx.transport.sent.map((m) => m.subject)).toEqual(['Hello']);
    });

    async function expectDeferredEntry(ctx: Awaited<ReturnType<typeof started>>, at: Date) {
      const view = await ctx.service.getCampaign(ctx.campaign.id);
      expect(view.timeline.filter((e) => e.kind === 'deferred')).toEqual([
        {
          at: at.toISOString(),
          kind: 'deferred',
          node: 'intro',
          until: quietEnd.toISOString(),
          reason: 'quiet_hours',
        },
      ]);
    }
  });
});
