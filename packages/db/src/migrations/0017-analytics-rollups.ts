import { type Kysely, sql } from 'kysely';

/*
 * Analytics over a million messages in under a second (issue 14 item 4). What 0016's message_facts left
 * slow were the figures counted per campaign (campaigns, conversions and replies per plan shape and per
 * experiment variant; conversions per node): a campaign counts once however many of its messages fall in
 * the range, so those queries grouped a million rows by campaign (a 250,000-group hash or sort, 2-8 s
 * here). Daily rollups do not help there: a campaign's messages span days, and a distinct count does not
 * add up over days. What this migration does instead:
 *
 * - `prev_sent_at`: the sent_at of the campaign's previous message, in (sent_at, message_id) order (null
 *   for its first). A campaign has a message in [from, to) exactly when one of its messages in the range
 *   has `prev_sent_at` null or before `from` (its first message in the range: any later one has a
 *   predecessor in the range, its first has none), so "campaigns in the range" is a plain count of
 *   the range's rows, which Postgres runs in parallel and without a hash of campaigns. The same holds
 *   from any instant after `from` (an experiment counts a campaign's messages from its assignment on).
 *   Kept by a trigger on message_facts that recomputes the campaign's chain (a few rows, under a
 *   advisory lock of the campaign's bucket, one of 511, so two concurrent sends of one campaign cannot
 *   both miss each other),
 *   and by message_facts_backfill for bulk loads.
 * - Partial covering indexes for the rarer facts (genuine opens, replies, conversions), so the figures
 *   that stay distinct counts or percentiles read those rows only, often by an index-only scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table message_facts add column prev_sent_at timestamptz`.execute(db);
  await sql`
    update message_facts f set prev_sent_at = x.prev
    from (select contact_id, message_id,
            lag(sent_at) over (partition by contact_id, campaign_id order by sent_at, message_id) as prev
          from message_facts) x
    where f.contact_id = x.contact_id and f.message_id = x.message_id and x.prev is not null`.execute(db);

  await sql
    .raw(`
    create function message_facts_chain(p_contact text, p_campaign uuid) returns void language plpgsql as $$
    begin
      -- One of 511 lock buckets, not one lock per campaign: a transaction that writes the facts of many
      -- campaigns (a bulk copy) would otherwise hold one lock each, past max_locks_per_transaction
      -- ("out of shared memory"). Two campaigns of one bucket only wait for each other's commit.
      perform pg_advisory_xact_lock(hashtextextended('message_facts_chain:' || p_campaign::text, 0) % 256);
      -- A statement after the lock: read committed sees what a concurrent sender of this campaign committed.
      update message_facts f set prev_sent_at = x.prev
      from (select message_id, lag(sent_at) over (order by sent_at, message_id) as prev
            from message_facts where contact_id = p_contact and campaign_id = p_campaign) x
      where f.contact_id = p_contact and f.message_id = x.message_id and f.prev_sent_at is distinct from x.prev;
    end $$`)
    .execute(db);
  await sql
    .raw(`
    create function message_facts_on_fact() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        perform message_facts_chain(old.contact_id, old.campaign_id);
      else
        perform message_facts_chain(new.contact_id, new.campaign_id);
        if tg_op = 'UPDATE' and old.campaign_id <> new.campaign_id then
          perform message_facts_chain(old.contact_id, old.campaign_id);
        end if;
      end if;
      return null;
    end $$`)
    .execute(db);
  await sql`create trigger message_facts_chain_insert_delete after insert or delete on message_facts
    for each row execute function message_facts_on_fact()`.execute(db);
  await sql`create trigger message_facts_chain_update after update of sent_at, campaign_id on message_facts
    for each row when (old.sent_at is distinct from new.sent_at or old.campaign_id is distinct from new.campaign_id)
    execute function message_facts_on_fact()`.execute(db);

  // The bulk backfill (triggers off in the bench's seed) writes the chain itself.
  await sql
    .raw(`
    create or replace function message_facts_backfill() returns void language sql as $$
      insert into message_facts (contact_id, message_id, campaign_id, node_id, channel, sender_id, sent_at,
          delivered, open_after, clicked, reply_after, bounced, complained, unsubscribed, converted, plan_shape)
      select m.contact_id, m.id, m.campaign_id, m.node_id, m.channel, m.sender_id, m.sent_at,
        coalesce(e.delivered, false), extract(epoch from e.first_open - m.sent_at)::double precision,
        coalesce(e.clicked, false), extract(epoch from e.first_reply - m.sent_at)::double precision,
        coalesce(e.bounced, false), coalesce(e.complained, false), coalesce(e.unsubscribed, false),
        coalesce(cc.stop_reason like 'goal:%', false), cc.plan_shape
      from outbound_messages m
      join contact_campaigns cc on cc.contact_id = m.contact_id and cc.id = m.campaign_id
      left join (
        select e.contact_id, e.message_id, bool_or(e.type = 'delivered') as delivered,
          min(e.occurred_at) filter (where e.type = 'opened') as first_open, bool_or(e.type = 'clicked') as clicked,
          min(e.occurred_at) filter (where e.type = 'replied') as first_reply, bool_or(e.type = 'bounced') as bounced,
          bool_or(e.type = 'complained') as complained, bool_or(e.type = 'unsubscribed') as unsubscribed
        from message_events e where e.message_id is not null and ${GENUINE('e')}
        group by e.contact_id, e.message_id
      ) e on e.contact_id = m.contact_id and e.message_id = m.id
      where m.status = 'sent' and m.sent_at is not null
      on conflict (contact_id, message_id) do nothing;
      update message_facts f set prev_sent_at = x.prev
      from (select contact_id, message_id,
              lag(sent_at) over (partition by contact_id, campaign_id order by sent_at, message_id) as prev
            from message_facts) x
      where f.contact_id = x.contact_id and f.message_id = x.message_id and f.prev_sent_at is distinct from x.prev;
    $$`)
    .execute(db);

  await sql`create index message_facts_opened_idx on message_facts (sent_at)
    include (node_id, channel, open_after) where open_after is not null`.execute(db);
  await sql`create index message_facts_replied_idx on message_facts (sent_at)
    include (node_id, channel, reply_after, plan_shape, campaign_id) where reply_after is not null`.execute(
    db,
  );
  await sql`create index message_facts_converted_idx on message_facts (sent_at)
    include (node_id, channel, campaign_id) where converted`.execute(db);
}

/** 0016's definition of genuine (the engine's isGenuine), repeated: a migration never imports another. */
function GENUINE(e: string): string {
  return `${e}.type <> 'unknown' and not (${e}.type = 'opened' and (${e}.machine or ${e}.bot))
    and not (${e}.type = 'clicked' and ${e}.bot) and not (${e}.type = 'replied' and ${e}.auto_reply)`;
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index message_facts_converted_idx`.execute(db);
  await sql`drop index message_facts_replied_idx`.execute(db);
  await sql`drop index message_facts_opened_idx`.execute(db);
  await sql`drop trigger message_facts_chain_update on message_facts`.execute(db);
  await sql`drop trigger message_facts_chain_insert_delete on message_facts`.execute(db);
  await sql`drop function message_facts_on_fact()`.execute(db);
  await sql`drop function message_facts_chain(text, uuid)`.execute(db);
  await sql`alter table message_facts drop column prev_sent_at`.execute(db);
  // 0016's backfill, without the chain.
  await sql
    .raw(`
    create or replace function message_facts_backfill() returns void language sql as $$
      insert into message_facts (contact_id, message_id, campaign_id, node_id, channel, sender_id, sent_at,
          delivered, open_after, clicked, reply_after, bounced, complained, unsubscribed, converted, plan_shape)
      select m.contact_id, m.id, m.campaign_id, m.node_id, m.channel, m.sender_id, m.sent_at,
        coalesce(e.delivered, false), extract(epoch from e.first_open - m.sent_at)::double precision,
        coalesce(e.clicked, false), extract(epoch from e.first_reply - m.sent_at)::double precision,
        coalesce(e.bounced, false), coalesce(e.complained, false), coalesce(e.unsubscribed, false),
        coalesce(cc.stop_reason like 'goal:%', false), cc.plan_shape
      from outbound_messages m
      join contact_campaigns cc on cc.contact_id = m.contact_id and cc.id = m.campaign_id
      left join (
        select e.contact_id, e.message_id, bool_or(e.type = 'delivered') as delivered,
          min(e.occurred_at) filter (where e.type = 'opened') as first_open, bool_or(e.type = 'clicked') as clicked,
          min(e.occurred_at) filter (where e.type = 'replied') as first_reply, bool_or(e.type = 'bounced') as bounced,
          bool_or(e.type = 'complained') as complained, bool_or(e.type = 'unsubscribed') as unsubscribed
        from message_events e where e.message_id is not null and ${GENUINE('e')}
        group by e.contact_id, e.message_id
      ) e on e.contact_id = m.contact_id and e.message_id = m.id
      where m.status = 'sent' and m.sent_at is not null
      on conflict (contact_id, message_id) do nothing
    $$`)
    .execute(db);
}
