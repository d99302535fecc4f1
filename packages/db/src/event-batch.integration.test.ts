import { randomUUID } from 'node:crypto';
import type { EventInput, Plan } from '@campaign/core';
import { openedOrNotPlan } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, manualEngine, type TestDatabase } from './testing.ts';

/*
 * recordEvents (issue 10 item 3: batch handling lives in core): a batch is recorded item by item as
 * recordEvent records it, and counted as the API and the webhooks report it: accepted, duplicates,
 * ignored (a type the engine does not act on), rejected by position with unknown_message or
 * implausible_time.
 */

const SENT_AT = new Date('2026-01-05T10:00:00.000Z');

const plan: Plan = openedOrNotPlan();

describe.each(['postgres', 'pglite'] as const)('recordEvents on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  /** A campaign whose intro went out at SENT_AT. */
  async function sentIntro() {
    const engine = manualEngine(store, SENT_AT);
    const contact = { id: randomUUID(), email: `${randomUUID()}@example.com` };
    const { campaign } = await engine.service.persistPlan({ contact, plan });
    await engine.scheduler.start(async (id) => {
      await engine.service.executeAction(id);
    });
    expect(await engine.scheduler.runDue()).toBe(1);
    const messageId = engine.transport.sent[0]?.messageId;
    if (!messageId) throw new Error('intro not sent');
    return { ...engine, campaign, messageId };
  }

  const event = (fields: Partial<EventInput> & Pick<EventInput, 'type'>): EventInput => ({
    provider: 'test',
    providerEventId: `event-${randomUUID()}`,
    occurredAt: new Date(SENT_AT.getTime() + 60_000),
    ...fields,
  });

  async function storedEvents(campaignId: string): Promise<string[]> {
    const rows = await database.db
      .selectFrom('message_events')
      .select('provider_event_id')
      .where('campaign_id', '=', campaignId)
      .execute();
    return rows.map((r) => r.provider_event_id).sort();
  }

  it('counts each item once and reports the rejected ones by position, in batch order', async () => {
    const { service, campaign, messageId } = await sentIntro();
    const open = event({ messageId, type: 'opened' });
    const deferral = event({ messageId, type: null, rawType: 'deferred' });
    const batch = [
      event({ messageId: randomUUID(), type: 'opened' }), // 0: names no message of ours
      open, // 1: accepted, moves the campaign
      { ...open }, // 2: the same provider event id again
      deferral, // 3: a type the engine does not act on, of a known message: stored, ignored
      event({ messageId: randomUUID(), type: null, rawType: 'deferred' }), // 4: unknown type, unknown message
      event({ messageId, type: 'clicked', occurredAt: new Date('2000-01-01T00:00:00.000Z') }), // 5: implausible
    ];

    const counted = await service.recordEvents(batch);

    expect(counted).toEqual({
      accepted: 1,
      duplicates: 1,
      ignored: 2,
      rejected: [
        { index: 0, code: 'unknown_message' },
        { index: 5, code: 'implausible_time' },
      ],
    });
    expect(await storedEvents(campaign.id)).toEqual([open.providerEventId, deferral.providerEventId].sort());
    expect((await service.getCampaign(campaign.id)).campaign.state.currentNodeId).toBe('opened');
  });

  it('counts a redelivered batch as duplicates and changes nothing', async () => {
    const { service, campaign, messageId } = await sentIntro();
    const batch = [
      event({ messageId, type: 'opened' }),
      event({ messageId, type: null, rawType: 'dropped' }),
    ];
    expect(await service.recordEvents(batch)).toMatchObject({ accepted: 1, ignored: 1, duplicates: 0 });
    const before = await service.getCampaign(campaign.id);

    expect(await service.recordEvents(batch)).toEqual({
      accepted: 0,
      duplicates: 2,
      ignored: 0,
      rejected: [],
    });
    const after = await service.getCampaign(campaign.id);
    expect(after.timeline).toEqual(before.timeline);
    expect(await storedEvents(campaign.id)).toHaveLength(2);
  });

  it('an empty batch counts nothing', async () => {
    const { service } = await sentIntro();
    expect(await service.recordEvents([])).toEqual({ accepted: 0, duplicates: 0, ignored: 0, rejected: [] });
  });
});
