import {
  type AnalyticsRange,
  type ExperimentStats,
  type LatenessStats,
  type NodeStats,
  type Plan,
  planShape,
  rankShapes,
  ratesOf,
  ratio,
  type SenderStats,
  type ShapeStats,
  type VariantCounts,
  withVariantTests,
} from '@campaign/core';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../schema.ts';
import {
  COUNT_COLUMNS,
  type CountRow,
  countsOf,
  distributionColumns,
  distributionOfRow,
  messageFacts,
} from './message-facts.ts';

const WEEK_MS = 7 * 86_400_000;

type Row = CountRow & Record<string, unknown>;

/**
 * The analytics of issue 14 item 4 (DESIGN section 12) read from the stored messages, events,
 * assignments and actions. Every method takes a range already checked by core's parseAnalyticsRange.
 */
export class KyselyAnalytics {
  private readonly db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  /**
   * A query grouping by campaign (a group per campaign in the range): with Postgres's default 4 MB of
   * work_mem its hash aggregate spills to disk past ~100,000 campaigns; 64 MB keeps it in memory.
   */
  private grouped<R>(query: RawBuilder<R>): Promise<{ rows: R[] }> {
    return this.db.transaction().execute(async (trx) => {
      await sql`set local work_mem = '64MB'`.execute(trx);
      return query.execute(trx);
    });
  }

  /**
   * Per plan node (by node id and channel), with time to first open and reply in seconds. Four queries
   * run side by side: the counts (one parallel pass over the range), the converted campaigns (the
   * converted rows only) and the two distributions (the opened, the replied rows only; see 0017).
   */
  async nodes(range: AnalyticsRange): Promise<NodeStats[]> {
    const inRange = sql`m.sent_at >= ${range.from} and m.sent_at < ${range.to}`;
    const distribution = (column: 'open_after' | 'reply_after') =>
      sql<Row>`select m.node_id, m.channel, ${distributionColumns('d', sql`m.${sql.raw(column)}`)}
        from message_facts m where m.${sql.raw(column)} is not null and ${inRange}
        group by m.node_id, m.channel`.execute(this.db);
    const [counts, conversions, opens, replies] = await Promise.all([
      sql<Row>`select m.node_id, m.channel, ${COUNT_COLUMNS} from message_facts m where ${inRange}
        group by m.node_id, m.channel order by m.node_id, m.channel`.execute(this.db),
      sql<Row>`select m.node_id, m.channel, count(distinct m.campaign_id)::int as conversions
        from message_facts m where m.converted and ${inRange} group by m.node_id, m.channel`.execute(this.db),
      distribution('open_after'),
      distribution('reply_after'),
    ]);
    const key = (r: Row) => `${r.node_id as string}\u0000${r.channel as string}`;
    const byKey = (rows: Row[]) => new Map(rows.map((r) => [key(r), r]));
    const converted = byKey(conversions.rows);
    const opened = byKey(opens.rows);
    const replied = byKey(replies.rows);
    return counts.rows.map((r) => {
      const counts = countsOf(r);
      return {
        nodeId: r.node_id as string,
        channel: r.channel as 'email' | 'sms',
        counts,
        rates: ratesOf(counts),
        conversions: (converted.get(key(r))?.conversions as number | undefined) ?? 0,
        timeToFirstOpenSeconds: distributionOfRow(opened.get(key(r)) ?? {}, 'd'),
        timeToFirstReplySeconds: distributionOfRow(replied.get(key(r)) ?? {}, 'd'),
      };
    });
  }

  /** Per sender and channel (a null sender: the default one). */
  async senders(range: AnalyticsRange): Promise<SenderStats[]> {
    const { rows } = await sql<Row>`
      with m as (${messageFacts(range)})
      select m.sender_id, m.channel, ${COUNT_COLUMNS} from m
      group by m.sender_id, m.channel order by m.sender_id nulls first, m.channel`.execute(this.db);
    return rows.map((r) => {
      const counts = countsOf(r);
      return {
        senderId: (r.sender_id as string | null) ?? null,
        channel: r.channel as 'email' | 'sms',
        counts,
        rates: ratesOf(counts),
      };
    });
  }

