import { type AnalyticsRange, type Plan, planShape } from '@campaign/core';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';

/*
 * The data set of the analytics bench (bench/analytics-bench.ts): `campaigns` campaigns of four plan
 * shapes, four messages each sent across `range` (one campaign in 50 in shadow mode), their send actions
 * and one executed timeout each, events at fixed rates (delivered 90%, genuine open 30%, machine open 10%,
 * click 5% half of them bots, reply 3%), one campaign in 25 converted, a split experiment on a quarter.
 * Written with set-based SQL (generate_series), so a million messages take seconds, not hours.
 */

const send = (id: string, to: { on: string; to: string }[]) => ({
  id,
  action: 'send',
  subject: 's',
  body: 'b',
  transitions: to,
});
/** Four plan shapes: a linear sequence, one with a wait, a split experiment, an SMS follow-up. */
const PLANS = [
  {
    startNodeId: 'a',
    nodes: [
      send('a', [{ on: 'no_reply', to: 'b' }]),
      send('b', [{ on: 'no_reply', to: 'c' }]),
      send('c', [{ on: 'no_reply', to: 'd' }]),
      send('d', []),
    ],
  },
  {
    startNodeId: 'a',
    nodes: [
      send('a', [
        { on: 'opened', to: 'w' },
        { on: 'no_open', to: 'b' },
      ]),
      { id: 'w', action: 'wait', transitions: [{ on: 'no_reply', to: 'b' }] },
      send('b', [{ on: 'no_reply', to: 'c' }]),
      send('c', [{ on: 'no_reply', to: 'd' }]),
      send('d', []),
    ],
  },
  {
    startNodeId: 's',
    nodes: [
      {
        id: 's',
        action: 'split',
        experiment: 'bench',
        variants: [
          { id: 'control', weight: 1, to: 'a' },
          { id: 'treatment', weight: 1, to: 'b' },
        ],
      },
      send('a', [{ on: 'no_reply', to: 'c' }]),
      send('b', [{ on: 'no_reply', to: 'c' }]),
      send('c', [{ on: 'no_reply', to: 'd' }]),
      send('d', []),
    ],
  },
  {
    startNodeId: 'a',
    nodes: [
      send('a', [{ on: 'no_reply', to: 'b' }]),
      send('b', [{ on: 'no_reply', to: 'c' }]),
      send('c', [{ on: 'no_reply', to: 'd' }]),
      { ...send('d', []), channel: 'sms', text: 't' },
    ],
  },
].map((p) => ({ version: '1.1', timezone: 'UTC', ...p }) as unknown as Plan);

