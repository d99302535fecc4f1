import { randomUUID } from 'node:crypto';
import { oneSendPlan } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, manualEngine, type TestDatabase, type TestDatabaseKind } from './testing.ts';

/*
 * Sender health (issue 12, DESIGN section 11): once a sender has 200 live sends, a complaint rate above
 * 0.3 % (or hard bounces above 5 %) over its latest 1,000 pauses it when an event is recorded; its sends
 * are then held (`sender_paused`, until null) until `PATCH {"enabled": true}`. A disabled sender's sends
 * are held (`sender_disabled`), never dropped. The rule's edges (exactly 0.3 %, 5 %) are in
 * sender-health.test.ts; here the wiring, at the 199/200 sends edge.
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');

describe.each<TestDatabaseKind>(['postgres', 'pglite'])('sender health on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  async function setup() {
    const engine = manualEngine(store, T0);
    await engine.scheduler.start(async (id) => {
      await engine.service.executeAction(id);
    });
    const sender = await engine.service.senders.create({
      id: `snd_${randomUUID().slice(0, 8)}`,
      channel: 'email',
      from: 'Ada <ada@acme.example>',
      timezone: 'UTC',
      caps: { daily: 100_000 },
    });
    const send = async (subject = 'Hello') => {
      const { campaign } = await engine.service.persistPlan({
        contact: { email: `${randomUUID()}@example.com` },
        plan: oneSendPlan({ subject }),
        senderIds: { email: sender.id },
      });
      await engine.scheduler.runDue();
      return campaign.id;
    };
    const messageOf = async (campaignId: string) =>
      database.db
        .selectFrom('outbound_messages')
        .select(['id', 'status'])
        .where('campaign_id', '=', campaignId)
        .executeTakeFirstOrThrow();
    const event = async (campaignId: string, type: 'complained' | 'bounced') =>
      engine.service.recordEvent({
        provider: 'api',
        providerEventId: randomUUID(),
        messageId: (await messageOf(campaignId)).id,
        type,
        occurredAt: engine.clock.now(),
      });
    return { ...engine, sender, send, event, messageOf };
  }

  it('judges nothing at 199 sends; at 200 a complaint rate of 0.5 % pauses it, holds its sends, and enabling resumes', async () => {
    const { service, scheduler, sender, send, event, transport, messageOf } = await setup();
    const campaigns: string[] = [];
    for (let i = 0; i < 199; i += 1) campaigns.push(await send());
    expect(transport.sent).toHaveLength(199);
    await event(campaigns[0] as string, 'complained');
    expect((await service.senders.get(sender.id)).health).toMatchObject({ pausedAt: null });

    campaigns.push(await send());
    expect(transport.sent).toHaveLength(200);
    // Any complaint or bounce re-judges it: now 1 complaint in 200 (0.5 %) is above 0.3 %.
    await event(campaigns[1] as string, 'bounced');
    const paused = await service.senders.get(sender.id);
    expect(paused.health).toMatchObject({ pausedAt: T0, pausedReason: 'complaint_rate' });
    const row = await database.db
      .selectFrom('senders')
      .select(['health'])
      .where('id', '=', sender.id)
      .executeTakeFirstOrThrow();
    expect(row.health).toMatchObject({ sent: 200, complaints: 1, hardBounces: 1, complaintRate: 0.005 });
    expect((await service.senders.list()).find((s) => s.id === sender.id)?.health.pausedReason).toBe(
      'complaint_rate',
    );

    const held = await send('held');
    expect(transport.sent).toHaveLength(200);
    expect(await messageOf(held).catch(() => null)).toBeNull();
    const view = await service.getCampaign(held);
    expect(view.campaign.state.status).toBe('active');
    expect(view.timeline.filter((e) => e.kind === 'deferred')).toEqual([
      { at: T0.toISOString(), kind: 'deferred', node: 'intro', until: null, reason: 'sender_paused' },
    ]);

    // The PATCH queues the held sends itself (no reconcile pass needed).
    await service.senders.update(sender.id, { enabled: true });
    expect((await service.senders.get(sender.id)).health.pausedAt).toBeNull();
    await scheduler.runDue();
    expect(transport.sent.at(-1)?.subject).toBe('held');
  }, 120_000);

  it('a disabled sender holds its sends (sender_disabled), never drops them; enabling sends them', async () => {
    const { service, scheduler, sender, send, transport } = await setup();
    await service.senders.update(sender.id, { enabled: false });
    const held = await send('waiting');
    expect(transport.sent).toEqual([]);
    const view = await service.getCampaign(held);
    expect(view.pendingActions.map((a) => a.kind)).toEqual(['send']);
    expect(view.timeline.filter((e) => e.kind === 'deferred')).toEqual([
      { at: T0.toISOString(), kind: 'deferred', node: 'intro', until: null, reason: 'sender_disabled' },
    ]);
    await service.senders.update(sender.id, { enabled: true });
    await scheduler.runDue();
    expect(transport.sent.map((m) => m.subject)).toEqual(['waiting']);
    expect((await service.getCampaign(held)).campaign.state.status).toBe('completed');
  });
});
