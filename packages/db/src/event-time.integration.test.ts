import { randomUUID } from 'node:crypto';
import type { EventInput, Plan } from '@campaign/core';
import { openedOrNotPlan } from '@campaign/core/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, manualEngine, type TestDatabase } from './testing.ts';

/*
 * Implausible event times on a real database (issue 9 item 9): an event dated more than 5 minutes before
 * its message was sent, or more than 5 minutes ahead of the clock, is stored nowhere and moves nothing.
 * On 6996e46 an open dated 2000-01-01 satisfied the `within: PT1H` window of a message sent that day.
 */

const SENT_AT = new Date('2026-01-05T10:00:00.000Z');
const MINUTE = 60_000;
const minutesFrom = (base: Date, minutes: number) => new Date(base.getTime() + minutes * MINUTE);

const plan: Plan = openedOrNotPlan();

describe.each(['postgres', 'pglite'] as const)('implausible event times on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  /** A campaign whose intro went out at SENT_AT; the clock then stands at `now`. */
  async function sentIntro(now: Date) {
    const engine = manualEngine(store, SENT_AT);
    const contact = { id: randomUUID(), email: `${randomUUID()}@example.com` };
    const { campaign } = await engine.service.persistPlan({ contact, plan });
    await engine.scheduler.start(async (id) => {
      await engine.service.executeAction(id);
    });
    expect(await engine.scheduler.runDue()).toBe(1);
    const messageId = engine.transport.sent[0]?.messageId;
    if (!messageId) throw new Error('intro not sent');
    engine.clock.set(now);
    return { ...engine, campaign, contact, messageId };
  }

  const open = (messageId: string, occurredAt: Date): EventInput => ({
    provider: 'test',
    providerEventId: `open-${randomUUID()}`,
    messageId,
    type: 'opened',
    occurredAt,
  });

  async function eventsOf(campaignId: string): Promise<number> {
    const row = await database.db
      .selectFrom('message_events')
      .select(sql<string>`count(*)`.as('n'))
      .where('campaign_id', '=', campaignId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it('regression: an open dated 2000-01-01 for a message sent now is stored nowhere and moves nothing', async () => {
    const { service, campaign, messageId } = await sentIntro(minutesFrom(SENT_AT, 10));
    const before = await service.getCampaign(campaign.id);
    const result = await service.recordEvent(open(messageId, new Date('2000-01-01T00:00:00.000Z')));
    expect(result).toEqual({ status: 'implausible_time' });
    expect(await eventsOf(campaign.id)).toBe(0);
    const after = await service.getCampaign(campaign.id);
    expect(after.campaign.state).toEqual(before.campaign.state);
    expect(after.pendingActions).toEqual(before.pendingActions);
    expect(after.timeline).toEqual(before.timeline);
  });

  it('regression: an open 6 minutes ahead of the clock is stored nowhere and moves nothing', async () => {
    const now = minutesFrom(SENT_AT, 10);
    const { service, campaign, messageId } = await sentIntro(now);
    const result = await service.recordEvent(open(messageId, minutesFrom(now, 6)));
    expect(result).toEqual({ status: 'implausible_time' });
    expect(await eventsOf(campaign.id)).toBe(0);
    expect((await service.getCampaign(campaign.id)).campaign.state).toMatchObject({
      status: 'active',
      currentNodeId: 'intro',
    });
  });

  it('an open 4 minutes before the send (clocks disagree) is accepted and takes its transition', async () => {
    const { service, campaign, messageId } = await sentIntro(minutesFrom(SENT_AT, 10));
    const result = await service.recordEvent(open(messageId, minutesFrom(SENT_AT, -4)));
    expect(result).toMatchObject({ status: 'accepted', effect: 'transition' });
    expect(await eventsOf(campaign.id)).toBe(1);
    expect((await service.getCampaign(campaign.id)).campaign.state).toMatchObject({
      status: 'completed',
      currentNodeId: 'opened',
    });
  });

  it('an open 4 minutes ahead of the clock is accepted', async () => {
    const now = minutesFrom(SENT_AT, 10);
    const { service, campaign, messageId } = await sentIntro(now);
    expect(await service.recordEvent(open(messageId, minutesFrom(now, 4)))).toMatchObject({
      status: 'accepted',
    });
    expect(await eventsOf(campaign.id)).toBe(1);
  });

  it('an unsubscribe that names a contact, not a message, is held to the future bound only', async () => {
    const now = minutesFrom(SENT_AT, 10);
    const { service, campaign, contact } = await sentIntro(now);
    const byContact = (occurredAt: Date): EventInput & { contactId: string } => ({
      provider: 'test',
      providerEventId: `unsub-${randomUUID()}`,
      contactId: contact.id,
      type: 'unsubscribed',
      occurredAt,
    });
    expect(await service.recordEvent(byContact(minutesFrom(now, 6)))).toEqual({ status: 'implausible_time' });
    expect((await service.getCampaign(campaign.id)).contact.suppressedAt).toBeNull();
    // Long before any send: there is no send to compare it with, so it counts.
    expect(await service.recordEvent(byContact(new Date('2000-01-01T00:00:00.000Z')))).toMatchObject({
      status: 'accepted',
    });
    expect((await service.getCampaign(campaign.id)).contact.suppressedAt).not.toBeNull();
  });
});
