import { randomUUID } from 'node:crypto';
import {
  CampaignPlanExecutionService,
  InvalidCampaignStateError,
  type Plan,
  PlanUpdateConflictError,
  simulate,
  type TimelineEntry,
} from '@campaign/core';
import {
  InMemoryScheduler,
  ManualClock,
  openThenClickPlan,
  RecordingTransport,
} from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * Rule 9 through the store: previewPlanUpdate (the API's dry run) changes nothing and says what
 * updatePlan then does; updatePlan applies the engine's decision through the store's effect applier.
 */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const HOUR = 3_600_000;

const plan: Plan = openThenClickPlan();

/** `plan` with intro's timeout after `after` (and its window as long). */
function introAfter(after: string): Plan {
  return {
    ...plan,
    nodes: plan.nodes.map((n) =>
      n.id === 'intro' && n.action === 'send'
        ? {
            ...n,
            transitions: [
              { on: 'opened', to: 'wait', within: after },
              { on: 'no_open', to: 'done', after },
            ],
          }
        : n,
    ),
  };
}

describe.each(['postgres', 'pglite'] as const)('plan updates (rule 9) on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  /** A campaign whose intro was sent at T0, the clock then moved on an hour. */
  async function sentIntro() {
    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    const service = new CampaignPlanExecutionService({
      store,
      scheduler,
      transport: new RecordingTransport(),
      clock,
      retryBaseDelayMs: 60_000,
    });
    const contact = { id: randomUUID(), email: `${randomUUID()}@example.com`, name: 'Ada' };
    const { campaign } = await service.persistPlan({ contact, plan });
    await scheduler.start(async (id) => {
      await service.executeAction(id);
    });
    expect(await scheduler.runDue()).toBe(1);
    clock.advance(HOUR);
    return { service, scheduler, clock, id: campaign.id };
  }

  async function observe(service: CampaignPlanExecutionService, scheduler: InMemoryScheduler, id: string) {
    const view = await service.getCampaign(id);
    return {
      state: view.campaign.state,
      planVersion: view.campaign.planVersion,
      plan: view.campaign.plan,
      pendingActions: view.pendingActions,
      timeline: view.timeline,
      jobs: scheduler.pending(),
    };
  }

  it('the preview changes nothing, and updatePlan then does what it said (twice in a row)', async () => {
    const { service, scheduler, id } = await sentIntro();
    for (const [version, after, runAt] of [
      [2, 'PT96H', '2026-01-09T10:00:00.000Z'],
      [3, 'PT24H', '2026-01-06T10:00:00.000Z'],
    ] as const) {
      const before = await observe(service, scheduler, id);
      const preview = await service.previewPlanUpdate(id, introAfter(after));
      // from the send at T0, not from the update an hour later
      expect(preview).toEqual({
        planVersion: version,
        currentNodeId: 'intro',
        timeouts: [{ node: 'intro', event: 'no_open', runAt: new Date(runAt) }],
      });
      expect(await observe(service, scheduler, id)).toEqual(before);

      const updated = await service.updatePlan(id, introAfter(after));
      expect(updated).toMatchObject({
        planVersion: preview.planVersion,
        currentNodeId: preview.currentNodeId,
      });
      const view = await service.getCampaign(id);
      expect(view.pendingActions.map((a) => ({ node: a.nodeId, event: a.event, runAt: a.runAt }))).toEqual(
        preview.timeouts,
      );
      expect(scheduler.pending().map((j) => j.runAt)).toEqual([new Date(runAt)]);
    }
  });

  it('previews the completion of a sent node left without transitions as no timeouts, as updatePlan completes it', async () => {
    const { service, scheduler, id } = await sentIntro();
    const ending: Plan = { ...plan, nodes: [{ id: 'intro', action: 'send', subject: 'Hello', body: 'Hi' }] };
    const before = await observe(service, scheduler, id);
    expect(await service.previewPlanUpdate(id, ending)).toEqual({
      planVersion: 2,
      currentNodeId: 'intro',
      timeouts: [],
    });
    expect(await observe(service, scheduler, id)).toEqual(before);
    expect(await service.updatePlan(id, ending)).toMatchObject({ status: 'completed', planVersion: 2 });
    expect((await service.getCampaign(id)).pendingActions).toEqual([]);
  });

  it('the preview throws what updatePlan throws, and neither changes anything', async () => {
    const { service, scheduler, id } = await sentIntro();
    const withoutIntro: Plan = { ...plan, startNodeId: 'wait', nodes: plan.nodes.slice(1) };
    const before = await observe(service, scheduler, id);
    await expect(service.previewPlanUpdate(id, withoutIntro)).rejects.toThrow(PlanUpdateConflictError);
    await expect(service.updatePlan(id, withoutIntro)).rejects.toThrow(
      'the new plan has no node "intro", where the campaign is now',
    );
    expect(await observe(service, scheduler, id)).toEqual(before);
    await service.cancel(id);
    await expect(service.previewPlanUpdate(id, plan)).rejects.toThrow(InvalidCampaignStateError);
    await expect(service.updatePlan(id, plan)).rejects.toThrow(InvalidCampaignStateError);
  });

  it('parity: the store and the simulator give the same timeline for an update at a wait node (plan_update entries aside)', async () => {
    const shorterWait: Plan = {
      ...plan,
      nodes: plan.nodes.map((n) =>
        n.id === 'wait'
          ? { id: 'wait', action: 'wait', transitions: [{ on: 'no_click', to: 'done', after: 'PT24H' }] }
          : n,
      ),
    };
    const opened = new Date(T0.getTime() + HOUR);
    const updatedAt = new Date(T0.getTime() + 2 * HOUR);

    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    const service = new CampaignPlanExecutionService({
      store,
      scheduler,
      transport: new RecordingTransport(),
      clock,
    });
    const contact = { id: randomUUID(), email: `${randomUUID()}@example.com`, name: 'Ada' };
    const { campaign } = await service.persistPlan({ contact, plan });
    await scheduler.start(async (actionId) => {
      await service.executeAction(actionId);
    });
    await scheduler.runDue();
    const sent = (await service.getCampaign(campaign.id)).timeline.find((e) => e.kind === 'send');
    clock.set(opened);
    await service.recordEvent({
      provider: 'scenario',
      providerEventId: 'open-1',
      messageId: sent?.kind === 'send' ? sent.message : undefined,
      contactId: campaign.contactId,
      type: 'opened',
      occurredAt: opened,
    });
    clock.set(updatedAt);
    await service.updatePlan(campaign.id, shorterWait);
    for (let next = scheduler.nextRunAt(); next; next = scheduler.nextRunAt()) {
      clock.set(next);
      await scheduler.runDue();
    }
    const stored = await service.getCampaign(campaign.id);

    const simulated = simulate({
      definition: { plan, timezone: 'UTC' },
      contact: { email: contact.email, name: contact.name },
      start: T0,
      events: [
        { at: opened, type: 'opened', id: 'open-1' },
        { at: updatedAt, type: 'plan', plan: shorterWait },
      ],
    });
    expect(simulated.timeline).toContainEqual({
      at: updatedAt.toISOString(),
      kind: 'plan_update',
      version: 2,
      node: 'wait',
    });
    // no_click 24 h from the wait's anchor (the open), not from the update
    expect(simulated.timeline).toContainEqual(
      expect.objectContaining({ kind: 'timeout', at: '2026-01-06T11:00:00.000Z', effect: 'transition' }),
    );
    expect(stored.campaign.state.status).toBe(simulated.status);
    expect(numbered(stored.timeline)).toEqual(
      numbered(simulated.timeline.filter((e) => e.kind !== 'plan_update')),
    );
  });
});

/** Message ids differ between the store and the simulator: number them in order of first appearance. */
function numbered(timeline: readonly TimelineEntry[]): unknown[] {
  const ids = new Map<string, string>();
  return timeline.map((e) => {
    if (!('message' in e) || e.message === null) return e;
    if (!ids.has(e.message)) ids.set(e.message, `m${ids.size + 1}`);
    return { ...e, message: ids.get(e.message) };
  });
}
