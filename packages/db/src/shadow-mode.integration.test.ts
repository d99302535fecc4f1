import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { noOpenBumpPlan, openOrTimeoutPlan } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, manualEngine, type TestDatabase, type TestDatabaseKind } from './testing.ts';

/*
 * Shadow mode (DESIGN section 11): a shadow campaign runs exactly as live (timeouts, posted events naming
 * its messages, threads), its messages are rendered and recorded with status `shadow`, and no transport
 * is ever called. `executionMode: 'shadow'` (EXECUTION_MODE) makes every campaign shadow.
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');
const HOUR = 3_600_000;

describe.each<TestDatabaseKind>(['postgres', 'pglite'])('shadow mode on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  async function engineAt(at: Date, executionMode?: 'live' | 'shadow') {
    const engine = manualEngine(store, at, executionMode ? { executionMode } : {});
    await engine.scheduler.start(async (id) => {
      await engine.service.executeAction(id);
    });
    return engine;
  }

  const contact = () => ({ email: `${randomUUID()}@example.com`, name: 'Ada' });

  async function messagesOf(campaignId: string) {
    return database.db
      .selectFrom('outbound_messages')
      .select(['id', 'node_id', 'status', 'sent_at', 'subject', 'in_reply_to'])
      .where('campaign_id', '=', campaignId)
      .orderBy('seq')
      .execute();
  }

  it('records every message as shadow, calls no transport, and its timeouts run as live', async () => {
    const { service, scheduler, transport } = await engineAt(T0);
    const { campaign } = await service.persistPlan({
      contact: contact(),
      plan: noOpenBumpPlan({ after: 'PT1H' }),
      mode: 'shadow',
    });
    await scheduler.advanceTo(new Date(T0.getTime() + 2 * HOUR));
    expect(transport.sent).toEqual([]);

    const rows = await messagesOf(campaign.id);
    expect(rows.map((r) => [r.node_id, r.status, r.sent_at?.toISOString()])).toEqual([
      ['intro', 'shadow', T0.toISOString()],
      ['bump', 'shadow', new Date(T0.getTime() + HOUR).toISOString()],
    ]);
    const view = await service.getCampaign(campaign.id);
    expect(view.campaign.state.status).toBe('completed');
    expect(view.campaign.mode).toBe('shadow');
    expect(view.timeline.filter((e) => e.kind === 'send').map((e) => [e.node, e.at])).toEqual([
      ['intro', T0.toISOString()],
      ['bump', new Date(T0.getTime() + HOUR).toISOString()],
    ]);
  });

  it('a posted event naming a shadow message moves the campaign as it would a live one', async () => {
    const { service, scheduler, transport, clock } = await engineAt(T0);
    const { campaign } = await service.persistPlan({
      contact: contact(),
      plan: openOrTimeoutPlan({ window: 'PT1H' }),
      mode: 'shadow',
    });
    await scheduler.runDue();
    const [intro] = await messagesOf(campaign.id);
    expect(intro?.status).toBe('shadow');
    clock.set(new Date(T0.getTime() + 10 * 60_000));
    const result = await service.recordEvent({
      provider: 'api',
      providerEventId: randomUUID(),
      messageId: intro?.id,
      type: 'opened',
      occurredAt: new Date(T0.getTime() + 5 * 60_000),
    });
    expect(result).toMatchObject({ status: 'accepted', effect: 'transition' });
    const view = await service.getCampaign(campaign.id);
    expect(view.campaign.state).toMatchObject({ status: 'completed', currentNodeId: 'done' });
    expect(transport.sent).toEqual([]);
  });

  it('a threaded follow-up of a shadow campaign replies to the shadow message', async () => {
    const { service, scheduler, transport } = await engineAt(T0);
    const plan: Plan = {
      version: '1.1',
      timezone: 'UTC',
      startNodeId: 'intro',
      nodes: [
        {
          id: 'intro',
          action: 'send',
          subject: 'Hello',
          body: '<p>Hi</p>',
          transitions: [{ on: 'no_reply', to: 'follow', after: 'PT1H' }],
        },
        { id: 'follow', action: 'send', body: '<p>Again</p>', thread: true, transitions: [] },
      ],
    };
    const { campaign } = await service.persistPlan({ contact: contact(), plan, mode: 'shadow' });
    await scheduler.advanceTo(new Date(T0.getTime() + 2 * HOUR));
    const [intro, follow] = await messagesOf(campaign.id);
    expect(transport.sent).toEqual([]);
    expect(follow).toMatchObject({ status: 'shadow', subject: 'Re: Hello', in_reply_to: intro?.id });
  });

  it('executionMode shadow makes every campaign shadow, one asking for live too', async () => {
    const { service, scheduler, transport } = await engineAt(T0, 'shadow');
    const { campaign } = await service.persistPlan({
      contact: contact(),
      plan: noOpenBumpPlan({ after: 'PT1H' }),
      mode: 'live',
    });
    await scheduler.runDue();
    expect(transport.sent).toEqual([]);
    expect((await messagesOf(campaign.id)).map((r) => r.status)).toEqual(['shadow']);
  });

  it('a live campaign still sends (the control for the tests above)', async () => {
    const { service, scheduler, transport } = await engineAt(T0);
    const { campaign } = await service.persistPlan({ contact: contact(), plan: noOpenBumpPlan() });
    await scheduler.runDue();
    expect(transport.sent.map((m) => m.messageId)).toEqual((await messagesOf(campaign.id)).map((r) => r.id));
    expect((await messagesOf(campaign.id)).map((r) => r.status)).toEqual(['sent']);
  });

  // Last: the sender it creates is assigned to every campaign created after it (least-loaded sender).
  it('shadow sends are throttled against counters of their own, apart from live ones', async () => {
    const { service, scheduler, transport } = await engineAt(T0);
    const sender = await service.senders.create({
      id: `snd_${randomUUID().slice(0, 8)}`,
      channel: 'email',
      from: 'Ada <ada@acme.example>',
      timezone: 'UTC',
      caps: { daily: 1 },
    });
    const start = (mode: 'live' | 'shadow') =>
      service.persistPlan({
        contact: contact(),
        plan: noOpenBumpPlan(),
        senderIds: { email: sender.id },
        mode,
      });
    const live = await start('live');
    await scheduler.runDue();
    // The live send took the live day's one slot; the shadow day still has its own.
    const shadow = await start('shadow');
    await scheduler.runDue();
    const secondShadow = await start('shadow');
    await scheduler.runDue();
    expect(transport.sent.map((m) => m.campaignId)).toEqual([live.campaign.id]);
    expect((await messagesOf(shadow.campaign.id)).map((r) => r.status)).toEqual(['shadow']);
    expect(await messagesOf(secondShadow.campaign.id)).toEqual([]);
    const held = await service.getCampaign(secondShadow.campaign.id);
    expect(held.timeline.filter((e) => e.kind === 'deferred')).toEqual([
      {
        at: T0.toISOString(),
        kind: 'deferred',
        node: 'intro',
        until: '2026-03-03T00:00:00.000Z',
        reason: 'sender_daily_cap',
      },
    ]);
    // And a second live campaign is held by the live count, not helped by the shadow one's.
    const secondLive = await start('live');
    await scheduler.runDue();
    expect(transport.sent).toHaveLength(1);
    expect(await messagesOf(secondLive.campaign.id)).toEqual([]);
  });
});