async function seedRows(db: Kysely<Database>, campaigns: number, range: AnalyticsRange): Promise<void> {
  const PER_CAMPAIGN = 4;
  const shapes = PLANS.map((p) => planShape(p));
  await sql`create temporary table bench_plans (k int, plan jsonb, shape text)`.execute(db);
  for (const [k, plan] of PLANS.entries()) {
    await sql`insert into bench_plans values (${k}, ${JSON.stringify(plan)}::jsonb, ${shapes[k]})`.execute(
      db,
    );
  }
  // Contacts and campaigns: campaign i uses plan i % 4; one in 25 converted.
  await sql`insert into contacts (id, email) select 'c' || i, 'c' || i || '@bench.test' from generate_series(1, ${campaigns}) i`.execute(
    db,
  );
  await sql`insert into contact_campaigns (contact_id, id, plan, timezone, status, stop_reason, created_at, updated_at, plan_shape)
      select 'c' || i, md5('cc' || i)::uuid, p.plan, 'UTC', case when i % 25 = 0 then 'completed' else 'active' end,
        case when i % 25 = 0 then 'goal:signed_up' end, ${range.from}, ${range.from}, p.shape
      from generate_series(1, ${campaigns}) i join bench_plans p on p.k = i % 4`.execute(db);
  await sql`insert into split_assignments (contact_id, campaign_id, node_id, experiment, variant, assigned_at, plan_version)
      select 'c' || i, md5('cc' || i)::uuid, 's', 'bench', case when i % 8 = 2 then 'control' else 'treatment' end, ${range.from}, 1
      from generate_series(1, ${campaigns}) i where i % 4 = 2`.execute(db);
  // Messages j = 0..3 of campaign i: one send action each, sent across the 30 days; the timeouts between.
  await sql`insert into scheduled_actions (id, contact_id, campaign_id, kind, node_id, step, event, transition_index, due_at, run_at,
        status, idempotency_key, executed_at)
      select md5('a' || i || '-' || j)::uuid, 'c' || i, md5('cc' || i)::uuid, case when j < 4 then 'send' else 'timeout' end,
        chr(97 + j % 4), j, case when j >= 4 then 'no_reply' end, case when j >= 4 then 0 end,
        t, t, 'done', 'a' || j, t + make_interval(secs => (i * 7 + j) % 90)
      from generate_series(1, ${campaigns}) i, generate_series(0, 4) j,
        lateral (select ${range.from}::timestamptz + make_interval(secs => ((i * 7919 + j * 104729) % 2592000)) as t) s`.execute(
    db,
  );
  await sql`insert into outbound_messages (id, contact_id, campaign_id, action_id, node_id, step, dedupe_key, to_email, subject, body,
        status, sent_at, channel)
      select md5('m' || i || '-' || j)::uuid, 'c' || i, md5('cc' || i)::uuid, md5('a' || i || '-' || j)::uuid, chr(97 + j), j,
        'm' || j, 'c' || i || '@bench.test', 's', 'b', case when i % 50 = 0 then 'shadow' else 'sent' end,
        ${range.from}::timestamptz + make_interval(secs => ((i * 7919 + j * 104729) % 2592000)), 'email'
      from generate_series(1, ${campaigns}) i, generate_series(0, ${PER_CAMPAIGN - 1}) j`.execute(db);
  // Events: delivered 90%, genuine open 30%, machine open 10%, click 5% (half of them bots), reply 3%.
  await sql`insert into message_events (contact_id, campaign_id, message_id, provider, provider_event_id, type, occurred_at, machine, bot)
      select m.contact_id, m.campaign_id, m.id, 'bench', e.kind || m.id, e.type, m.sent_at + make_interval(secs => e.after), e.machine, e.bot
      from outbound_messages m, lateral (select abs(hashtext(m.id::text)) % 100 as h) x,
        lateral (values ('d', 'delivered', 5, false, false, x.h < 90), ('o', 'opened', 600 + x.h * 60, false, false, x.h < 30),
                        ('mo', 'opened', 2, true, false, x.h >= 90), ('c', 'clicked', 900, false, x.h % 2 = 0, x.h < 5),
                        ('r', 'replied', 3600 + x.h * 100, false, false, x.h < 3))
          as e (kind, type, after, machine, bot, happens)
      where e.happens`.execute(db);
}

/**
 * Seeds the bench data set into a fresh database (see the file's comment) in one transaction with
 * triggers off (session_replication_role = replica: a superuser's bulk load), then fills message_facts
 * set-based, as migration 0016's backfill does.
 */
export async function seedAnalyticsBench(
  db: Kysely<Database>,
  campaigns: number,
  range: AnalyticsRange,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await seedRows(trx, campaigns, range);
    await sql`select message_facts_backfill()`.execute(trx);
  });
  await sql`analyze`.execute(db);
}

/**
 * The bench's baseline: Postgres counting the messages of the range by a sequential scan (the range
 * test is written on an expression no index serves). Returns the count.
 */
