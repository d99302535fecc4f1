import { type Kysely, sql } from 'kysely';

/*
 * Two reads that must not grow with a campaign's history.
 *
 * Every event a campaign handles reads its latest message's decisive events (the earliest genuine event
 * of each type): one probe per type of this index. Its predicate is the engine's isGenuine, written
 * exactly as the query writes it (kysely-repositories.ts, GENUINE_EVENT), so the planner can use it.
 *
 * The timeline is read a page at a time by its sequence; the executed timeouts needed an index on it
 * (the other sources have one: message_events_campaign_idx, campaign_transitions_campaign_idx,
 * outbound_messages_latest_idx).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index message_events_decisive_idx on message_events (message_id, type, occurred_at, seq)
    where type <> 'unknown' and not (type = 'opened' and (machine or bot))
            and not (type = 'clicked' and bot) and not (type = 'replied' and auto_reply)`.execute(db);
  await sql`create index scheduled_actions_timeline_idx on scheduled_actions (campaign_id, executed_seq)
    where kind = 'timeout' and executed_seq is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists scheduled_actions_timeline_idx`.execute(db);
  await sql`drop index if exists message_events_decisive_idx`.execute(db);
}