  /**
   * Per experiment variant: the campaigns assigned it that were sent a message in the range at or after
   * the assignment, and those messages. The unit of the tests is the campaign (one per contact: the unit
   * that was randomized), so a contact's several messages do not count as independent trials.
   *
   * One join and one grouping per variant (not per campaign, then per variant: a 250,000-group sort
   * here), the campaign-level figures as distinct counts, so that Postgres joins in parallel; the
   * assignments are read before `to` only (a message must be at or after its assignment).
   */
  async experiments(range: AnalyticsRange): Promise<ExperimentStats[]> {
    const { rows } = await this.grouped<Row>(sql`
      select sa.experiment, sa.variant,
        count(distinct sa.campaign_id)::int as campaigns,
        count(distinct sa.campaign_id) filter (where m.open_after is not null)::int as campaigns_opened,
        count(distinct sa.campaign_id) filter (where m.reply_after is not null)::int as campaigns_replied,
        count(distinct sa.campaign_id) filter (where m.converted)::int as conversions,
        ${COUNT_COLUMNS}
      from message_facts m join split_assignments sa on sa.contact_id = m.contact_id
        and sa.campaign_id = m.campaign_id and m.sent_at >= sa.assigned_at
      where m.sent_at >= ${range.from} and m.sent_at < ${range.to} and sa.assigned_at < ${range.to}
      group by sa.experiment, sa.variant order by sa.experiment, sa.variant`);
    const byExperiment = new Map<string, VariantCounts[]>();
    for (const r of rows) {
      const counts = countsOf(r);
      const campaigns = r.campaigns as number;
      const variant: VariantCounts = {
        variant: r.variant as string,
        campaigns,
        campaignsOpened: r.campaigns_opened as number,
        campaignsReplied: r.campaigns_replied as number,
        conversions: r.conversions as number,
        openRate: ratio(r.campaigns_opened as number, campaigns),
        replyRate: ratio(r.campaigns_replied as number, campaigns),
        conversionRate: ratio(r.conversions as number, campaigns),
        counts,
        rates: ratesOf(counts),
      };
      const list = byExperiment.get(r.experiment as string) ?? [];
      list.push(variant);
      byExperiment.set(r.experiment as string, list);
    }
    const result: ExperimentStats[] = [];
    for (const [experiment, variants] of byExperiment) {
      const order = await this.variantOrder(experiment);
      const rank = (v: VariantCounts) => {
        const i = order.indexOf(v.variant);
        return i === -1 ? order.length : i;
      };
      variants.sort((a, b) => rank(a) - rank(b) || (a.variant < b.variant ? -1 : 1));
      result.push({ experiment, variants: withVariantTests(variants) });
    }
    return result;
  }

  /** The variants of an experiment in the order of its split node, read from its latest assigned plan. */
  private async variantOrder(experiment: string): Promise<string[]> {
    const { rows } = await sql<{ variants: { id: string }[] | null }>`
      select (select n -> 'variants' from jsonb_array_elements(cc.plan -> 'nodes') n
              where n ->> 'action' = 'split' and n ->> 'experiment' = ${experiment} limit 1) as variants
      from split_assignments sa
      join contact_campaigns cc on cc.contact_id = sa.contact_id and cc.id = sa.campaign_id
      where sa.experiment = ${experiment}
      order by sa.assigned_at desc limit 1`.execute(this.db);
    return (rows[0]?.variants ?? []).map((v) => v.id);
  }