export async function sequentialMessageCount(db: Kysely<Database>, range: AnalyticsRange): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from outbound_messages
    where sent_at + interval '0 s' >= ${range.from} and sent_at + interval '0 s' < ${range.to}`.execute(db);
  return rows[0]?.n ?? 0;
}

/* The write cost of the analytics triggers (bench/analytics-bench.ts, analyticsWriteCost). */

/** `campaigns` contacts w1.. with one active campaign each (md5('wc' || i)), for analyticsWritePaths. */
export async function seedAnalyticsWriteCampaigns(db: Kysely<Database>, campaigns: number): Promise<void> {
  await sql`insert into contacts (id, email) select 'w' || i, 'w' || i || '@bench.test' from generate_series(1, ${campaigns}) i`.execute(
    db,
  );
  await sql`insert into contact_campaigns (contact_id, id, plan, timezone, status, created_at, updated_at)
    select 'w' || i, md5('wc' || i)::uuid, '{}'::jsonb, 'UTC', 'active', now(), now()
    from generate_series(1, ${campaigns}) i`.execute(db);
}

/** The analytics triggers of each write-cost configuration (0016's on three tables, 0017's chain). */
const FACTS_TRIGGERS: [table: string, trigger: string][] = [
  ['outbound_messages', 'message_facts_message'],
  ['message_events', 'message_facts_event'],
  ['contact_campaigns', 'message_facts_campaign'],
];
const CHAIN_TRIGGERS: [table: string, trigger: string][] = [
  ['message_facts', 'message_facts_chain_insert_delete'],
  ['message_facts', 'message_facts_chain_update'],
];
export type AnalyticsWriteConfig =
  | 'no analytics triggers'
  | 'message_facts (0016)'
  | 'message_facts + chain (0016, 0017)';

/** Turns the analytics triggers on or off for `config` (ALTER TABLE: a bench database only). */
export async function setAnalyticsTriggers(
  db: Kysely<Database>,
  config: AnalyticsWriteConfig,
): Promise<void> {
  const toggles = [
    ...FACTS_TRIGGERS.map((t) => [...t, config !== 'no analytics triggers'] as const),
    ...CHAIN_TRIGGERS.map((t) => [...t, config === 'message_facts + chain (0016, 0017)'] as const),
  ];
  for (const [table, trigger, enabled] of toggles) {
    await sql.raw(`alter table ${table} ${enabled ? 'enable' : 'disable'} trigger ${trigger}`).execute(db);
  }
}

/**
 * `count` send-and-events paths on the campaigns of seedAnalyticsWriteCampaigns: per message its send action and the
 * message (status sending), then markSent's update, then three events, each its own transaction.
 * Returns milliseconds per path.
 */
export async function analyticsWritePaths(
  db: Kysely<Database>,
  count: number,
  campaigns: number,
  round: string,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const c = (i % campaigns) + 1;
    const contact = `w${c}`;
    const campaign = sql`md5(${`wc${c}`})::uuid`;
    const key = `${round}-${i}`;
    const at = new Date(Date.UTC(2026, 4, 1) + i * 1000);
    await db.transaction().execute(async (trx) => {
      await sql`insert into scheduled_actions (id, contact_id, campaign_id, kind, node_id, step, due_at, run_at, status,
          idempotency_key, executed_at)
        values (md5(${`a${key}`})::uuid, ${contact}, ${campaign}, 'send', 'a', ${i}, ${at}, ${at}, 'done', ${key}, ${at})`.execute(
        trx,
      );
      await sql`insert into outbound_messages (id, contact_id, campaign_id, action_id, node_id, step, dedupe_key, to_email,
          subject, body, status, channel)
        values (md5(${`m${key}`})::uuid, ${contact}, ${campaign}, md5(${`a${key}`})::uuid, 'a', ${i}, ${key},
          ${`${contact}@bench.test`}, 's', 'b', 'sending', 'email')`.execute(trx);
    });
    await sql`update outbound_messages set status = 'sent', sent_at = ${at}
      where contact_id = ${contact} and id = md5(${`m${key}`})::uuid`.execute(db);
    for (const [type, after] of [
      ['delivered', 5],
      ['opened', 600],
      ['replied', 3600],
    ] as const) {
      await sql`insert into message_events (contact_id, campaign_id, message_id, provider, provider_event_id, type, occurred_at)
        values (${contact}, ${campaign}, md5(${`m${key}`})::uuid, 'bench', ${`${type}-${key}`}, ${type},
          ${new Date(at.getTime() + after * 1000)})`.execute(db);
    }
  }
  return (performance.now() - started) / count;
}
