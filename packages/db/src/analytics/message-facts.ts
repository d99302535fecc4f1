import type { AnalyticsRange, Distribution, EngagementCounts } from '@campaign/core';
import { type RawBuilder, sql } from 'kysely';

/*
 * The one definition every analytics query shares (issue 14 item 4): the messages sent in a range, read
 * from the message_facts rollup (migration 0016: one row per message with status `sent`, so shadow
 * messages, failed ones and ones never sent are out; its flags count GENUINE_EVENT events only, the
 * engine's isGenuine: no machine or bot open, no bot click, no auto-reply). A message is in the range by
 * its `sent_at`, half-open [from, to). Its `prev_sent_at` (0017) is its campaign's previous send: the
 * queries that count campaigns count the rows whose predecessor is before the range (see 0017).
 */
export function messageFacts(range: AnalyticsRange): RawBuilder<unknown> {
  return sql`
    select f.message_id as id, f.contact_id, f.campaign_id, f.node_id, f.channel, f.sender_id, f.sent_at,
      f.delivered, f.open_after, f.clicked, f.reply_after, f.bounced, f.complained, f.unsubscribed, f.converted, f.plan_shape
    from message_facts f
    where f.sent_at >= ${range.from} and f.sent_at < ${range.to}`;
}

/** The aggregate columns of EngagementCounts over rows of messageFacts aliased `m`. */
export const COUNT_COLUMNS = sql`
  count(*)::int as sent,
  count(*) filter (where m.delivered)::int as delivered,
  count(*) filter (where m.open_after is not null)::int as opened,
  count(*) filter (where m.clicked)::int as clicked,
  count(*) filter (where m.reply_after is not null)::int as replied,
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

/**
 * Aggregate columns `<name>_n` (how many non-null values) and `<name>_p` (their p50, p90 and p99 as one
 * array: one sort for the three, where three `percentile_cont` calls may sort three times) of `value`.
 */
export function distributionColumns(name: string, value: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`count(${value})::int as ${sql.raw(`${name}_n`)},
    percentile_cont(array[0.5, 0.9, 0.99]::float8[]) within group (order by ${value}) as ${sql.raw(`${name}_p`)}`;
}

/** The Distribution read back from distributionColumns(name, ...). */
export function distributionOfRow(row: Record<string, unknown>, name: string): Distribution {
  const quantiles = row[`${name}_p`] as (number | string | null)[] | null | undefined;
  const num = (i: number) => {
    const v = quantiles?.[i];
    return v === null || v === undefined ? null : Number(v);
  };
  return { count: Number(row[`${name}_n`] ?? 0), p50: num(0), p90: num(1), p99: num(2) };
}
