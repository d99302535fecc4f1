import { type Kysely, sql } from 'kysely';

/*
 * The Message-ID each email went with (DESIGN section 9: it carries the contact id now,
 * `<message uuid.contact id@domain>`). A threaded follow-up's In-Reply-To must be exactly the header its
 * parent went with, whatever format or MESSAGE_ID_DOMAIN it was sent under; null for the messages sent
 * before this column, which went as `<message uuid@domain>`. No backfill: adding a nullable column
 * rewrites nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table outbound_messages add column message_id_header text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table outbound_messages drop column message_id_header`.execute(db);
}
