import { type Kysely, sql } from 'kysely';

/*
 * An idempotency key answers only the request it was first used with: the campaign keeps the SHA-256 of
 * that request's canonical JSON (campaignRequestHash), and the same key with another hash is refused
 * (idempotency_conflict). Campaigns created before this migration have none and match any request with
 * their key, as they did. The lookup stays on the (contact_id, idempotency_key) unique index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table contact_campaigns add column request_hash text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table contact_campaigns drop column request_hash`.execute(db);
}
