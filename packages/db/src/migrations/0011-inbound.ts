import { type Kysely, sql } from 'kysely';

/*
 * Inbound mail (DESIGN section 14). An inbound event's classification and the header that decided it
 * are kept on its message_events row, for the timeline (an operator sees why a reply did or did not stop
 * a campaign). Messages that match nothing we sent go to inbound_unmatched, once per inbound
 * Message-ID, listed newest first by `seq` (keyset pages). The address-pair match reads contacts by
 * contacts_email_idx and a contact's emails by outbound_messages_contact_email_idx.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table message_events
    add column inbound_kind text
      check (inbound_kind in ('hard_bounce', 'soft_bounce', 'auto_reply', 'complaint', 'reply')),
    add column decided_by text`.execute(db);
  await sql`
    create table inbound_unmatched (
      message_id text primary key,
      source text not null check (source in ('sendgrid', 'mailgun', 'postmark', 'mime', 'imap')),
      from_address text,
      to_addresses text[] not null,
      subject text,
      kind text not null check (kind in ('hard_bounce', 'soft_bounce', 'auto_reply', 'complaint', 'reply')),
      decided_by text not null,
      refers_to text[] not null,
      received_at timestamptz not null,
      seq bigserial not null
    )`.execute(db);
  await sql`create unique index inbound_unmatched_seq_idx on inbound_unmatched (seq)`.execute(db);
  await sql`create index outbound_messages_contact_email_idx on outbound_messages (contact_id, sent_at desc)
    where status = 'sent' and channel = 'email'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index outbound_messages_contact_email_idx`.execute(db);
  await sql`drop table inbound_unmatched`.execute(db);
  await sql`alter table message_events drop column inbound_kind, drop column decided_by`.execute(db);
}
