import { type Kysely, sql } from 'kysely';

/*
 * Plan v1.1 messages (DESIGN section 10): a message row records its channel (`email`, or `sms` whose
 * `to_email` holds the phone number in E.164 and whose `body` holds the text), and a threaded email
 * records what its reply headers named: `in_reply_to`, our id of the email it replies to, and
 * `references_header`, the References header it went with (the chain before it plus that email's
 * Message-ID), so that a later reply continues the chain. Rows from before keep `email` and nulls.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table outbound_messages
    add column channel text not null default 'email' check (channel in ('email', 'sms')),
    add column in_reply_to uuid,
    add column references_header text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table outbound_messages
    drop column channel, drop column in_reply_to, drop column references_header`.execute(db);
}
