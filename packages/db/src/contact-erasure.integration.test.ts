import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { InboundMessageInput, Plan } from '@campaign/core';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { withoutTexts } from './kysely-contact-admin.ts';
import { createTestDatabase, manualEngine, type TestDatabase } from './testing.ts';

/*
 * Erasure leaves no personal data (issue 14, `DELETE /v1/contacts/:id`): a contact is seeded with its name,
 * email and phone in every place the engine writes them (the contact, a plan written for it, rendered
 * messages, a provider error quoting the address, event payloads, an inbound auto-reply, a custom event,
 * an unmatched inbound message from the address); after erasure a scan of every text, JSON and text-array
 * column of every table in the database finds none of the three. Only the suppressed address's SHA-256 stays.
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');
const MAIL_FROM = 'Acme Outreach <outreach@acme.example>';
const HOUR = 3_600_000;

type Db = Kysely<unknown>;

/** Every `schema.table.column` of a text-like type (text, varchar, char, json, jsonb, text[]) holding any needle. */
async function columnsHolding(db: Db, needles: readonly string[]): Promise<string[]> {
  const columns = await sql<{ table_schema: string; table_name: string; column_name: string }>`
    select c.table_schema, c.table_name, c.column_name
    from information_schema.columns c
    join information_schema.tables t
      on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema not in ('pg_catalog', 'information_schema') and c.table_schema not like 'pg\\_%'
      and (c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb')
        or (c.data_type = 'ARRAY' and c.udt_name in ('_text', '_varchar')))
    order by 1, 2, 3`.execute(db);
  const patterns = needles.map((n) => `%${n.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const found: string[] = [];
  for (const { table_schema, table_name, column_name } of columns.rows) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from ${sql.table(`${table_schema}.${table_name}`)}
      where ${sql.ref(column_name)}::text ilike any(${patterns}::text[])`.execute(db);
    if ((rows[0]?.n ?? 0) > 0) found.push(`${table_schema}.${table_name}.${column_name}`);
  }
  return found;
}

