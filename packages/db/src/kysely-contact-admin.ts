import { createHash } from 'node:crypto';
import type {
  CampaignListFilter,
  CampaignListItem,
  CampaignListPosition,
  CampaignStatus,
  ContactAdminRepository,
  ContactFields,
} from '@campaign/core';
import { type Kysely, sql } from 'kysely';
import { contactIdsByDigest, forgetAddress, recordAddresses } from './contact-addresses.ts';
import { routedTo, type TransactionScope } from './routing.ts';
import type { Database } from './schema.ts';

/*
 * The contact endpoints' writes and the campaign list (issue 14; migration 0014 has the columns and
 * indexes, and why the erased addresses are kept as plain SHA-256).
 */

type Db = Kysely<Database>;

/** SHA-256 hex of an email as suppression compares it: trimmed and lowercased. */
export function emailDigest(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('hex');
}

const ERASED_TEXTS = new Set(['subject', 'body', 'text', 'contains']);
const ERASED_VALUES = new Set(['equals', 'notEquals']);

/**
 * A stored plan without what it says: send texts (`subject`, `body`, `text`) blanked, the values a branch
 * condition compares (`equals`, `notEquals`, `in`, `contains`) emptied; ids, actions, channels, transitions
 * and durations stay, so the plan still parses, draws and has the same shape.
 */
export function withoutTexts(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTexts);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      if (ERASED_TEXTS.has(key) && typeof v === 'string') return [key, ''];
      if (ERASED_VALUES.has(key)) return [key, null];
      if (key === 'in' && Array.isArray(v)) return [key, []];
      return [key, withoutTexts(v)];
    }),
  );
}

/** SHA-256 hex of an E.164 phone number. */
export function phoneDigest(phone: string): string {
  return createHash('sha256').update(phone, 'utf8').digest('hex');
}

export class KyselyContactAdminRepository implements ContactAdminRepository {
  private readonly db: Db;
  /** The transaction's contact (`TransactionScope`): its statements by id name it (see `routedTo`). */
  private readonly scope: TransactionScope;
  constructor(db: Db, scope: TransactionScope = {}) {
    this.db = db;
    this.scope = scope;
  }

  async update(contactId: string, fields: ContactFields, at: Date): Promise<void> {
    // The phone it had, locked, so contact_addresses can move to the new one.
    const before = await this.db
      .selectFrom('contacts')
      .select(['email', 'phone'])
      .where('id', '=', contactId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) return;
    await this.db
      .updateTable('contacts')
      .set({
        name: fields.name,
        timezone: fields.timezone,
        phone: fields.phone,
        attributes: JSON.stringify(fields.attributes),
        updated_at: at,
      })
      .where('id', '=', contactId)
      .execute();
    await recordAddresses(this.db, contactId, before, { email: before.email, phone: fields.phone });
  }

  async erase(contactId: string, at: Date): Promise<void> {
    const contact = await this.db
      .selectFrom('contacts')
      .select(['email', 'phone', 'suppressed_at', 'sms_suppressed_at', 'email_sha256', 'phone_sha256'])
      .where('id', '=', contactId)
      .executeTakeFirst();
    if (!contact) return;
    // Only a suppressed address keeps its digest: nothing else needs to recognise it again.
    const emailSha =
      contact.email !== null && contact.suppressed_at !== null
        ? emailDigest(contact.email)
        : contact.email_sha256;
    const phoneSha =
      contact.phone !== null && contact.sms_suppressed_at !== null
        ? phoneDigest(contact.phone)
        : contact.phone_sha256;
    await this.db
      .updateTable('contacts')
      .set({
        email: null,
        phone: null,
        name: null,
        timezone: null,
        attributes: '{}',
        email_sha256: emailSha,
        phone_sha256: phoneSha,
        erased_at: at,
        updated_at: at,
      })
      .where('id', '=', contactId)
      .execute();
    // contact_addresses keeps the rows of the digests kept above, and forgets the others.
    for (const [address, kept] of [
      [contact.email === null ? null : emailDigest(contact.email), emailSha],
      [contact.phone === null ? null : phoneDigest(contact.phone), phoneSha],
    ]) {
      if (address !== null && address !== kept) await forgetAddress(this.db, contactId, address as string);
    }
    // The rendered messages and any provider error (which may quote the recipient).
    await this.db
      .updateTable('outbound_messages')
      .set({ to_email: '', subject: '', body: '', last_error: null })
      .where('contact_id', '=', contactId)
      .execute();
    await this.db
      .updateTable('scheduled_actions')
      .set({ last_error: null })
      .where('contact_id', '=', contactId)
      .where('last_error', 'is not', null)
      .execute();
    await this.db
      .updateTable('message_events')
      .set({ payload: null })
      .where('contact_id', '=', contactId)
      .where('payload', 'is not', null)
      .execute();
    await this.db
      .updateTable('custom_events')
      .set({ payload: null })
      .where('contact_id', '=', contactId)
      .where('payload', 'is not', null)
      .execute();
    // A plan written for this one contact may carry its name or address in its texts: the stored plans keep
    // their shape (nodes, transitions, timings) and lose their texts and compared values.
    const campaigns = await this.db
      .selectFrom('contact_campaigns')
      .select(['id', 'plan'])
      .where('contact_id', '=', contactId)
      .execute();
    for (const campaign of campaigns) {
      await this.db
        .updateTable('contact_campaigns')
        .set({ plan: JSON.stringify(withoutTexts(campaign.plan)), updated_at: at })
        .where('contact_id', '=', contactId)
        .where('id', '=', campaign.id)
        .execute();
    }
    // Inbound mail or texts from (or to) the address that matched nothing we sent.
    const addresses = [contact.email?.trim().toLowerCase(), contact.phone].filter(
      (a): a is string => typeof a === 'string' && a !== '',
    );
    if (addresses.length > 0)
      await this.db
        .deleteFrom('inbound_unmatched')
        .where((eb) =>
          eb.or([
            eb(sql`lower(from_address)`, 'in', addresses),
            sql<boolean>`exists (select 1 from unnest(to_addresses) t where lower(t) = any(${addresses}::text[]))`,
          ]),
        )
        .execute();
  }

