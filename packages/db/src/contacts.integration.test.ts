import { createHash, randomUUID } from 'node:crypto';
import { ContactSuppressedError, type Plan } from '@campaign/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, manualEngine, type TestDatabase } from './testing.ts';

/*
 * The contact endpoints' rules (issue 14), on the real database: a JSON Merge Patch of a contact, a zone
 * change that moves pending sends (not timeouts) of campaigns without a zone of their own, the 409 of a
 * pending send that would lose a variable, the contact_update timeline entry, and erasure that keeps a
 * suppressed address suppressed by its SHA-256 only.
 */

// Monday 2026-01-05 10:00 UTC.
const T0 = new Date('2026-01-05T10:00:00.000Z');
const QUIET = { start: '20:00', end: '08:00' };

/** No zone of its own: the contact's. `intro` is due `delay` after activation. */
function delayedPlan(delay: string, body = 'Hi {{firstName}}', timezone?: string): Plan {
  return {
    version: '1.0',
    ...(timezone ? { timezone } : {}),
    quietHours: QUIET,
    startNodeId: 'intro',
    nodes: [{ id: 'intro', action: 'send', subject: 'Hello', body, schedule: { delay }, transitions: [] }],
  };
}

/** Sent at once, then a no_open timeout 72 h later. */
const timeoutPlan: Plan = {
  version: '1.0',
  quietHours: QUIET,
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hello',
      body: 'Hi',
      transitions: [{ on: 'no_open', to: 'bump', after: 'PT72H' }],
    },
    { id: 'bump', action: 'send', subject: 'Bump', body: 'Still there?', transitions: [] },
  ],
};

