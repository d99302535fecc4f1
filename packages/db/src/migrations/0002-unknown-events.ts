import { type Kysely, sql } from 'kysely';

/*
 * Provider events the engine does not act on (types it does not know) are stored too, as type
 * 'unknown' with the provider's own name in raw_type, so the record of what a provider said is whole.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table message_events drop constraint message_events_type_check`.execute(db);
  await sql`alter table message_events add constraint message_events_type_check check (type in
    ('delivered', 'opened', 'clicked', 'replied', 'bounced', 'complained', 'unsubscribed', 'unknown'))`.execute(
    db,
  );
  await sql`alter table message_events add column raw_type text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from message_events where type = 'unknown'`.execute(db);
  await sql`alter table message_events drop column raw_type`.execute(db);
  await sql`alter table message_events drop constraint message_events_type_check`.execute(db);
  await sql`alter table message_events add constraint message_events_type_check check (type in
    ('delivered', 'opened', 'clicked', 'replied', 'bounced', 'complained', 'unsubscribed'))`.execute(db);
}