  async setCampaignTimezone(campaignId: string, timezone: string, at: Date): Promise<void> {
    await this.db
      .updateTable('contact_campaigns')
      .set({ timezone, updated_at: at })
      .where('id', '=', campaignId)
      .$call(routedTo(this.scope.contactId))
      .execute();
  }
}

/** See CampaignListReader.listCampaigns. */
export async function listCampaigns(
  db: Db,
  filter: CampaignListFilter,
  after: CampaignListPosition | null,
  limit: number,
): Promise<CampaignListItem[]> {
  const email = filter.email?.trim().toLowerCase();
  // The contacts of the email through contact_addresses (0018), so the list reads only their shards.
  const contactIds = email === undefined ? [] : await contactIdsByEmail(db, email);
  if (email !== undefined && contactIds.length === 0) return [];
  const rows = await db
    .selectFrom('contact_campaigns as c')
    .select([
      'c.id',
      'c.contact_id',
      'c.status',
      'c.current_node_id',
      'c.plan_version',
      'c.mode',
      'c.email_sender_id',
      'c.sms_sender_id',
      'c.created_at',
      'c.plan_shape',
    ])
    .$if(filter.status !== undefined, (q) => q.where('c.status', '=', filter.status as string))
    .$if(email !== undefined, (q) => q.where('c.contact_id', 'in', contactIds))
    .$if(filter.senderId !== undefined, (q) =>
      q.where((eb) =>
        eb.or([
          eb('c.email_sender_id', '=', filter.senderId as string),
          eb('c.sms_sender_id', '=', filter.senderId as string),
        ]),
      ),
    )
    .$if(filter.experiment !== undefined, (q) =>
      q.where((eb) =>
        eb.or([
          // A named split, or an unnamed one whose experiment is its node id.
          sql<boolean>`c.plan @> ${JSON.stringify({ nodes: [{ action: 'split', experiment: filter.experiment }] })}::jsonb`,
          sql<boolean>`(c.plan @> ${JSON.stringify({ nodes: [{ action: 'split', id: filter.experiment }] })}::jsonb
            and exists (select 1 from jsonb_array_elements(c.plan -> 'nodes') n
              where n ->> 'action' = 'split' and n ->> 'id' = ${filter.experiment} and n -> 'experiment' is null))`,
        ]),
      ),
    )
    .$if(filter.planShape !== undefined, (q) => q.where('c.plan_shape', '=', filter.planShape as string))
    .$if(after !== null, (q) =>
      q.where(sql<boolean>`(c.created_at, c.id) < (${after?.createdAt}, ${after?.id}::uuid)`),
    )
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    contactId: r.contact_id,
    status: r.status as CampaignStatus,
    currentNodeId: r.current_node_id,
    planVersion: r.plan_version,
    mode: r.mode === 'shadow' ? 'shadow' : 'live',
    senderIds: { email: r.email_sender_id, sms: r.sms_sender_id },
    createdAt: r.created_at,
    planShape: r.plan_shape,
  }));
}

/** The ids of the contacts whose email is this one (any case), in id order. */
export async function contactIdsByEmail(db: Db, email: string): Promise<string[]> {
  const normalized = email.trim().toLowerCase();
  const ids = await contactIdsByDigest(db, emailDigest(normalized));
  if (ids.length === 0) return [];
  // lower(email) as before: the table may hold an address the contact no longer has.
  const rows = await db
    .selectFrom('contacts')
    .select('id')
    .where('id', 'in', ids)
    .where(sql`lower(email)`, '=', normalized)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}
