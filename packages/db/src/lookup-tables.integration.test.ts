import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { noOpenBumpPlan } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactIdsByDigest } from './contact-addresses.ts';
import { KyselyCampaignReader } from './kysely-campaign-reader.ts';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { emailDigest, KyselyContactAdminRepository, phoneDigest } from './kysely-contact-admin.ts';
import { KyselyInboundRepository } from './kysely-inbound.ts';
import { KyselyContactRepository, KyselyOutboundMessageRepository } from './kysely-repositories.ts';
import * as lookupTables from './migrations/0018-lookup-tables.ts';
import { createTestDatabase, manualEngine, type TestDatabase } from './testing.ts';

/*
 * The lookup tables of 0018 (docs/scaling.md, "How the code stays routable"): a lookup by address goes
 * through contact_addresses and one by the provider's message id through provider_refs, each written in
 * the transaction that sets the address or records the acceptance.
 */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const nowPlan: Plan = noOpenBumpPlan();

describe.each(['postgres', 'pglite'] as const)('lookup tables on %s', (kind) => {
  let database: TestDatabase;
  let contacts: KyselyContactRepository;
  let admin: KyselyContactAdminRepository;
  let reader: KyselyCampaignReader;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    contacts = new KyselyContactRepository(database.db);
    admin = new KyselyContactAdminRepository(database.db);
    reader = new KyselyCampaignReader(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  const email = () => `${randomUUID()}@Example.com`;
  /** The provider_refs rows of one provider message id. */
  const refsOf = (providerId: string) =>
    database.db.selectFrom('provider_refs').selectAll().where('provider_id', '=', providerId).execute();
  /** A German mobile number (E.164, valid), unique enough per test. */
  const phone = () =>
    `+49151${Math.floor(Math.random() * 1e8)
      .toString()
      .padStart(8, '0')}`;
  /** The contact's rows among these addresses' (read by the hash, as the code does). */
  const rowsOf = (contactId: string, digests: string[]) =>
    database.db
      .selectFrom('contact_addresses')
      .select(['address_sha256', 'kind'])
      .where('address_sha256', 'in', digests)
      .where('contact_id', '=', contactId)
      .orderBy('kind')
      .execute();

  it('an email change moves the contact from the old address to the new one', async () => {
    const id = randomUUID();
    const [first, second] = [email(), email()];
    await contacts.upsertAndLock({ id, idGiven: true, email: first });
    expect(await reader.contactIdsByEmail(first.toUpperCase())).toEqual([id]);
    await contacts.suppress(id, 'unsubscribed', T0);
    expect(await contacts.emailSuppressed(first)).toBe('unsubscribed');

    await contacts.upsertAndLock({ id, idGiven: true, email: second });
    expect(await rowsOf(id, [emailDigest(first), emailDigest(second)])).toEqual([
      { address_sha256: emailDigest(second), kind: 'email' },
    ]);
    expect(await reader.contactIdsByEmail(first)).toEqual([]);
    expect(await contacts.emailSuppressed(first)).toBeNull();
    expect(await reader.contactIdsByEmail(second)).toEqual([id]);
    expect(await contacts.emailSuppressed(second)).toBe('unsubscribed');
  });

  it('suppression by address reaches every contact id with it', async () => {
    const address = email();
    const [a, b] = [randomUUID(), randomUUID()];
    await contacts.upsertAndLock({ id: a, idGiven: true, email: address });
    await contacts.upsertAndLock({ id: b, idGiven: true, email: address.toLowerCase() });
    expect((await contactIdsByDigest(database.db, emailDigest(address))).sort()).toEqual([a, b].sort());
    await contacts.suppress(b, 'complained', T0);
    expect(await contacts.emailSuppressed(address.toUpperCase())).toBe('complained');
  });

  it('SMS STOP finds the number after a phone change, not before it', async () => {
    const id = randomUUID();
    const [first, second] = [phone(), phone()];
    await contacts.upsertAndLock({ id, idGiven: true, phone: first });
    await admin.update(id, { name: null, timezone: null, phone: second, attributes: {} }, T0);
    expect(await rowsOf(id, [phoneDigest(first), phoneDigest(second)])).toEqual([
      { address_sha256: phoneDigest(second), kind: 'phone' },
    ]);
    expect(await contacts.suppressSmsByPhone(first, 'stop', T0)).toBe(0);
    expect(await contacts.suppressSmsByPhone(second, 'stop', T0)).toBe(1);
    expect(await contacts.phoneSuppressed(second)).toBe('stop');
    expect(await contacts.unsuppressSms(second, T0)).toBe(1);
    expect(await contacts.phoneSuppressed(second)).toBeNull();
  });

  it('erasure keeps the hash of a suppressed address and forgets the others', async () => {
    const id = randomUUID();
    const [address, number] = [email(), phone()];
    await contacts.upsertAndLock({ id, idGiven: true, email: address, phone: number });
    await contacts.suppress(id, 'unsubscribed', T0);
    await admin.erase(id, T0);
    expect(await rowsOf(id, [emailDigest(address), phoneDigest(number)])).toEqual([
      { address_sha256: emailDigest(address), kind: 'email' },
    ]);
    expect(await contacts.emailSuppressed(address)).toBe('unsubscribed');
    expect(await contacts.phoneSuppressed(number)).toBeNull();
    expect(await reader.contactIdsByEmail(address)).toEqual([]);
  });

  it('the address rows are written in the contact write transaction: a rollback leaves neither', async () => {
    const id = randomUUID();
    const address = email();
    await expect(
      database.db.transaction().execute(async (trx) => {
        await new KyselyContactRepository(trx).upsertAndLock({ id, idGiven: true, email: address });
        expect(await contactIdsByDigest(trx, emailDigest(address))).toEqual([id]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await contactIdsByDigest(database.db, emailDigest(address))).toEqual([]);
    expect(await contacts.get(id)).toBeNull();
  });

  it('a reply and an SMS are matched to the latest message through the contact addresses', async () => {
    const store = new KyselyCampaignStore(database.db);
    const engine = manualEngine(store, T0);
    const address = email();
    const { campaign } = await engine.service.persistPlan({
      contact: { id: randomUUID(), email: address },
      plan: nowPlan,
    });
    const view = await engine.service.getCampaign(campaign.id);
    const send = view.pendingActions.find((a) => a.kind === 'send');
    if (!send) throw new Error('no pending send');
    await engine.service.executeAction(send.id);
    const inbound = new KyselyInboundRepository(database.db);
    const matched = await inbound.latestEmailBetween(address.toUpperCase(), [], true);
    expect(matched?.campaignId).toBe(campaign.id);
    expect(await inbound.latestEmailBetween(email(), [], true)).toBeNull();
  });

  it('a message is found by the provider id through provider_refs, written with the acceptance', async () => {
    const store = new KyselyCampaignStore(database.db);
    const engine = manualEngine(store, T0);
    const { campaign } = await engine.service.persistPlan({
      contact: { id: randomUUID(), email: email() },
      plan: nowPlan,
    });
    const view = await engine.service.getCampaign(campaign.id);
    const send = view.pendingActions.find((a) => a.kind === 'send');
    if (!send) throw new Error('no pending send');
    await engine.service.executeAction(send.id);
    const message = await database.db
      .selectFrom('outbound_messages')
      .select(['id', 'contact_id', 'provider_message_id'])
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirstOrThrow();
    const providerId = message.provider_message_id as string;
    expect(providerId).toBe(`provider-${message.id}`);
    expect(await refsOf(providerId)).toEqual([
      { provider_id: providerId, contact_id: message.contact_id, message_id: message.id },
    ]);
    expect((await reader.findMessage({ providerMessageId: providerId }))?.id).toBe(message.id);
    expect(await reader.findMessage({ providerMessageId: 'nobody' })).toBeNull();
  });

  it('a markSent that rolls back leaves no provider ref', async () => {
    const store = new KyselyCampaignStore(database.db);
    const engine = manualEngine(store, T0, {});
    const { campaign } = await engine.service.persistPlan({
      contact: { id: randomUUID(), email: email() },
      plan: noOpenBumpPlan({ delay: 'PT1H' }),
    });
    // A message row in `sending`, as a claim leaves it, then the acceptance rolled back.
    const [action] = await database.db
      .selectFrom('scheduled_actions')
      .select(['id', 'contact_id', 'node_id'])
      .where('campaign_id', '=', campaign.id)
      .execute();
    if (!action) throw new Error('no action');
    const messageId = randomUUID();
    await database.db
      .insertInto('outbound_messages')
      .values({
        id: messageId,
        contact_id: action.contact_id,
        campaign_id: campaign.id,
        action_id: action.id,
        node_id: action.node_id,
        step: 0,
        dedupe_key: `k-${messageId}`,
        to_email: 'x@example.com',
        subject: '',
        body: '',
        status: 'sending',
        provider_message_id: null,
        last_error: null,
        sent_at: null,
        in_reply_to: null,
        references_header: null,
      })
      .execute();
    const providerId = `p-${messageId}`;
    await expect(
      database.db.transaction().execute(async (trx) => {
        expect(await new KyselyOutboundMessageRepository(trx).markSent(messageId, T0, providerId)).toBe(true);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await reader.findMessage({ providerMessageId: providerId })).toBeNull();
    expect(await refsOf(providerId)).toEqual([]);
  });

  it('the migration fills both tables from the rows already there', async () => {
    const own = await createTestDatabase(kind);
    try {
      const engine = manualEngine(new KyselyCampaignStore(own.db), T0);
      const [address, number, erasedAddress] = [email(), phone(), email()];
      const { campaign } = await engine.service.persistPlan({
        contact: { id: randomUUID(), email: address, phone: number },
        plan: nowPlan,
      });
      const view = await engine.service.getCampaign(campaign.id);
      const send = view.pendingActions.find((a) => a.kind === 'send');
      if (!send) throw new Error('no pending send');
      await engine.service.executeAction(send.id);
      const erased = randomUUID();
      const ownContacts = new KyselyContactRepository(own.db);
      await ownContacts.upsertAndLock({ id: erased, idGiven: true, email: erasedAddress });
      await ownContacts.suppress(erased, 'unsubscribed', T0);
      await new KyselyContactAdminRepository(own.db).erase(erased, T0);

      // As a database migrated to 0017 holds them: no lookup rows at all.
      await lookupTables.down(own.db as never);
      await lookupTables.up(own.db as never);

      const ownReader = new KyselyCampaignReader(own.db);
      expect(await ownReader.contactIdsByEmail(address)).toEqual([view.contact.id]);
      expect(await new KyselyContactRepository(own.db).suppressSmsByPhone(number, 'stop', T0)).toBe(1);
      expect(await ownContacts.emailSuppressed(erasedAddress)).toBe('unsubscribed');
      const message = await own.db
        .selectFrom('outbound_messages')
        .select(['id', 'provider_message_id'])
        .where('contact_id', '=', view.contact.id)
        .executeTakeFirstOrThrow();
      const found = await ownReader.findMessage({ providerMessageId: message.provider_message_id as string });
      expect(found?.id).toBe(message.id);
    } finally {
      await own.dispose();
    }
  }, 30_000);
});
