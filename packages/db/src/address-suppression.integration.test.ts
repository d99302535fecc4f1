import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { noOpenBumpPlan } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, manualEngine, type TestDatabase } from './testing.ts';

/*
 * Suppression holds per address (DESIGN section 4 rule 5: "an email unsubscribe suppresses the address
 * for email"), whichever contact id it came in under: the send path re-checks the address when a send
 * is claimed, and a suppression that names only an address reaches every contact with it.
 */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const HOUR_MS = 3_600_000;

/** One send an hour after activation, then a bump three days after it unless opened. */
const laterPlan: Plan = noOpenBumpPlan({ delay: 'PT1H' });
/** The same plan, intro sent at once. */
const nowPlan: Plan = noOpenBumpPlan();

describe.each(['postgres', 'pglite'] as const)('suppression by address on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  const address = () => `${randomUUID()}@example.com`;

  async function pendingSend(engine: ReturnType<typeof manualEngine>, campaignId: string) {
    const view = await engine.service.getCampaign(campaignId);
    const send = view.pendingActions.find((a) => a.kind === 'send');
    if (!send) throw new Error('no pending send');
    return send.id;
  }

  /** Sends the campaign's first message now and returns its id. */
  async function sendNow(engine: ReturnType<typeof manualEngine>, campaignId: string) {
    await engine.service.executeAction(await pendingSend(engine, campaignId));
    const [message] = await database.db
      .selectFrom('outbound_messages')
      .select('id')
      .where('campaign_id', '=', campaignId)
      .execute();
    if (!message) throw new Error('not sent');
    return message.id;
  }

  async function action(id: string) {
    return database.db
      .selectFrom('scheduled_actions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  it('regression: a send due for contact A is not sent when another contact with the same address unsubscribed first', async () => {
    // Deleting the `emailSuppressed(contact.email)` re-check in claimSend sends this message.
    const engine = manualEngine(store, T0);
    const email = address();
    const a = await engine.service.persistPlan({ contact: { id: randomUUID(), email }, plan: laterPlan });
    const aSend = await pendingSend(engine, a.campaign.id);
    // B: another contact id for the same address, in other letter case.
    const b = await engine.service.persistPlan({
      contact: { id: randomUUID(), email: email.toUpperCase() },
      plan: nowPlan,
    });
    const bMessage = await sendNow(engine, b.campaign.id);
    engine.clock.advance(10 * 60_000);
    const unsubscribed = await engine.service.recordEvent({
      provider: 'api',
      providerEventId: 'unsubscribe-b',
      messageId: bMessage,
      type: 'unsubscribed',
      occurredAt: engine.clock.now(),
    });
    expect(unsubscribed).toMatchObject({ status: 'accepted', effect: 'exit' });
    expect(engine.transport.sent.map((m) => m.subject)).toEqual(['Hello']); // B's only

    engine.clock.set(new Date(T0.getTime() + HOUR_MS));
    expect(await engine.service.executeAction(aSend)).toEqual({ outcome: 'stale' });
    expect(engine.transport.attempts).toHaveLength(1);
    expect(await action(aSend)).toMatchObject({
      status: 'skipped',
      outcome: 'stale',
      last_error: 'contact suppressed',
    });
    const aMessages = await database.db
      .selectFrom('outbound_messages')
      .select('id')
      .where('campaign_id', '=', a.campaign.id)
      .execute();
    expect(aMessages).toEqual([]);
    // regression: A was left active with nothing pending, idling forever; it stops as B's unsubscribe would have
    const view = await engine.service.getCampaign(a.campaign.id);
    expect(view.campaign.state).toMatchObject({ status: 'stopped', stopReason: 'unsubscribed' });
    expect(view.pendingActions).toEqual([]);
    expect(view.timeline.at(-1)).toMatchObject({ kind: 'end', status: 'stopped', reason: 'unsubscribed' });
  });

  it('regression: an unsubscribe naming only an address suppresses every contact with it and stops their campaigns', async () => {
    // 6996e46 dropped it as unknown_message (a Postmark SubscriptionChange without MessageID).
    const engine = manualEngine(store, T0);
    const email = address();
    const first = await engine.service.persistPlan({ contact: { id: randomUUID(), email }, plan: laterPlan });
    const second = await engine.service.persistPlan({
      contact: { id: randomUUID(), email: email.toUpperCase() },
      plan: nowPlan,
    });
    await sendNow(engine, second.campaign.id);
    const other = await engine.service.persistPlan({
      contact: { id: randomUUID(), email: address() },
      plan: laterPlan,
    });
    engine.clock.advance(60_000);

    const suppression = {
      provider: 'postmark',
      providerEventId: `manual-${email}`,
      type: 'unsubscribed' as const,
      rawType: 'SubscriptionChange',
      occurredAt: new Date(T0.getTime() + 30_000),
      email,
    };
    expect(await engine.service.recordEvent(suppression)).toMatchObject({
      status: 'accepted',
      effect: 'exit',
    });
    for (const { campaign } of [first, second]) {
      const view = await engine.service.getCampaign(campaign.id);
      expect(view.campaign.state).toMatchObject({ status: 'stopped', stopReason: 'unsubscribed' });
      expect(view.pendingActions).toEqual([]);
    }
    const contacts = await database.db
      .selectFrom('contacts')
      .select(['id', 'suppression_reason'])
      .where('id', 'in', [first.campaign.contactId, second.campaign.contactId, other.campaign.contactId])
      .execute();
    expect(Object.fromEntries(contacts.map((c) => [c.id, c.suppression_reason]))).toEqual({
      [first.campaign.contactId]: 'unsubscribed',
      [second.campaign.contactId]: 'unsubscribed',
      [other.campaign.contactId]: null,
    });
    // One stored event per contact; a redelivery stores nothing more.
    expect(await engine.service.recordEvent(suppression)).toEqual({ status: 'duplicate' });
    const events = await database.db
      .selectFrom('message_events')
      .select(['contact_id', 'message_id', 'type'])
      .where('provider_event_id', '=', suppression.providerEventId)
      .execute();
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.message_id === null && e.type === 'unsubscribed')).toBe(true);
    expect((await engine.service.getCampaign(other.campaign.id)).campaign.state.status).toBe('active');
    // And a new campaign for the address is refused.
    await expect(
      engine.service.persistPlan({ contact: { id: randomUUID(), email }, plan: laterPlan }),
    ).rejects.toThrow(/suppressed/i);
  });

  it('goes by address only for a suppressing event that names no message, and never for an unknown address', async () => {
    const engine = manualEngine(store, T0);
    const email = address();
    const { campaign } = await engine.service.persistPlan({
      contact: { id: randomUUID(), email },
      plan: laterPlan,
    });
    const base = { provider: 'postmark', occurredAt: T0, email };
    const cases = [
      { ...base, providerEventId: 'open', type: 'opened' as const },
      { ...base, providerEventId: 'bounce', type: 'bounced' as const },
      { ...base, providerEventId: 'foreign', type: 'unsubscribed' as const, providerMessageId: 'not-ours' },
      { ...base, providerEventId: 'stranger', type: 'complained' as const, email: address() },
    ];
    for (const input of cases) {
      expect(await engine.service.recordEvent(input), input.providerEventId).toEqual({
        status: 'unknown_message',
      });
    }
    expect((await engine.service.getCampaign(campaign.id)).campaign.state.status).toBe('active');
    const stored = await database.db
      .selectFrom('message_events')
      .select('id')
      .where('contact_id', '=', campaign.contactId)
      .execute();
    expect(stored).toEqual([]);
  });
});
