import type { AnalyticsRange, Distribution, EngagementCounts } from '@campaign/core';
import { type RawBuilder, sql } from 'kysely';
import { GENUINE_EVENT } from '../kysely-repositories.ts';

/*
 * The one definition every analytics query shares (issue 14 item 4): the messages sent in a range and,
 * per message, whether it has each kind of event. A message is in the range by its `sent_at` (half-open
 * [from, to)); only status `sent` counts, so shadow messages, failed ones and ones never sent are out.
 * Events are the GENUINE_EVENT ones (the engine's isGenuine: no machine or bot open, no bot click, no
 * auto-reply), read through message_events_decisive_idx.
 */
export function messageFacts(range: AnalyticsRange): RawBuilder<unknown> {
  return sql`
    select m.id, m.contact_id, m.campaign_id, m.node_id, m.channel, m.sender_id, m.sent_at,
      coalesce(f.delivered, false) as delivered, f.first_open, coalesce(f.clicked, false) as clicked,
      f.first_reply, coalesce(f.bounced, false) as bounced, coalesce(f.complained, false) as complained,
      coalesce(f.unsubscribed, false) as unsubscribed
    from outbound_messages m
    left join (
      select message_id,
        bool_or(type = 'delivered') as delivered,
        min(occurred_at) filter (where type = 'opened') as first_open,
        bool_or(type = 'clicked') as clicked,
        min(occurred_at) filter (where type = 'replied') as first_reply,
        bool_or(type = 'bounced') as bounced,
        bool_or(type = 'complained') as complained,
        bool_or(type = 'unsubscribed') as unsubscribed
      from message_events
      where message_id in (select id from outbound_messages
          where status = 'sent' and sent_at >= ${range.from} and sent_at < ${range.to})
        and ${GENUINE_EVENT}
      group by message_id
    ) f on f.message_id = m.id
    where m.status = 'sent' and m.sent_at >= ${range.from} and m.sent_at < ${range.to}`;
}

/** The aggregate columns of EngagementCounts over rows of messageFacts aliased `m`. */
export const COUNT_COLUMNS = sql`
  count(*)::int as sent,
  count(*) filter (where m.delivered)::int as delivered,
  count(*) filter (where m.first_open is not null)::int as opened,
  count(*) filter (where m.clicked)::int as clicked,
  count(*) filter (where m.first_reply is not null)::int as replied,
  count(*) filter (where m.bounced)::int as bounced,
  count(*) filter (where m.complained)::int as complained,
  count(*) filter (where m.unsubscribed)::int as unsubscribed`;

export type CountRow = EngagementCounts;

/** The EngagementCounts of a row carrying COUNT_COLUMNS. */
export function countsOf(row: CountRow): EngagementCounts {
  return {
    sent: row.sent,
    delivered: row.delivered,
    opened: row.opened,
    clicked: row.clicked,
    replied: row.replied,
    bounced: row.bounced,
    complained: row.complained,
    unsubscribed: row.unsubscribed,
  };
}

/** Aggregate columns `<name>_n, <name>_p50, <name>_p90, <name>_p99` of `value` (nulls ignored). */
export function distributionColumns(name: string, value: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`count(${value})::int as ${sql.raw(`${name}_n`)},
    percentile_cont(0.5) within group (order by ${value}) as ${sql.raw(`${name}_p50`)},
    percentile_cont(0.9) within group (order by ${value}) as ${sql.raw(`${name}_p90`)},
    percentile_cont(0.99) within group (order by ${value}) as ${sql.raw(`${name}_p99`)}`;
}

/** The Distribution read back from distributionColumns(name, ...). */
export function distributionOfRow(row: Record<string, unknown>, name: string): Distribution {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    count: Number(row[`${name}_n`] ?? 0),
    p50: num(row[`${name}_p50`]),
    p90: num(row[`${name}_p90`]),
    p99: num(row[`${name}_p99`]),
  };
}
