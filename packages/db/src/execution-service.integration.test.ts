import { randomUUID } from 'node:crypto';
import {
  CampaignPlanExecutionService,
  ContactSuppressedError,
  InvalidCampaignStateError,
  type Plan,
  PlanUpdateConflictError,
  PlanValidationError,
} from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/* The execution service on a real database: idempotency of every entry point, suppression, plan updates. */

const T0 = new Date('2026-01-05T10:00:00.000Z');

// Inline on purpose: this suite's rules read this exact plan (exitOn, the templates, the delayed bump,
// clicked ending at done), a shape no other test shares.
const plan: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'intro',
  exitOn: ['replied'],
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hello {{name|there}}',
      body: '<p>Hi {{name|there}} from {{company}}</p>',
      transitions: [
        { on: 'opened', to: 'wait', within: 'PT72H' },
        { on: 'no_open', to: 'bump', after: 'PT72H' },
      ],
    },
    {
      id: 'wait',
      action: 'wait',
      transitions: [
        { on: 'clicked', to: 'done' },
        { on: 'no_click', to: 'bump', after: 'PT48H' },
      ],
    },
    {
      id: 'bump',
      action: 'send',
      subject: 'Bump',
      body: 'Still there?',
      schedule: { delay: 'P1D' },
      transitions: [],
    },
    { id: 'done', action: 'end' },
  ],
};

