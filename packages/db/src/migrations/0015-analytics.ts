import { type Kysely, sql } from 'kysely';

/*
 * Analytics (issue 14 item 4, DESIGN section 12) over a time range of a million messages in under a
 * second: the messages of a range are read by their `sent_at` (status `sent` only: shadow and unsent
 * messages are never counted) from a covering index, their genuine events by
 * message_events_decisive_idx (0004); executed timeouts by their execution time, for timer lateness.
 * Plan shapes use contact_campaigns.plan_shape (0014).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index outbound_messages_sent_at_idx on outbound_messages (sent_at)
    include (id, contact_id, campaign_id, node_id, channel, sender_id) where status = 'sent'`.execute(db);
  await sql`create index scheduled_actions_lateness_idx on scheduled_actions (executed_at) include (run_at)
    where kind = 'timeout' and executed_at is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index scheduled_actions_lateness_idx`.execute(db);
  await sql`drop index outbound_messages_sent_at_idx`.execute(db);
}
