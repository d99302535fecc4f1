import { type Kysely, sql } from 'kysely';

/*
 * Analytics rollup (issue 14 item 4): one narrow row per sent message (status `sent`: shadow and unsent
 * messages never appear) with what analytics counts about it, kept current by triggers, so a range of a
 * million messages is one index range scan of this table instead of a join with every event:
 * - `delivered`, `clicked`, `bounced`, `complained`, `unsubscribed`: it has such a genuine event;
 * - `open_after`, `reply_after`: seconds from sending to its first genuine open / reply (null: none);
 * - `converted`: its campaign stopped by a goal (`goal:<name>`), updated when the campaign's stop reason
 *   changes; `plan_shape`, its campaign's (0014), likewise.
 * Genuine is the engine's isGenuine, as GENUINE_EVENT and message_events_decisive_idx (0004) write it.
 * Existing messages are backfilled here, set-based (message_facts_backfill, also for bulk loads).
 */
const GENUINE = (e: string) =>
  `${e}.type <> 'unknown' and not (${e}.type = 'opened' and (${e}.machine or ${e}.bot))
    and not (${e}.type = 'clicked' and ${e}.bot) and not (${e}.type = 'replied' and ${e}.auto_reply)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table message_facts (
      contact_id text not null,
      message_id uuid not null,
      campaign_id uuid not null,
      node_id text not null,
      channel text not null,
      sender_id text,
      sent_at timestamptz not null,
      delivered boolean not null default false,
      open_after double precision,
      clicked boolean not null default false,
      reply_after double precision,
      bounced boolean not null default false,
      complained boolean not null default false,
      unsubscribed boolean not null default false,
      converted boolean not null default false,
      plan_shape text,
      primary key (contact_id, message_id)
    )`.execute(db);
  await sql`create index message_facts_sent_at_idx on message_facts (sent_at)`.execute(db);
  // 0015's index on outbound_messages served the join this table replaces.
  await sql`drop index outbound_messages_sent_at_idx`.execute(db);

  // The facts of one message from its stored events (a message becoming `sent`; the backfill).
  await sql
    .raw(`
    create function message_facts_upsert(m outbound_messages) returns void language sql as $$
      insert into message_facts as f (contact_id, message_id, campaign_id, node_id, channel, sender_id, sent_at,
          delivered, open_after, clicked, reply_after, bounced, complained, unsubscribed, converted, plan_shape)
      select m.contact_id, m.id, m.campaign_id, m.node_id, m.channel, m.sender_id, m.sent_at,
        coalesce(bool_or(e.type = 'delivered'), false),
        extract(epoch from min(e.occurred_at) filter (where e.type = 'opened') - m.sent_at)::double precision,
        coalesce(bool_or(e.type = 'clicked'), false),
        extract(epoch from min(e.occurred_at) filter (where e.type = 'replied') - m.sent_at)::double precision,
        coalesce(bool_or(e.type = 'bounced'), false),
        coalesce(bool_or(e.type = 'complained'), false),
        coalesce(bool_or(e.type = 'unsubscribed'), false),
        coalesce(cc.stop_reason like 'goal:%', false), cc.plan_shape
      from (select 1) one
      left join contact_campaigns cc on cc.contact_id = m.contact_id and cc.id = m.campaign_id
      left join message_events e on e.contact_id = m.contact_id and e.message_id = m.id and ${GENUINE('e')}
      group by cc.stop_reason, cc.plan_shape
      on conflict (contact_id, message_id) do update set
        campaign_id = excluded.campaign_id, node_id = excluded.node_id, channel = excluded.channel,
        sender_id = excluded.sender_id, sent_at = excluded.sent_at, delivered = excluded.delivered,
        open_after = excluded.open_after, clicked = excluded.clicked, reply_after = excluded.reply_after,
        bounced = excluded.bounced, complained = excluded.complained, unsubscribed = excluded.unsubscribed,
        converted = excluded.converted
    $$`)
    .execute(db);

  await sql
    .raw(`
    create function message_facts_on_message() returns trigger language plpgsql as $$
    begin
      if new.status = 'sent' and new.sent_at is not null then
        perform message_facts_upsert(new);
      elsif tg_op = 'UPDATE' then
        delete from message_facts where contact_id = new.contact_id and message_id = new.id;
      end if;
      return null;
    end $$`)
    .execute(db);
  await sql`create trigger message_facts_message after insert or update of status, sent_at on outbound_messages
    for each row execute function message_facts_on_message()`.execute(db);

  await sql
    .raw(`
    create function message_facts_on_event() returns trigger language plpgsql as $$
    begin
      update message_facts f set
        delivered = f.delivered or new.type = 'delivered',
        open_after = case when new.type = 'opened'
          then least(f.open_after, extract(epoch from new.occurred_at - f.sent_at)::double precision) else f.open_after end,
        clicked = f.clicked or new.type = 'clicked',
        reply_after = case when new.type = 'replied'
          then least(f.reply_after, extract(epoch from new.occurred_at - f.sent_at)::double precision) else f.reply_after end,
        bounced = f.bounced or new.type = 'bounced',
        complained = f.complained or new.type = 'complained',
        unsubscribed = f.unsubscribed or new.type = 'unsubscribed'
      where f.contact_id = new.contact_id and f.message_id = new.message_id;
      return null;
    end $$`)
    .execute(db);
  await sql
    .raw(`create trigger message_facts_event after insert on message_events
    for each row when (new.message_id is not null and ${GENUINE('new')})
    execute function message_facts_on_event()`)
    .execute(db);

  await sql
    .raw(`
    create function message_facts_on_campaign() returns trigger language plpgsql as $$
    begin
      update message_facts f
      set converted = coalesce(new.stop_reason like 'goal:%', false), plan_shape = new.plan_shape
      where f.contact_id = new.contact_id and f.campaign_id = new.id;
      return null;
    end $$`)
    .execute(db);
  await sql`create trigger message_facts_campaign after update of stop_reason, plan_shape on contact_campaigns
    for each row when (old.stop_reason is distinct from new.stop_reason or old.plan_shape is distinct from new.plan_shape)
    execute function message_facts_on_campaign()`.execute(db);

  // Set-based: the backfill here, and bulk loads run with triggers off (the analytics bench's seed).
  await sql
    .raw(`
    create function message_facts_backfill() returns void language sql as $$
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
  await sql`select message_facts_backfill()`.execute(db);
  // Campaigns whose shape analytics must compute (stored before 0014 wrote it with the plan).
  await sql`create index contact_campaigns_shape_missing_idx on contact_campaigns (contact_id, id)
    where plan_shape is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger message_facts_campaign on contact_campaigns`.execute(db);
  await sql`drop trigger message_facts_event on message_events`.execute(db);
  await sql`drop trigger message_facts_message on outbound_messages`.execute(db);
  await sql`drop function message_facts_on_campaign()`.execute(db);
  await sql`drop function message_facts_on_event()`.execute(db);
  await sql`drop function message_facts_on_message()`.execute(db);
  await sql`drop index contact_campaigns_shape_missing_idx`.execute(db);
  await sql`drop function message_facts_backfill()`.execute(db);
  await sql`drop function message_facts_upsert(outbound_messages)`.execute(db);
  await sql`drop table message_facts`.execute(db);
  await sql`create index outbound_messages_sent_at_idx on outbound_messages (sent_at)
    include (id, contact_id, campaign_id, node_id, channel, sender_id) where status = 'sent'`.execute(db);
}