describe.each(['postgres', 'pglite'] as const)('contacts on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  const address = () => `${randomUUID()}@example.com`;

  async function pending(engine: ReturnType<typeof manualEngine>, campaignId: string) {
    return (await engine.service.getCampaign(campaignId)).pendingActions;
  }

  it('a zone change moves the pending sends of zone-less campaigns to the new allowed instant; timeouts and zoned plans stay', async () => {
    const engine = manualEngine(store, T0);
    const contact = { id: randomUUID(), email: address(), timezone: 'UTC', attributes: { firstName: 'Ada' } };
    // Due 12:00 UTC: allowed in UTC (quiet 20:00-08:00).
    const moved = await engine.service.persistPlan({ contact, plan: delayedPlan('PT2H') });
    const zoned = await engine.service.persistPlan({ contact, plan: delayedPlan('PT2H', 'Hi', 'UTC') });
    const timed = await engine.service.persistPlan({ contact, plan: timeoutPlan });
    const first = (await pending(engine, timed.campaign.id)).find((a) => a.kind === 'send');
    await engine.service.executeAction(first?.id ?? '');
    const timeoutBefore = (await pending(engine, timed.campaign.id)).map((a) => [
      a.kind,
      a.runAt.toISOString(),
    ]);
    // The no_open timeout: sent at 10:00, 72 h later.
    expect(timeoutBefore).toEqual([['timeout', '2026-01-08T10:00:00.000Z']]);
    expect((await pending(engine, moved.campaign.id))[0]?.runAt.toISOString()).toBe(
      '2026-01-05T12:00:00.000Z',
    );

    engine.clock.advance(60_000);
    const updated = await engine.service.patchContact(contact.id, { timezone: 'Asia/Tokyo' });
    expect(updated.timezone).toBe('Asia/Tokyo');
    // 12:00 UTC is 21:00 in Tokyo (UTC+9, no DST): quiet until 08:00 Tokyo = 23:00 UTC.
    expect((await pending(engine, moved.campaign.id))[0]?.runAt.toISOString()).toBe(
      '2026-01-05T23:00:00.000Z',
    );
    // The queue got the new time too.
    const sendId = (await pending(engine, moved.campaign.id))[0]?.id;
    const jobs = engine.scheduler.pending().filter((j) => j.actionId === sendId);
    expect(jobs.map((j) => j.runAt.toISOString())).toContain('2026-01-05T23:00:00.000Z');
    expect((await pending(engine, zoned.campaign.id))[0]?.runAt.toISOString()).toBe(
      '2026-01-05T12:00:00.000Z',
    );
    expect((await pending(engine, timed.campaign.id)).map((a) => [a.kind, a.runAt.toISOString()])).toEqual(
      timeoutBefore,
    );
    for (const id of [moved.campaign.id, zoned.campaign.id, timed.campaign.id]) {
      const timeline = (await engine.service.getCampaign(id)).timeline;
      expect(timeline.filter((e) => e.kind === 'contact_update')).toEqual([
        { at: '2026-01-05T10:01:00.000Z', kind: 'contact_update', fields: ['timezone'] },
      ]);
    }
  });

  it('removing a variable a pending send needs is refused (missing_variable) and changes nothing', async () => {
    const engine = manualEngine(store, T0);
    const contact = {
      id: randomUUID(),
      email: address(),
      timezone: 'UTC',
      attributes: { firstName: 'Ada', plan: 'pro' },
    };
    const { campaign } = await engine.service.persistPlan({ contact, plan: delayedPlan('PT1H') });
    await expect(
      engine.service.patchContact(contact.id, { attributes: { firstName: null }, name: 'Ada L.' }),
    ).rejects.toMatchObject({ code: 'missing_variable', variables: ['firstName'], campaignId: campaign.id });
    const after = await engine.service.getContact(contact.id);
    expect(after.attributes).toEqual({ firstName: 'Ada', plan: 'pro' });
    expect(after.name).toBeNull();
    const timeline = (await engine.service.getCampaign(campaign.id)).timeline;
    expect(timeline.some((e) => e.kind === 'contact_update')).toBe(false);
    // A variable no pending send uses may go; members merge (RFC 7396), the others stay.
    const merged = await engine.service.patchContact(contact.id, {
      attributes: { plan: null, tier: { a: 1 } },
    });
    expect(merged.attributes).toEqual({ firstName: 'Ada', tier: { a: 1 } });
    expect((await engine.service.getContact(contact.id)).attributes).toEqual({
      firstName: 'Ada',
      tier: { a: 1 },
    });
  });

  it('refuses a malformed phone or zone and unknown members (400 codes), stores nothing', async () => {
    const engine = manualEngine(store, T0);
    const contact = { id: randomUUID(), email: address(), timezone: 'UTC' };
    await engine.service.persistPlan({ contact, plan: delayedPlan('PT1H', 'Hi') });
    await expect(engine.service.patchContact(contact.id, { phone: '0151 1234' })).rejects.toMatchObject({
      code: 'invalid_phone',
    });
    await expect(engine.service.patchContact(contact.id, { timezone: 'PST' })).rejects.toMatchObject({
      code: 'invalid_timezone',
    });
    await expect(engine.service.patchContact(contact.id, { email: 'x@example.com' })).rejects.toMatchObject({
      code: 'invalid_contact',
    });
    await expect(engine.service.patchContact(randomUUID(), { name: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    });
    const stored = await engine.service.getContact(contact.id);
    expect([stored.phone, stored.timezone, stored.email]).toEqual([null, 'UTC', contact.email]);
  });

  it('a new phone by patch leaves the old number suppressed for SMS and does not carry the opt-out along', async () => {
    const engine = manualEngine(store, T0);
    const [oldPhone, newPhone] = ['+4915112345601', '+4915112345602'];
    const contact = { id: randomUUID(), email: address(), phone: oldPhone, timezone: 'UTC' };
    await engine.service.persistPlan({ contact, plan: delayedPlan('PT1H', 'Hi') });
    await store.transaction((tx) => tx.contacts.suppressSms(contact.id, 'unsubscribed', T0));
    await engine.service.patchContact(contact.id, { phone: newPhone });
    const [oldReason, newReason] = await store.transaction(async (tx) => [
      await tx.contacts.phoneSuppressed(oldPhone),
      await tx.contacts.phoneSuppressed(newPhone),
    ]);
    expect([oldReason, newReason]).toEqual(['unsubscribed', null]);
  });

  it('a patch that changes nothing records nothing', async () => {
    const engine = manualEngine(store, T0);
    const contact = { id: randomUUID(), email: address(), timezone: 'UTC', name: 'Ada' };
    const { campaign } = await engine.service.persistPlan({ contact, plan: delayedPlan('PT1H', 'Hi') });
    await engine.service.patchContact(contact.id, { name: 'Ada', timezone: 'UTC' });
    const timeline = (await engine.service.getCampaign(campaign.id)).timeline;
    expect(timeline.some((e) => e.kind === 'contact_update')).toBe(false);
  });

  it('erasure cancels the campaigns and removes personal data; a new campaign for an unsuppressed address goes', async () => {
    const engine = manualEngine(store, T0);
    const email = address();
    const contact = {
      id: randomUUID(),
      email,
      name: 'Ada',
      phone: '+4915112345678',
      timezone: 'UTC',
      attributes: { firstName: 'Ada' },
    };
    const { campaign } = await engine.service.persistPlan({ contact, plan: timeoutPlan });
    const send = (await pending(engine, campaign.id)).find((a) => a.kind === 'send');
    await engine.service.executeAction(send?.id ?? '');
    const erased = await engine.service.eraseContact(contact.id);
    expect(erased).toEqual({ contactId: contact.id, cancelledCampaignIds: [campaign.id] });
    const view = await engine.service.getCampaign(campaign.id);
    expect(view.campaign.state.status).toBe('cancelled');
    expect(view.pendingActions).toEqual([]);
    const row = await database.db
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', contact.id)
      .executeTakeFirstOrThrow();
    expect([row.email, row.phone, row.name, row.timezone, row.attributes]).toEqual([
      null,
      null,
      null,
      null,
      {},
    ]);
    // Not suppressed: no digest kept.
    expect([row.email_sha256, row.phone_sha256]).toEqual([null, null]);
    const messages = await database.db
      .selectFrom('outbound_messages')
      .select(['to_email', 'subject', 'body'])
      .where('contact_id', '=', contact.id)
      .execute();
    expect(messages).toEqual([{ to_email: '', subject: '', body: '' }]);
    // A second erasure changes nothing and cancels nothing.
    expect(await engine.service.eraseContact(contact.id)).toEqual({
      contactId: contact.id,
      cancelledCampaignIds: [],
    });
    const again = await engine.service.persistPlan({
      contact: { id: randomUUID(), email },
      plan: delayedPlan('PT1H', 'Hi', 'UTC'),
    });
    expect(again.campaign.status).toBe('active');
  });

  it('an erased suppressed address stays suppressed by its SHA-256 only: a new campaign for it is refused', async () => {
    const engine = manualEngine(store, T0);
    const email = `Erased-${randomUUID()}@Example.com`;
    const phone = '+4915112345679';
    const contact = { id: randomUUID(), email, phone, timezone: 'UTC' };
    await engine.service.persistPlan({ contact, plan: delayedPlan('PT1H', 'Hi') });
    await store.transaction(async (tx) => {
      await tx.contacts.suppress(contact.id, 'unsubscribed', T0);
      await tx.contacts.suppressSms(contact.id, 'unsubscribed', T0);
    });
    await engine.service.eraseContact(contact.id);
    const row = await database.db
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', contact.id)
      .executeTakeFirstOrThrow();
    expect([row.email, row.phone]).toEqual([null, null]);
    // The documented digest: SHA-256 hex of the address trimmed and lowercased (E.164 for a phone).
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(row.email_sha256).toBe(sha(email.toLowerCase()));
    expect(row.phone_sha256).toBe(sha(phone));
    const otherId = randomUUID();
    await expect(
      engine.service.persistPlan({
        contact: { id: otherId, email: ` ${email.toUpperCase()} ` },
        plan: delayedPlan('PT1H', 'Hi', 'UTC'),
      }),
    ).rejects.toBeInstanceOf(ContactSuppressedError);
    // No id given: the address's own contact, the erased row (still suppressed) is refused too.
    await expect(
      engine.service.persistPlan({ contact: { email }, plan: delayedPlan('PT1H', 'Hi', 'UTC') }),
    ).rejects.toBeInstanceOf(ContactSuppressedError);
    const smsReason = await store.transaction((tx) => tx.contacts.phoneSuppressed(phone));
    expect(smsReason).toBe('unsubscribed');
  });
});