describe.each(['postgres', 'pglite'] as const)('CampaignPlanExecutionService on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  function setup() {
    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    const transport = new RecordingTransport();
    const service = new CampaignPlanExecutionService({
      store,
      scheduler,
      transport,
      clock,
      retryBaseDelayMs: 60_000,
    });
    const contact = {
      id: randomUUID(),
      email: `${randomUUID()}@example.com`,
      name: 'Ada',
      attributes: { company: 'ACME' },
    };
    return { clock, scheduler, transport, service, contact };
  }

  async function count(
    table:
      | 'contact_campaigns'
      | 'scheduled_actions'
      | 'campaign_transitions'
      | 'outbound_messages'
      | 'message_events',
    campaignId?: string,
  ) {
    let query = database.db.selectFrom(table).select(sql<string>`count(*)`.as('n'));
    if (campaignId)
      query = query.where(table === 'contact_campaigns' ? 'id' : 'campaign_id', '=', campaignId);
    return Number((await query.executeTakeFirstOrThrow()).n);
  }

  /** Activates, sends the intro now and returns the ids involved. */
  async function sentIntro() {
    const ctx = setup();
    const { campaign } = await ctx.service.persistPlan({ contact: ctx.contact, plan });
    await ctx.scheduler.start(async (id) => {
      await ctx.service.executeAction(id);
    });
    expect(await ctx.scheduler.runDue()).toBe(1);
    const view = await ctx.service.getCampaign(campaign.id);
    const message = view.timeline.find((e) => e.kind === 'send');
    if (message?.kind !== 'send') throw new Error('intro not sent');
    return { ...ctx, campaign, messageId: message.message, view };
  }

  describe('persistPlan and activation (rule 1)', () => {
    it('stores, activates and schedules the first send', async () => {
      const { service, scheduler, contact } = setup();
      const { campaign, created } = await service.persistPlan({ contact, plan });
      expect(created).toBe(true);
      expect(campaign).toMatchObject({ status: 'active', currentNodeId: 'intro', step: 1, planVersion: 1 });
      const view = await service.getCampaign(campaign.id);
      expect(view.pendingActions).toEqual([
        expect.objectContaining({ kind: 'send', nodeId: 'intro', step: 1, runAt: T0 }),
      ]);
      // The job carries the action's contact, so the worker reads the action on its shard (DESIGN section 9).
      expect(scheduler.pending()).toEqual([
        { actionId: view.pendingActions[0]?.id, contactId: campaign.contactId, runAt: T0 },
      ]);
      expect(view.timeline).toEqual([{ at: T0.toISOString(), kind: 'enter', node: 'intro', step: 1 }]);
    });

    it('an invalid plan throws with every issue and stores nothing', async () => {
      const { service, contact } = setup();
      const before = await count('contact_campaigns');
      const broken = {
        ...plan,
        startNodeId: 'nowhere',
        nodes: plan.nodes.map((n) => (n.id === 'bump' ? { ...n, body: '' } : n)),
      };
      const error = await service.persistPlan({ contact, plan: broken }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PlanValidationError);
      expect((error as PlanValidationError).issues.map((i) => i.code).sort()).toEqual([
        'missing_content',
        'unknown_start_node',
      ]);
      expect(await count('contact_campaigns')).toBe(before);
    });

    it('a contact without a template variable is refused (missing_variable) and nothing is stored', async () => {
      const { service, contact } = setup();
      const before = await count('contact_campaigns');
      const error = await service
        .persistPlan({ contact: { ...contact, attributes: {} }, plan })
        .catch((e: unknown) => e);
      expect((error as PlanValidationError).issues).toEqual([
        expect.objectContaining({ code: 'missing_variable', path: '/nodes/0/body' }),
      ]);
      expect(await count('contact_campaigns')).toBe(before);
    });

    it('the same idempotency key returns the same campaign and creates nothing', async () => {
      const { service, contact } = setup();
      const first = await service.persistPlan({ contact, plan, idempotencyKey: 'req-1' });
      const again = await service.persistPlan({ contact, plan, idempotencyKey: 'req-1' });
      expect(again.created).toBe(false);
      expect(again.campaign.id).toBe(first.campaign.id);
      expect(await count('scheduled_actions', first.campaign.id)).toBe(1);
      expect(await count('campaign_transitions', first.campaign.id)).toBe(1);
    });

    it('initializeCampaignExecution activates a pending campaign once; re-running changes nothing', async () => {
      const { service, contact } = setup();
      const { campaign } = await service.persistPlan({ contact, plan, activate: false });
      expect(campaign.status).toBe('pending');
      expect(await count('scheduled_actions', campaign.id)).toBe(0);
      const active = await service.initializeCampaignExecution(campaign.id);
      const again = await service.initializeCampaignExecution(campaign.id);
      expect(active).toMatchObject({ status: 'active', step: 1 });
      expect(again).toEqual(active);
      expect(await count('scheduled_actions', campaign.id)).toBe(1);
      expect(await count('campaign_transitions', campaign.id)).toBe(1);
    });
  });

  describe('executeAction (rules 4 and 6)', () => {
    it('sends once with the rendered content; a second delivery of the job does nothing', async () => {
      const { service, transport, messageId, view } = await sentIntro();
      expect(transport.sent).toEqual([
        expect.objectContaining({
          messageId,
          messageIdHeader: `<${messageId}.${view.contact.id}@campaign-engine.invalid>`,
          subject: 'Hello Ada',
          html: '<p>Hi Ada from ACME</p>',
        }),
      ]);
      const sendAction = await database.db
        .selectFrom('scheduled_actions')
        .select('id')
        .where('campaign_id', '=', view.campaign.id)
        .where('kind', '=', 'send')
        .executeTakeFirstOrThrow();
      expect(await service.executeAction(sendAction.id)).toEqual({ outcome: 'not_pending' });
      expect(transport.sent).toHaveLength(1);
      expect(await count('outbound_messages', view.campaign.id)).toBe(1);
    });

    it('the send anchors the node: its timeout is due `after` past the send time', async () => {
      const { service, campaign } = await sentIntro();
      const view = await service.getCampaign(campaign.id);
      expect(view.campaign.state.anchorAt).toEqual(T0);
      expect(view.pendingActions).toEqual([
        expect.objectContaining({
          kind: 'timeout',
          event: 'no_open',
          runAt: new Date('2026-01-08T10:00:00Z'),
        }),
      ]);
    });

    it('a job that arrives early is queued again for its time and does nothing now', async () => {
      const { service, scheduler, campaign } = await sentIntro();
      const [timeout] = (await service.getCampaign(campaign.id)).pendingActions;
      if (!timeout) throw new Error('no timeout');
      expect(await service.executeAction(timeout.id)).toEqual({ outcome: 'not_due' });
      expect(scheduler.pending()).toContainEqual({
        actionId: timeout.id,
        contactId: campaign.contactId,
        runAt: timeout.runAt,
      });
    });

    it('a send re-checks status and step under the lock: a campaign that moved on sends nothing', async () => {
      for (const change of [{ status: 'stopped' }, { step_seq: 7 }] as const) {
        const { service, scheduler, transport, contact } = setup();
        const { campaign } = await service.persistPlan({ contact, plan });
        // the state moved without cancelling the action (as a racing transaction could leave it)
        await database.db
          .updateTable('contact_campaigns')
          .set(change)
          .where('id', '=', campaign.id)
          .execute();
        const [send] = scheduler.pending();
        expect(await service.executeAction(send?.actionId ?? '')).toEqual({ outcome: 'stale' });
        expect(transport.sent).toEqual([]);
      }
    });

    it('a failing transport is retried later with the same message id (and Message-ID)', async () => {
      const { service, scheduler, transport, clock, contact } = setup();
      const { campaign } = await service.persistPlan({ contact, plan });
      const [send] = scheduler.pending();
      transport.failNext(1);
      expect(await service.executeAction(send?.actionId ?? '')).toEqual({ outcome: 'retry' });
      expect(scheduler.pending()).toEqual([
        { actionId: send?.actionId, contactId: campaign.contactId, runAt: new Date(T0.getTime() + 60_000) },
      ]);
      const failed = await database.db
        .selectFrom('outbound_messages')
        .selectAll()
        .where('campaign_id', '=', campaign.id)
        .executeTakeFirstOrThrow();
      expect(failed.status).toBe('failed');
      clock.advance(60_000);
      expect(await service.executeAction(send?.actionId ?? '')).toEqual({ outcome: 'sent' });
      expect(transport.sent.map((m) => m.messageId)).toEqual([failed.id]);
      expect(await count('outbound_messages', campaign.id)).toBe(1);
    });

    it('a contact that lost a template variable since activation fails the send instead of sending a hole', async () => {
      const { service, scheduler, transport, contact } = setup();
      const { campaign } = await service.persistPlan({ contact, plan });
      await database.db
        .updateTable('contacts')
        .set({ attributes: '{}' })
        .where('id', '=', contact.id)
        .execute();
      const [send] = scheduler.pending();
      expect(await service.executeAction(send?.actionId ?? '')).toEqual({ outcome: 'failed' });
      expect(transport.sent).toEqual([]);
      const row = await database.db
        .selectFrom('scheduled_actions')
        .selectAll()
        .where('campaign_id', '=', campaign.id)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe('failed');
      expect(row.last_error).toMatch(/company/);
    });
  });

  describe('events (rule 5)', () => {
    it('stores an event once by provider event id; the duplicate changes nothing', async () => {
      const { service, messageId, campaign } = await sentIntro();
      const event = {
        provider: 'test',
        providerEventId: 'open-1',
        messageId,
        type: 'opened' as const,
        occurredAt: T0,
      };
      const first = await service.recordEvent(event);
      const second = await service.recordEvent(event);
      expect(first).toMatchObject({ status: 'accepted', effect: 'transition' });
      expect(second).toEqual({ status: 'duplicate' });
      expect(await count('message_events', campaign.id)).toBe(1);
      expect(await count('campaign_transitions', campaign.id)).toBe(2);
      // processing the stored event again is a no-op too
      if (first.status !== 'accepted') throw new Error('not accepted');
      expect(await service.processTransition(first.eventId)).toBe('transition');
      expect(await count('campaign_transitions', campaign.id)).toBe(2);
    });

    it('matches by the provider message id as well', async () => {
      const { service, transport, campaign } = await sentIntro();
      const result = await service.recordEvent({
        provider: 'test',
        providerEventId: 'open-by-provider-id',
        providerMessageId: `provider-${transport.sent[0]?.messageId}`,
        type: 'opened',
        occurredAt: T0,
      });
      expect(result).toMatchObject({ status: 'accepted', effect: 'transition' });
      expect((await service.getCampaign(campaign.id)).campaign.state.currentNodeId).toBe('wait');
    });

    it('an event type the engine does not act on is stored and ignored', async () => {
      const { service, messageId, campaign } = await sentIntro();
      const result = await service.recordEvent({
        provider: 'test',
        providerEventId: 'deferral-1',
        messageId,
        type: null,
        rawType: 'deferred',
        occurredAt: T0,
      });
      expect(result).toMatchObject({ status: 'accepted', effect: 'ignored' });
      const row = await database.db
        .selectFrom('message_events')
        .selectAll()
        .where('provider_event_id', '=', 'deferral-1')
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        type: 'unknown',
        raw_type: 'deferred',
        effect: 'ignored',
        campaign_id: campaign.id,
      });
      const view = await service.getCampaign(campaign.id);
      expect(view.timeline.filter((e) => e.kind === 'event')).toEqual([]);
      // the campaign still reacts to a real open afterwards
      expect(
        await service.recordEvent({
          provider: 'test',
          providerEventId: 'open-after',
          messageId,
          type: 'opened',
          occurredAt: T0,
        }),
      ).toMatchObject({ effect: 'transition' });
    });

    it('an event for an unknown message is reported, not stored', async () => {
      const { service } = setup();
      const before = await count('message_events');
      expect(
        await service.recordEvent({
          provider: 'test',
          providerEventId: 'x',
          messageId: randomUUID(),
          type: 'opened',
          occurredAt: T0,
        }),
      ).toEqual({ status: 'unknown_message' });
      expect(await count('message_events')).toBe(before);
    });

    it('an unsubscribe stops every campaign of the contact, suppresses it, and refuses new ones', async () => {
      const { service, contact, messageId, campaign } = await sentIntro();
      const other = await service.persistPlan({ contact, plan, idempotencyKey: 'second' });
      const result = await service.recordEvent({
        provider: 'test',
        providerEventId: 'unsub',
        messageId,
        type: 'unsubscribed',
        occurredAt: T0,
      });
      expect(result).toMatchObject({ status: 'accepted', effect: 'exit' });
      for (const id of [campaign.id, other.campaign.id]) {
        const view = await service.getCampaign(id);
        expect(view.campaign.state).toMatchObject({ status: 'stopped', stopReason: 'unsubscribed' });
        expect(view.pendingActions).toEqual([]);
      }
      expect((await service.getCampaign(campaign.id)).contact.suppressionReason).toBe('unsubscribed');
      await expect(service.persistPlan({ contact, plan, idempotencyKey: 'third' })).rejects.toBeInstanceOf(
        ContactSuppressedError,
      );
    });

    it('regression: an unsubscribe from a completed campaign still suppresses the contact and stops the others', async () => {
      const { service, scheduler, transport, contact } = setup();
      await scheduler.start(async (id) => {
        await service.executeAction(id);
      });
      const sendOnly: Plan = {
        ...plan,
        startNodeId: 'bump',
        nodes: [{ ...plan.nodes[2], schedule: { delay: 'PT0S' } } as Plan['nodes'][number]],
      };
      const done = await service.persistPlan({ contact, plan: sendOnly, idempotencyKey: 'one-shot' });
      await scheduler.runDue();
      expect((await service.getCampaign(done.campaign.id)).campaign.state.status).toBe('completed');
      const other = await service.persistPlan({ contact, plan, idempotencyKey: 'other', activate: true });
      const messageId = transport.sent[0]?.messageId;
      const result = await service.recordEvent({
        provider: 'test',
        providerEventId: 'late-unsub',
        messageId,
        type: 'unsubscribed',
        occurredAt: T0,
      });
      expect(result).toMatchObject({ status: 'accepted', effect: 'exit' });
      expect((await service.getCampaign(other.campaign.id)).campaign.state).toMatchObject({
        status: 'stopped',
        stopReason: 'unsubscribed',
      });
      expect((await service.getCampaign(done.campaign.id)).contact.suppressionReason).toBe('unsubscribed');
    });

    it('regression: a suppressed address stays suppressed under a new contact id', async () => {
      const { service, contact } = setup();
      await service.persistPlan({ contact, plan });
      await service.recordEvent({
        provider: 'test',
        providerEventId: 'c-unsub',
        contactId: contact.id,
        type: 'unsubscribed',
        occurredAt: T0,
      });
      const renamed = { ...contact, id: randomUUID(), email: contact.email.toUpperCase() };
      await expect(service.persistPlan({ contact: renamed, plan })).rejects.toBeInstanceOf(
        ContactSuppressedError,
      );
    });

    it('a complaint that names only the contact suppresses it too', async () => {
      const { service, contact } = setup();
      const { campaign } = await service.persistPlan({ contact, plan });
      const result = await service.recordEvent({
        provider: 'test',
        providerEventId: 'complaint',
        contactId: contact.id,
        type: 'complained',
        occurredAt: T0,
      });
      expect(result).toMatchObject({ status: 'accepted', effect: 'exit' });
      expect((await service.getCampaign(campaign.id)).campaign.state).toMatchObject({
        status: 'stopped',
        stopReason: 'complained',
      });
    });
  });

  describe('one-click unsubscribe', () => {
    it('a signed token unsubscribes the recipient once; a forged one changes nothing', async () => {
      const clock = new ManualClock(T0);
      const scheduler = new InMemoryScheduler(clock);
      const transport = new RecordingTransport();
      const secret = 'unsubscribe-secret-for-tests';
      const svc = new CampaignPlanExecutionService({
        store,
        scheduler,
        transport,
        clock,
        unsubscribe: { baseUrl: 'https://x.test/v1/unsubscribe/', secret },
      });
      const contact = {
        id: randomUUID(),
        email: `${randomUUID()}@example.com`,
        name: 'Ada',
        attributes: { company: 'ACME' },
      };
      const { campaign } = await svc.persistPlan({ contact, plan });
      await scheduler.start(async (id) => {
        await svc.executeAction(id);
      });
      await scheduler.runDue();
      const header = transport.sent[0]?.headers['List-Unsubscribe'] ?? '';
      const token = /^<https:\/\/x\.test\/v1\/unsubscribe\/(.+)>$/.exec(header)?.[1] ?? '';
      expect(transport.sent[0]?.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
      expect(await svc.unsubscribeByToken(`${token}x`)).toBeNull();
      expect((await svc.getCampaign(campaign.id)).campaign.state.status).toBe('active');
      expect(await svc.unsubscribeByToken(token)).toMatchObject({ status: 'accepted', effect: 'exit' });
      expect(await svc.unsubscribeByToken(token)).toEqual({ status: 'duplicate' });
      const view = await svc.getCampaign(campaign.id);
      expect(view.campaign.state).toMatchObject({ status: 'stopped', stopReason: 'unsubscribed' });
      expect(view.contact.suppressionReason).toBe('unsubscribed');
    });
  });

  describe('reconcile', () => {
    it('re-queues overdue pending actions of active campaigns only', async () => {
      const { service, scheduler, clock, contact } = setup();
      const active = await service.persistPlan({ contact, plan });
      const paused = await service.persistPlan({ contact, plan, idempotencyKey: 'paused' });
      await service.pause(paused.campaign.id);
      await scheduler.cancel(scheduler.pending().map((j) => j.actionId)); // the queue lost everything
      clock.advance(60_000);
      // other tests of this file left overdue actions too; only ours are checked
      expect(await service.reconcileOverdue(30_000)).toBeGreaterThanOrEqual(1);
      const [send] = (await service.getCampaign(active.campaign.id)).pendingActions;
      const [pausedSend] = (await service.getCampaign(paused.campaign.id)).pendingActions;
      const queued = scheduler.pending().map((j) => j.actionId);
      expect(queued).toContain(send?.id);
      expect(queued).not.toContain(pausedSend?.id);
      expect(scheduler.pending().find((j) => j.actionId === send?.id)?.runAt).toEqual(clock.now());
      await scheduler.cancel(queued);
      // not yet overdue by the grace period: not queued
      await service.reconcileOverdue(120_000);
      expect(scheduler.pending().map((j) => j.actionId)).not.toContain(send?.id);
    });
  });

  describe('pause, resume, cancel (rule 8)', () => {
    it('a change the status does not allow throws and changes nothing', async () => {
      const { service, campaign } = await sentIntro();
      await expect(service.resume(campaign.id)).rejects.toBeInstanceOf(InvalidCampaignStateError);
      await service.cancel(campaign.id);
      await expect(service.pause(campaign.id)).rejects.toBeInstanceOf(InvalidCampaignStateError);
      const view = await service.getCampaign(campaign.id);
      expect(view.timeline.filter((e) => e.kind === 'cancel' || e.kind === 'pause')).toEqual([
        { at: T0.toISOString(), kind: 'cancel' },
      ]);
      expect(view.pendingActions).toEqual([]);
    });

    it('a due action of a paused campaign stays pending until resume', async () => {
      const { service, scheduler, clock, campaign } = await sentIntro();
      await service.pause(campaign.id);
      await scheduler.advanceTo(new Date('2026-01-09T00:00:00Z'));
      const paused = await service.getCampaign(campaign.id);
      expect(paused.pendingActions).toEqual([
        expect.objectContaining({ event: 'no_open', status: 'pending' }),
      ]);
      expect(clock.now()).toEqual(new Date('2026-01-09T00:00:00Z'));
      await service.resume(campaign.id);
      expect(scheduler.pending()).toEqual([
        {
          actionId: paused.pendingActions[0]?.id,
          contactId: campaign.contactId,
          runAt: new Date('2026-01-09T00:00:00Z'),
        },
      ]);
    });
  });

  describe('new plan version (rule 9)', () => {
    it('continues at the current node with timeouts recomputed from the original anchor', async () => {
      const { service, scheduler, clock, campaign } = await sentIntro();
      clock.advance(3_600_000);
      const longer: Plan = {
        ...plan,
        nodes: plan.nodes.map((n) =>
          n.id === 'intro' && n.action === 'send'
            ? {
                ...n,
                transitions: [
                  { on: 'opened', to: 'wait', within: 'PT96H' },
                  { on: 'no_open', to: 'bump', after: 'PT96H' },
                ],
              }
            : n,
        ),
      };
      const updated = await service.updatePlan(campaign.id, longer);
      expect(updated).toMatchObject({ planVersion: 2, currentNodeId: 'intro', step: 1 });
      const view = await service.getCampaign(campaign.id);
      // anchored at the send (T0), not at the update an hour later
      expect(view.pendingActions).toEqual([
        expect.objectContaining({ event: 'no_open', runAt: new Date('2026-01-09T10:00:00Z') }),
      ]);
      expect(scheduler.pending().map((j) => j.runAt)).toEqual([new Date('2026-01-09T10:00:00Z')]);
    });

    it('is refused when the current node changes its action', async () => {
      const { service, campaign } = await sentIntro();
      const rewired: Plan = {
        ...plan,
        nodes: plan.nodes.map((n) =>
          n.id === 'intro'
            ? { id: 'intro', action: 'wait', transitions: [{ on: 'no_open', to: 'done', after: 'P1D' }] }
            : n,
        ),
      };
      await expect(service.updatePlan(campaign.id, rewired)).rejects.toBeInstanceOf(PlanUpdateConflictError);
      expect((await service.getCampaign(campaign.id)).campaign.planVersion).toBe(1);
    });

    it('completes a campaign whose sent node has no transitions left', async () => {
      const { service, campaign } = await sentIntro();
      const ending: Plan = {
        ...plan,
        nodes: plan.nodes.map((n) =>
          n.id === 'intro' && n.action === 'send' ? { ...n, transitions: [] } : n,
        ),
      };
      const updated = await service.updatePlan(campaign.id, ending);
      expect(updated).toMatchObject({ status: 'completed', planVersion: 2 });
      expect((await service.getCampaign(campaign.id)).pendingActions).toEqual([]);
    });

    it('is refused when the current node is missing from the new plan, and nothing changes', async () => {
      const { service, campaign } = await sentIntro();
      const renamed: Plan = {
        ...plan,
        startNodeId: 'hello',
        nodes: plan.nodes.map((n) => (n.id === 'intro' ? { ...n, id: 'hello' } : n)),
      };
      await expect(service.updatePlan(campaign.id, renamed)).rejects.toBeInstanceOf(PlanUpdateConflictError);
      const view = await service.getCampaign(campaign.id);
      expect(view.campaign.planVersion).toBe(1);
      expect(view.pendingActions).toHaveLength(1);
    });
  });
});