  /**
   * Plan shapes ranked by conversion rate, then reply rate (see core's rankShapes). Campaigns and
   * conversions are counted at each campaign's first message in the range (`prev_sent_at` before `from`,
   * 0017), in the same parallel pass as the message counts; replying campaigns over the replied rows.
   */
  async shapes(range: AnalyticsRange): Promise<ShapeStats[]> {
    await this.refreshShapes(range);
    const inRange = sql`m.plan_shape is not null and m.sent_at >= ${range.from} and m.sent_at < ${range.to}`;
    const first = sql`(m.prev_sent_at is null or m.prev_sent_at < ${range.from})`;
    const [counts, replied] = await Promise.all([
      sql<Row>`select m.plan_shape as shape, count(*) filter (where ${first})::int as campaigns,
          count(*) filter (where m.converted and ${first})::int as conversions, ${COUNT_COLUMNS}
        from message_facts m where ${inRange} group by m.plan_shape`.execute(this.db),
      sql<Row>`select m.plan_shape as shape, count(distinct m.campaign_id)::int as campaigns_replied
        from message_facts m where m.reply_after is not null and ${inRange} group by m.plan_shape`.execute(
        this.db,
      ),
    ]);
    const repliedBy = new Map(replied.rows.map((r) => [r.shape as string, r.campaigns_replied as number]));
    const rows: Row[] = counts.rows.map((r) => ({
      ...r,
      campaigns_replied: repliedBy.get(r.shape as string) ?? 0,
    }));
    return rankShapes(
      rows.map((r) => {
        const counts = countsOf(r);
        const campaigns = r.campaigns as number;
        return {
          shape: r.shape as string,
          campaigns,
          conversions: r.conversions as number,
          conversionRate: ratio(r.conversions as number, campaigns),
          campaignsReplied: r.campaigns_replied as number,
          replyRate: ratio(r.campaigns_replied as number, campaigns),
          counts,
          rates: ratesOf(counts),
        };
      }),
    );
  }

  /**
   * Fills contact_campaigns.plan_shape (0014, written with the plan since) for the campaigns with a
   * message in the range that were stored before it, 1,000 plans at a time. Returns how many.
   */
  async refreshShapes(range: AnalyticsRange): Promise<number> {
    let done = 0;
    for (;;) {
      const { rows } = await sql<{ contact_id: string; id: string; plan: Plan }>`
        select cc.contact_id, cc.id, cc.plan from contact_campaigns cc
        where cc.plan_shape is null
          and exists (select 1 from message_facts f where f.contact_id = cc.contact_id and f.campaign_id = cc.id
                      and f.sent_at >= ${range.from} and f.sent_at < ${range.to})
        limit 1000`.execute(this.db);
      if (rows.length === 0) return done;
      const values = rows.map((r) => sql`(${r.contact_id}, ${r.id}::uuid, ${planShape(r.plan)})`);
      await sql`update contact_campaigns cc set plan_shape = v.shape
        from (values ${sql.join(values)}) as v (contact_id, id, shape)
        where cc.contact_id = v.contact_id and cc.id = v.id and cc.plan_shape is null`.execute(this.db);
      done += rows.length;
    }
  }

  /** Timer lateness: executed timeouts in the range, execution time minus adjusted due time (run_at), ms. */
  async lateness(range: AnalyticsRange): Promise<LatenessStats> {
    const bucket = range.to.getTime() - range.from.getTime() <= WEEK_MS ? 'hour' : 'day';
    const lateness = sql`extract(epoch from a.executed_at - a.run_at) * 1000`;
    const where = sql`a.kind = 'timeout' and a.executed_at is not null
      and a.executed_at >= ${range.from} and a.executed_at < ${range.to}`;
    const [total, buckets] = await Promise.all([
      sql<
        Record<string, unknown>
      >`select ${distributionColumns('late', lateness)} from scheduled_actions a where ${where}`.execute(
        this.db,
      ),
      sql<Record<string, unknown>>`
        select date_trunc(${bucket}, a.executed_at, 'UTC') as start, ${distributionColumns('late', lateness)}
        from scheduled_actions a where ${where} group by 1 order by 1`.execute(this.db),
    ]);
    return {
      range: { from: range.from.toISOString(), to: range.to.toISOString() },
      bucket,
      timers: distributionOfRow(total.rows[0] ?? {}, 'late'),
      buckets: buckets.rows.map((r) => ({
        start: (r.start as Date).toISOString(),
        latenessMs: distributionOfRow(r, 'late'),
      })),
    };
  }
}
