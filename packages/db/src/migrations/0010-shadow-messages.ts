import { type Kysely, sql } from 'kysely';

/*
 * Shadow mode (DESIGN section 11): a shadow campaign's messages are recorded with status `shadow` (0009)
 * and stand for sent messages in everything the engine reads (its latest message, the thread a follow-up
 * replies to). outbound_messages_latest_idx covers `sent` rows only; this is its twin for `shadow` rows,
 * so the latest-message probe of a shadow campaign is an index probe too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index outbound_messages_latest_shadow_idx on outbound_messages (campaign_id, seq desc)
    where status = 'shadow'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index outbound_messages_latest_shadow_idx`.execute(db);
}
