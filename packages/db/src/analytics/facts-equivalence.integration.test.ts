import { randomUUID } from 'node:crypto';
import { distributionOf, type Plan, planShape } from '@campaign/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing.ts';
import { KyselyAnalytics } from './kysely-analytics.ts';

/*
 * The trigger-kept facts (message_facts, 0016, and its per-campaign chain prev_sent_at, 0017) against a
 * from-scratch computation: a pseudo-random mix of writes through the real write paths (messages sent
 * out of order, marked sent late, moved back out of `sent`, shadow and failed ones; delivered, genuine
 * and machine/bot opens, clicks, replies and auto-replies; goals reached; experiment assignments), then
 * every per-node, per-sender, per-shape and per-variant figure recomputed here in TypeScript from the raw
 * rows (outbound_messages, message_events, contact_campaigns, split_assignments) for ranges with ragged
 * edges, and compared. Then the same after a bulk backfill (the bench's path, triggers off).
 */

const DAY = 86_400_000;
const T0 = Date.parse('2026-06-01T00:00:00Z');
/** Deterministic pseudo-random numbers (mulberry32), so a failure replays. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const send = (id: string, to: string[]) => ({
  id,
  action: 'send',
  subject: 's',
  body: 'b',
  transitions: to.map((t) => ({ on: 'no_reply', to: t, after: 'P1D' })),
});
const PLANS = [
  { startNodeId: 'a', nodes: [send('a', ['b']), send('b', ['c']), send('c', [])] },
  { startNodeId: 'a', nodes: [send('a', ['b']), send('b', [])] },
  {
    startNodeId: 's',
    nodes: [
      {
        id: 's',
        action: 'split',
        experiment: 'exp',
        variants: [
          { id: 'control', weight: 1, to: 'a' },
          { id: 'treatment', weight: 1, to: 'b' },
        ],
      },
      send('a', ['c']),
      send('b', ['c']),
      send('c', []),
    ],
  },
].map((p) => ({ version: '1.1', timezone: 'UTC', ...p }) as unknown as Plan);

interface RawMessage {
  id: string;
  contact_id: string;
  campaign_id: string;
  node_id: string;
  channel: string;
  sender_id: string | null;
  status: string;
  sent_at: Date | null;
}
interface RawEvent {
  message_id: string;
  type: string;
  occurred_at: Date;
  machine: boolean;
  bot: boolean;
  auto_reply: boolean;
}

describe('message_facts and its chain equal a from-scratch computation (Postgres)', () => {
  let database: TestDatabase;
  let analytics: KyselyAnalytics;
  /** Every seeded contact: the raw rows are read contact by contact (statements routed by contact_id). */
  const contacts: string[] = [];
  const random = rng(20261201);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    analytics = new KyselyAnalytics(database.db);
    const db = database.db;
    await sql`insert into senders (id, channel, from_address, timezone, daily_cap, created_at, updated_at)
      values ('s1', 'email', 's1@example.com', 'UTC', 1000, ${new Date(T0)}, ${new Date(T0)})`.execute(db);

    for (let c = 0; c < 40; c++) {
      const contact = `c-${randomUUID()}`;
      const id = randomUUID();
      contacts.push(contact);
      const k = c % PLANS.length;
      const plan = PLANS[k] as Plan;
      const mode = c % 13 === 0 ? 'shadow' : 'live';
      await sql`insert into contacts (id, email) values (${contact}, ${`${contact}@example.com`})`.execute(
        db,
      );
      await sql`insert into contact_campaigns (contact_id, id, plan, timezone, status, created_at, updated_at, mode)
        values (${contact}, ${id}::uuid, ${JSON.stringify(plan)}::jsonb, 'UTC', 'active', ${new Date(T0)},
          ${new Date(T0)}, ${mode})`.execute(db);
      const start = T0 + Math.floor(random() * 6 * DAY);
      if (k === 2) {
        await sql`insert into split_assignments (contact_id, campaign_id, node_id, experiment, variant, assigned_at, plan_version)
          values (${contact}, ${id}::uuid, 's', 'exp', ${c % 2 === 0 ? 'control' : 'treatment'},
            ${new Date(start + 3_600_000)}, 1)`.execute(db);
      }
      const nodes = plan.nodes.filter((n) => n.action === 'send').map((n) => n.id);
      for (const [i, node] of nodes.entries()) {
        const messageId = randomUUID();
        const actionId = randomUUID();
        // A quarter of a day apart give or take a day: a later send may carry an earlier sent_at (clock skew).
        const sentAt = new Date(start + i * (DAY / 4) + Math.floor(random() * DAY));
        const fate =
          mode === 'shadow' ? 'shadow' : pick(['sent', 'sent', 'late', 'late', 'failed', 'unsent']);
        await sql`insert into scheduled_actions (id, contact_id, campaign_id, kind, node_id, step, due_at, run_at, status,
            idempotency_key, executed_at)
          values (${actionId}::uuid, ${contact}, ${id}::uuid, 'send', ${node}, ${i}, ${sentAt}, ${sentAt}, 'done',
            ${actionId}, ${sentAt})`.execute(db);
        await sql`insert into outbound_messages (id, contact_id, campaign_id, action_id, node_id, step, dedupe_key, to_email,
            subject, body, status, sent_at, sender_id)
          values (${messageId}::uuid, ${contact}, ${id}::uuid, ${actionId}::uuid, ${node}, ${i}, ${messageId},
            'x@example.com', 's', 'b', ${fate === 'sent' ? 'sent' : fate === 'shadow' ? 'shadow' : 'sending'},
            ${fate === 'sent' || fate === 'shadow' ? sentAt : null}, ${c % 3 === 0 ? null : 's1'})`.execute(
          db,
        );
        if (fate === 'late' || fate === 'failed') {
          // markSent: status and sent_at in one update.
          await sql`update outbound_messages set status = 'sent', sent_at = ${sentAt} where id = ${messageId}::uuid`.execute(
            db,
          );
        }
        for (const [type, flags] of [
          ['delivered', {}],
          ['opened', { machine: true }],
          ['opened', {}],
          ['opened', { bot: true }],
          ['clicked', { bot: true }],
          ['clicked', {}],
          ['replied', {}],
          ['replied', { autoReply: true }],
          ['bounced', {}],
          ['unsubscribed', {}],
        ] as const) {
          if (random() < (type === 'delivered' ? 0.8 : type === 'opened' ? 0.45 : 0.15)) {
            const f = flags as { machine?: boolean; bot?: boolean; autoReply?: boolean };
            await sql`insert into message_events (contact_id, campaign_id, message_id, provider, provider_event_id, type,
                occurred_at, machine, bot, auto_reply)
              values (${contact}, ${id}::uuid, ${messageId}::uuid, 'test', ${randomUUID()}, ${type},
                ${new Date(sentAt.getTime() + Math.floor(random() * 20_000) * 1000)}, ${f.machine ?? false},
                ${f.bot ?? false}, ${f.autoReply ?? false})`.execute(db);
          }
        }
        if (fate === 'failed') {
          // Marked sent, then moved back out of `sent`: its facts leave the rollup and the chain closes up.
          await sql`update outbound_messages set status = 'failed' where id = ${messageId}::uuid`.execute(db);
        }
      }
      if (random() < 0.3) {
        await sql`update contact_campaigns set status = 'completed', stop_reason = ${pick(['goal:signed_up', 'goal:demo'])}
          where contact_id = ${contact} and id = ${id}::uuid`.execute(db);
      } else if (random() < 0.2) {
        await sql`update contact_campaigns set status = 'stopped', stop_reason = 'unsubscribed'
          where contact_id = ${contact} and id = ${id}::uuid`.execute(db);
      }
    }
  }, 120_000);
  afterAll(async () => database?.dispose());

  /** Every analytics figure of `range`, recomputed from the raw rows. */
  async function fromScratch(range: { from: Date; to: Date }) {
    const db = database.db;
    const raw = async <R>(query: (contact: string) => ReturnType<typeof sql<R>>) =>
      (await Promise.all(contacts.map(async (c) => (await query(c).execute(db)).rows))).flat();
    const messages = (
      await raw<RawMessage>(
        (c) => sql`select id, contact_id, campaign_id, node_id, channel, sender_id, status, sent_at
          from outbound_messages where contact_id = ${c}`,
      )
    ).filter((m) => m.status === 'sent' && m.sent_at && m.sent_at >= range.from && m.sent_at < range.to);
    const events = (
      await raw<RawEvent>(
        (c) => sql`select message_id, type, occurred_at, machine, bot, auto_reply from message_events
          where contact_id = ${c}`,
      )
    ).filter(
      (e) =>
        !(e.type === 'opened' && (e.machine || e.bot)) &&
        !(e.type === 'clicked' && e.bot) &&
        !(e.type === 'replied' && e.auto_reply),
    );
    const campaigns = new Map(
      (
        await raw<{ id: string; plan: Plan; stop_reason: string | null }>(
          (c) => sql`select id, plan, stop_reason from contact_campaigns where contact_id = ${c}`,
        )
      ).map((c) => [c.id, c]),
    );
    const assignments = await raw<{
      campaign_id: string;
      experiment: string;
      variant: string;
      assigned_at: Date;
    }>(
      (c) =>
        sql`select campaign_id, experiment, variant, assigned_at from split_assignments where contact_id = ${c}`,
    );
    const facts = messages.map((m) => {
      const of = (type: string) => events.filter((e) => e.message_id === m.id && e.type === type);
      const first = (type: string) => {
        const times = of(type).map((e) => e.occurred_at.getTime());
        return times.length === 0 ? null : (Math.min(...times) - (m.sent_at as Date).getTime()) / 1000;
      };
      return {
        ...m,
        counts: {
          sent: 1,
          delivered: of('delivered').length > 0 ? 1 : 0,
          opened: of('opened').length > 0 ? 1 : 0,
          clicked: of('clicked').length > 0 ? 1 : 0,
          replied: of('replied').length > 0 ? 1 : 0,
          bounced: of('bounced').length > 0 ? 1 : 0,
          complained: of('complained').length > 0 ? 1 : 0,
          unsubscribed: of('unsubscribed').length > 0 ? 1 : 0,
        },
        openAfter: first('opened'),
        replyAfter: first('replied'),
        converted: campaigns.get(m.campaign_id)?.stop_reason?.startsWith('goal:') ?? false,
        shape: planShape(campaigns.get(m.campaign_id)?.plan as Plan),
      };
    });
    type Fact = (typeof facts)[number];
    const group = <K extends string>(xs: Fact[], key: (f: Fact) => K) => {
      const out = new Map<K, Fact[]>();
      for (const f of xs) out.set(key(f), [...(out.get(key(f)) ?? []), f]);
      return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    };
    const sum = (xs: Fact[]) => {
      const total = {
        sent: 0,
        delivered: 0,
        opened: 0,
        clicked: 0,
        replied: 0,
        bounced: 0,
        complained: 0,
        unsubscribed: 0,
      };
      for (const f of xs)
        for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += f.counts[k];
      return total;
    };
    const campaignsWhere = (xs: Fact[], p: (f: Fact) => boolean) =>
      new Set(xs.filter(p).map((f) => f.campaign_id)).size;
    return {
      nodes: group(facts, (f) => `${f.node_id} ${f.channel}`).map(([key, xs]) => ({
        key,
        counts: sum(xs),
        conversions: campaignsWhere(xs, (f) => f.converted),
        open: distributionOf(xs.flatMap((f) => (f.openAfter === null ? [] : [f.openAfter]))),
        reply: distributionOf(xs.flatMap((f) => (f.replyAfter === null ? [] : [f.replyAfter]))),
      })),
      senders: group(facts, (f) => `${f.sender_id ?? '-'} ${f.channel}`).map(([key, xs]) => ({
        key,
        counts: sum(xs),
      })),
      shapes: group(facts, (f) => f.shape).map(([shape, xs]) => ({
        shape,
        campaigns: campaignsWhere(xs, () => true),
        conversions: campaignsWhere(xs, (f) => f.converted),
        campaignsReplied: campaignsWhere(xs, (f) => f.counts.replied === 1),
        counts: sum(xs),
      })),
      variants: Array.from(
        assignments
          .map((a) => ({
            key: `${a.experiment} ${a.variant}`,
            xs: facts.filter((f) => f.campaign_id === a.campaign_id && (f.sent_at as Date) >= a.assigned_at),
          }))
          .reduce(
            (acc, { key, xs }) => acc.set(key, [...(acc.get(key) ?? []), ...xs]),
            new Map<string, Fact[]>(),
          )
          .entries(),
      )
        .filter(([, xs]) => xs.length > 0)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, xs]) => ({
          key,
          campaigns: campaignsWhere(xs, () => true),
          campaignsOpened: campaignsWhere(xs, (f) => f.counts.opened === 1),
          campaignsReplied: campaignsWhere(xs, (f) => f.counts.replied === 1),
          conversions: campaignsWhere(xs, (f) => f.converted),
          counts: sum(xs),
        })),
    };
  }

  /** The same figures as the analytics reader answers them. */
  async function fromFacts(range: { from: Date; to: Date }) {
    const [nodes, senders, shapes, experiments] = await Promise.all([
      analytics.nodes(range),
      analytics.senders(range),
      analytics.shapes(range),
      analytics.experiments(range),
    ]);
    return {
      nodes: nodes.map((n) => ({
        key: `${n.nodeId} ${n.channel}`,
        counts: n.counts,
        conversions: n.conversions,
        open: n.timeToFirstOpenSeconds,
        reply: n.timeToFirstReplySeconds,
      })),
      senders: senders.map((s) => ({ key: `${s.senderId ?? '-'} ${s.channel}`, counts: s.counts })),
      shapes: shapes
        .map((s) => ({
          shape: s.shape,
          campaigns: s.campaigns,
          conversions: s.conversions,
          campaignsReplied: s.campaignsReplied,
          counts: s.counts,
        }))
        .sort((a, b) => (a.shape < b.shape ? -1 : 1)),
      variants: experiments
        .flatMap((e) =>
          e.variants.map((v) => ({
            key: `${e.experiment} ${v.variant}`,
            campaigns: v.campaigns,
            campaignsOpened: v.campaignsOpened,
            campaignsReplied: v.campaignsReplied,
            conversions: v.conversions,
            counts: v.counts,
          })),
        )
        .sort((a, b) => (a.key < b.key ? -1 : 1)),
    };
  }

  const RANGES = [
    { from: new Date(T0 - DAY), to: new Date(T0 + 30 * DAY) },
    { from: new Date(T0 + 2.5 * DAY), to: new Date(T0 + 5.25 * DAY) },
    { from: new Date(T0 + 1 * DAY + 3_600_000), to: new Date(T0 + 3 * DAY) },
    { from: new Date(T0 + 4 * DAY), to: new Date(T0 + 4 * DAY + 7_200_000) },
  ];

  it('has something to compare: messages in and out of order, shadow, failed, conversions, variants', async () => {
    const { rows } = await sql<{
      sent: number;
      shadow: number;
      failed: number;
      out_of_order: number;
      converted: number;
    }>`
      select count(*) filter (where status = 'sent')::int as sent, count(*) filter (where status = 'shadow')::int as shadow,
        count(*) filter (where status = 'failed')::int as failed,
        count(*) filter (where status = 'sent' and exists (select 1 from outbound_messages g where g.contact_id = m.contact_id
          and g.campaign_id = m.campaign_id and g.status = 'sent' and g.step < m.step and g.sent_at > m.sent_at))::int as out_of_order,
        (select count(*)::int from message_facts where converted) as converted
      from outbound_messages m`.execute(database.db);
    const [r] = rows;
    expect(r?.sent).toBeGreaterThan(40);
    expect(r?.shadow).toBeGreaterThan(0);
    expect(r?.failed).toBeGreaterThan(0);
    expect(r?.out_of_order).toBeGreaterThan(0);
    expect(r?.converted).toBeGreaterThan(0);
  });

  it.each(RANGES.map((r) => [r.from.toISOString(), r.to.toISOString(), r]))(
    'every figure of [%s, %s) from the trigger-kept facts equals the from-scratch one',
    async (_from, _to, range) => {
      const expected = await fromScratch(range);
      expect(expected.nodes.length).toBeGreaterThan(0);
      expect(await fromFacts(range)).toEqual(expected);
    },
  );

  it('prev_sent_at is each fact’s predecessor in its campaign, by (sent_at, message_id)', async () => {
    const { rows } = await sql<{ wrong: number; chained: number }>`
      select count(*) filter (where f.prev_sent_at is distinct from x.prev)::int as wrong,
        count(*) filter (where f.prev_sent_at is not null)::int as chained
      from message_facts f join (select message_id,
        lag(sent_at) over (partition by contact_id, campaign_id order by sent_at, message_id) as prev from message_facts) x
        on x.message_id = f.message_id`.execute(database.db);
    expect(rows[0]?.chained).toBeGreaterThan(0);
    expect(rows[0]?.wrong).toBe(0);
  });

  it('the bulk backfill (triggers off, the bench seed’s path) writes the same facts and chain', async () => {
    const before = await Promise.all(RANGES.map((r) => fromFacts(r)));
    await database.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      for (const c of contacts) await sql`delete from message_facts where contact_id = ${c}`.execute(trx);
      await sql`select message_facts_backfill()`.execute(trx);
    });
    expect(await Promise.all(RANGES.map((r) => fromFacts(r)))).toEqual(before);
    const { rows } = await sql<{ wrong: number }>`
      select count(*) filter (where f.prev_sent_at is distinct from x.prev)::int as wrong
      from message_facts f join (select message_id,
        lag(sent_at) over (partition by contact_id, campaign_id order by sent_at, message_id) as prev from message_facts) x
        on x.message_id = f.message_id`.execute(database.db);
    expect(rows[0]?.wrong).toBe(0);
  });
});
