import { type Kysely, sql } from 'kysely';

/*
 * No global unique index on a distributed table (DESIGN section 9, issue 15 item 5): Citus refuses a
 * unique index without the distribution column, and every id that travels outside now carries its
 * contact, so nothing needs one. The primary keys (contact_id, id) keep each id unique per contact; ids
 * are random or derived from keys unique per contact, so they stay unique in practice. A plain index on id
 * remains for the lookups by a bare id (ids handed out before they carried their contact).
 */
const INDEXES = [
  ['contact_campaigns_id_idx', 'contact_campaigns'],
  ['scheduled_actions_id_idx', 'scheduled_actions'],
  ['outbound_messages_id_idx', 'outbound_messages'],
  ['message_events_id_idx', 'message_events'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [index, table] of INDEXES) {
    await sql`drop index ${sql.id(index)}`.execute(db);
    await sql`create index ${sql.id(index)} on ${sql.id(table)} (id)`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [index, table] of INDEXES) {
    await sql`drop index ${sql.id(index)}`.execute(db);
    await sql`create unique index ${sql.id(index)} on ${sql.id(table)} (id)`.execute(db);
  }
}
