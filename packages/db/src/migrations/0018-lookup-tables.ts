import { type Kysely, sql } from 'kysely';

/*
 * Two lookup tables, so that the lookups by address and by provider id reach a contact on one shard
 * (issue 15 item 5; docs/scaling.md, "How the code stays routable"). On Citus each is distributed by its
 * own key, not co-located with contacts: a lookup reads it by that key (one shard), gets the contact ids,
 * and then reads the contact's tables by contact id (one shard each).
 *
 * - `contact_addresses`: one row per contact and address it is known by, the address as 0014 hashes it
 *   (SHA-256 hex of the email trimmed and lowercased, or of the E.164 phone). The repositories write it in
 *   the transaction that sets or changes a contact's email or phone; an erasure deletes the rows of the
 *   addresses it forgets and keeps those of suppressed addresses, whose digests the contact row keeps too.
 *   The lookups check the contact rows again, so a row the table holds for nothing is harmless; one it
 *   misses would lose a match, hence the backfill of every address and kept digest below.
 * - `provider_refs`: the provider's message id of each accepted message (written with `markSent`), for a
 *   webhook that does not echo our id. The provider itself is not recorded with a message, and the lookup
 *   matches the provider's id alone, as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table contact_addresses (
    address_sha256 text not null,
    kind text not null check (kind in ('email', 'phone')),
    contact_id text not null,
    primary key (address_sha256, contact_id)
  )`.execute(db);
  await sql`create table provider_refs (
    provider_id text not null,
    contact_id text not null,
    message_id uuid not null,
    primary key (provider_id, message_id)
  )`.execute(db);
  await sql`insert into contact_addresses (address_sha256, kind, contact_id)
    select encode(sha256(convert_to(lower(btrim(email)), 'UTF8')), 'hex'), 'email', id from contacts
      where email is not null
    union select email_sha256, 'email', id from contacts where email_sha256 is not null
    union select encode(sha256(convert_to(phone, 'UTF8')), 'hex'), 'phone', id from contacts
      where phone is not null
    union select phone_sha256, 'phone', id from contacts where phone_sha256 is not null
    on conflict do nothing`.execute(db);
  await sql`insert into provider_refs (provider_id, contact_id, message_id)
    select provider_message_id, contact_id, id from outbound_messages where provider_message_id is not null
    on conflict do nothing`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table provider_refs`.execute(db);
  await sql`drop table contact_addresses`.execute(db);
}