describe.each(['postgres', 'pglite'] as const)('contact erasure on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 90_000);
  afterAll(async () => database?.dispose());

  it('leaves no name, email or phone in any text column of any table; the suppressed address stays by its SHA-256', async () => {
    const engine = manualEngine(store, T0, { mailFrom: MAIL_FROM });
    const { service, clock, scheduler, transport } = engine;
    await scheduler.start(async (id) => {
      await service.executeAction(id);
    });
    const name = `Zephyrine${randomBytes(4).toString('hex')}`;
    const email = `${name.toLowerCase()}.${randomUUID()}@prospect.example`;
    const phone = `+4917${String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0')}`;
    const contact = {
      id: randomUUID(),
      email,
      name,
      phone,
      timezone: 'UTC',
      attributes: { firstName: name, note: `call ${phone}` },
    };
    // A plan written for this one contact: its name and address in the texts and in a branch condition.
    const plan = {
      version: '1.1',
      timezone: 'UTC',
      startNodeId: 'intro',
      nodes: [
        {
          id: 'intro',
          action: 'send',
          subject: `A note for ${name}`,
          body: `<p>Hi ${name}, is ${email} still the best address?</p>`,
          transitions: [
            { on: 'opened', to: 'check' },
            { on: 'no_open', to: 'done', after: 'P3D' },
          ],
        },
        {
          id: 'check',
          action: 'branch',
          branches: [{ when: { attribute: 'note', contains: phone }, to: 'bump' }],
          otherwise: 'done',
        },
        {
          id: 'bump',
          action: 'send',
          subject: `Following up, {{firstName}}`,
          body: `<p>${name}, one more thing.</p>`,
          schedule: { delay: 'P1D' },
          transitions: [],
        },
        { id: 'done', action: 'end' },
      ],
    } as Plan;
    const { campaign } = await service.persistPlan({ contact, plan });
    expect(await scheduler.runDue()).toBe(1);
    const intro = transport.sent[0];
    if (!intro) throw new Error('the intro was not sent');
    clock.advance(HOUR);
    // An open with the provider's payload, which names the recipient.
    await service.recordEvent({
      provider: 'test',
      providerEventId: `open-${randomUUID()}`,
      messageId: intro.messageId,
      type: 'opened',
      occurredAt: clock.now(),
      payload: { event: 'open', email, name },
    });
    // An auto-reply from the contact (matched, not genuine: the campaign goes on), and a message from its
    // address that matches nothing we sent.
    const inbound = (overrides: Partial<InboundMessageInput>): InboundMessageInput => ({
      messageId: `${randomUUID()}@mail.client.example`,
      from: email,
      to: ['outreach@acme.example'],
      subject: `Re: A note for ${name}`,
      date: null,
      refersTo: [],
      originalRecipient: null,
      classification: {
        kind: 'auto_reply',
        event: 'replied',
        autoReply: true,
        decidedBy: 'Auto-Submitted: auto-replied',
      },
      ...overrides,
    });
    expect(
      await service.recordInbound(inbound({ refersTo: [intro.messageIdHeader.slice(1, -1)] }), 'imap'),
    ).toMatchObject({ status: 'accepted' });
    expect(
      await service.recordInbound(
        inbound({ to: ['someone@elsewhere.example'], subject: `From ${name}` }),
        'sendgrid',
      ),
    ).toEqual({ status: 'unmatched', duplicate: false });
    expect(
      await service.recordCustomEvent({
        id: `visit-${randomUUID()}`,
        name: 'visited_pricing',
        occurredAt: clock.now(),
        contactId: contact.id,
        payload: { email, phone, name },
      }),
    ).toMatchObject({ status: 'accepted' });
    // A provider refusal that quotes the recipient, as SMTP servers do (the send path stores their text).
    const refusal = `550 5.1.1 <${email}>: recipient rejected`;
    const db = database.db;
    await db
      .updateTable('outbound_messages')
      .set({ last_error: refusal })
      .where('contact_id', '=', contact.id)
      .execute();
    await db
      .updateTable('scheduled_actions')
      .set({ last_error: refusal })
      .where('contact_id', '=', contact.id)
      .execute();
    await store.transaction(async (tx) => {
      await tx.contacts.suppress(contact.id, 'unsubscribed', clock.now());
    });
    const needles = [email, name, phone.slice(1)];

    // The seeding put them where the engine keeps them, so the scan below can see them.
    expect(await columnsHolding(db as Db, needles)).toEqual(
      expect.arrayContaining([
        'public.contacts.attributes',
        'public.contacts.email',
        'public.contacts.name',
        'public.contacts.phone',
        'public.contact_campaigns.plan',
        'public.outbound_messages.to_email',
        'public.outbound_messages.subject',
        'public.outbound_messages.body',
        'public.outbound_messages.last_error',
        'public.scheduled_actions.last_error',
        'public.message_events.payload',
        'public.custom_events.payload',
        'public.inbound_unmatched.from_address',
        'public.inbound_unmatched.subject',
      ]),
    );

    const erased = await service.eraseContact(contact.id);

    expect(erased).toEqual({ contactId: contact.id, cancelledCampaignIds: [campaign.id] });
    expect(await columnsHolding(db as Db, needles)).toEqual([]);
    const row = await db
      .selectFrom('contacts')
      .select(['email_sha256', 'phone_sha256'])
      .where('id', '=', contact.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      email_sha256: createHash('sha256').update(email).digest('hex'),
      phone_sha256: null,
    });
    // The campaign's record still reads: its plan keeps its shape, its timeline its entries.
    const stored = await service.getCampaignPlan(campaign.id);
    expect(stored.plan).toEqual(withoutTexts(plan));
    expect(stored.plan.nodes.map((n) => [n.id, n.action])).toEqual([
      ['intro', 'send'],
      ['check', 'branch'],
      ['bump', 'send'],
      ['done', 'end'],
    ]);
    const view = await service.getCampaign(campaign.id);
    expect(view.campaign.state.status).toBe('cancelled');
    expect(view.timeline.map((e) => e.kind)).toContain('send');
  });

  it('withoutTexts blanks texts and compared values and keeps the rest', () => {
    expect(
      withoutTexts({
        nodes: [
          { id: 'a', action: 'send', subject: 'S', body: 'B', transitions: [{ on: 'opened', to: 'b' }] },
          { id: 's', action: 'send', channel: 'sms', text: 'T' },
          {
            id: 'b',
            action: 'branch',
            branches: [
              {
                when: {
                  all: [
                    { attribute: 'x', equals: 'E' },
                    { attribute: 'y', in: ['I'] },
                    { not: { attribute: 'z', notEquals: 3, contains: 'C' } },
                  ],
                },
                to: 'a',
              },
            ],
            otherwise: 'a',
          },
        ],
      }),
    ).toEqual({
      nodes: [
        { id: 'a', action: 'send', subject: '', body: '', transitions: [{ on: 'opened', to: 'b' }] },
        { id: 's', action: 'send', channel: 'sms', text: '' },
        {
          id: 'b',
          action: 'branch',
          branches: [
            {
              when: {
                all: [
                  { attribute: 'x', equals: null },
                  { attribute: 'y', in: [] },
                  { not: { attribute: 'z', notEquals: null, contains: '' } },
                ],
              },
              to: 'a',
            },
          ],
          otherwise: 'a',
        },
      ],
    });
  });
});
