import { randomUUID } from 'node:crypto';
import { type NodeStats, type Plan, planShape } from '@campaign/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing.ts';
import { KyselyAnalytics } from './kysely-analytics.ts';

/*
 * Analytics figures (issue 14 item 4) against counts worked out by hand on a seeded data set: rows are
 * written straight into the tables, so every figure below is read off the seed, not off the engine.
 * Things that must not count: machine and bot opens, bot clicks, auto-replies, a shadow message, a
 * message sent before the range (whatever its events' times), a failed message.
 */

const R1 = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-08T00:00:00Z') };
const R2 = { from: new Date('2026-04-01T00:00:00Z'), to: new Date('2026-04-08T00:00:00Z') };
const at = (iso: string) => new Date(iso);
const plus = (d: Date, seconds: number) => new Date(d.getTime() + seconds * 1000);

const planA: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hello',
      body: 'Hi',
      transitions: [
        { on: 'opened', to: 'wait_a' },
        { on: 'no_open', to: 'bump', after: 'PT48H' },
      ],
    },
    {
      id: 'wait_a',
      action: 'wait',
      transitions: [
        { on: 'clicked', to: 'done' },
        { on: 'no_click', to: 'done', after: 'PT24H' },
      ],
    },
    { id: 'bump', action: 'send', subject: 'Bump', body: 'Still there?', transitions: [] },
    { id: 'done', action: 'end' },
  ],
};
/** planA's graph with other ids, texts and durations: the same shape. */
const planA2: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'hello',
  nodes: [
    {
      id: 'hello',
      action: 'send',
      subject: 'Other words',
      body: 'Different body',
      transitions: [
        { on: 'opened', to: 'w' },
        { on: 'no_open', to: 'again', after: 'PT12H' },
      ],
    },
    {
      id: 'w',
      action: 'wait',
      transitions: [
        { on: 'clicked', to: 'fin' },
        { on: 'no_click', to: 'fin', after: 'PT1H' },
      ],
    },
    { id: 'again', action: 'send', subject: 'x', body: 'y', transitions: [] },
    { id: 'fin', action: 'end' },
  ],
};
const planC: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'solo',
  nodes: [{ id: 'solo', action: 'send', subject: 'One', body: 'Only', transitions: [] }],
};
const planS = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'pick',
  nodes: [
    {
      id: 'pick',
      action: 'split',
      experiment: 'subject_test',
      variants: [
        { id: 'b_control', weight: 1, to: 'x' },
        { id: 'a_treatment', weight: 1, to: 'y' },
      ],
    },
    { id: 'x', action: 'send', subject: 'X', body: 'x', transitions: [] },
    { id: 'y', action: 'send', subject: 'Y', body: 'y', transitions: [] },
  ],
} as unknown as Plan;

describe('analytics on a seeded data set (Postgres)', () => {
  let database: TestDatabase;
  let analytics: KyselyAnalytics;

  async function campaign(
    plan: Plan,
    opts: { status?: string; stop?: string; mode?: string; sender?: string } = {},
  ) {
    const contact = `c-${randomUUID()}`;
    const id = randomUUID();
    await sql`insert into contacts (id, email) values (${contact}, ${`${contact}@example.com`})`.execute(
      database.db,
    );
    await sql`insert into contact_campaigns (contact_id, id, plan, timezone, status, stop_reason, created_at, updated_at, mode, email_sender_id)
      values (${contact}, ${id}::uuid, ${JSON.stringify(plan)}::jsonb, 'UTC', ${opts.status ?? 'active'}, ${opts.stop ?? null},
        ${R1.from}, ${R1.from}, ${opts.mode ?? 'live'}, ${opts.sender ?? null})`.execute(database.db);
    return { contact, id };
  }

  async function action(
    c: { contact: string; id: string },
    kind: 'send' | 'timeout',
    runAt: Date,
    executedAt: Date | null,
  ) {
    const id = randomUUID();
    await sql`insert into scheduled_actions (id, contact_id, campaign_id, kind, node_id, step, event, transition_index,
        due_at, run_at, status, idempotency_key, executed_at)
      values (${id}::uuid, ${c.contact}, ${c.id}::uuid, ${kind}, 'n', 1, ${kind === 'timeout' ? 'no_open' : null},
        ${kind === 'timeout' ? 0 : null}, ${runAt}, ${runAt}, ${executedAt ? 'done' : 'pending'}, ${id}, ${executedAt})`.execute(
      database.db,
    );
    return id;
  }

  async function message(
    c: { contact: string; id: string },
    node: string,
    sentAt: Date | null,
    opts: { status?: string; sender?: string | null } = {},
  ) {
    const actionId = await action(c, 'send', sentAt ?? R1.from, sentAt);
    const id = randomUUID();
    await sql`insert into outbound_messages (id, contact_id, campaign_id, action_id, node_id, step, dedupe_key, to_email,
        subject, body, status, sent_at, sender_id)
      values (${id}::uuid, ${c.contact}, ${c.id}::uuid, ${actionId}::uuid, ${node}, 1, ${id}, 'x@example.com', 's', 'b',
        ${opts.status ?? 'sent'}, ${sentAt}, ${opts.sender ?? null})`.execute(database.db);
    return { ...c, message: id, sentAt: sentAt ?? R1.from };
  }

  async function event(
    m: { contact: string; id: string; message: string; sentAt: Date },
    type: string,
    afterSeconds: number,
    flags: { machine?: boolean; bot?: boolean; autoReply?: boolean } = {},
  ) {
    await sql`insert into message_events (contact_id, campaign_id, message_id, provider, provider_event_id, type, occurred_at,
        machine, bot, auto_reply)
      values (${m.contact}, ${m.id}::uuid, ${m.message}::uuid, 'test', ${randomUUID()}, ${type},
        ${plus(m.sentAt, afterSeconds)}, ${flags.machine ?? false}, ${flags.bot ?? false}, ${flags.autoReply ?? false})`.execute(
      database.db,
    );
  }

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    analytics = new KyselyAnalytics(database.db);
    await sql`insert into senders (id, channel, from_address, timezone, daily_cap, created_at, updated_at)
      values ('s1', 'email', 'a@example.com', 'UTC', 1000, ${R1.from}, ${R1.from})`.execute(database.db);

    // c1 (planA, converted): intro then bump.
    const c1 = await campaign(planA, { status: 'completed', stop: 'goal:signed_up', sender: 's1' });
    const m1 = await message(c1, 'intro', at('2026-03-02T10:00:00Z'), { sender: 's1' });
    await event(m1, 'delivered', 5);
    await event(m1, 'opened', 60, { machine: true }); // machine open: not the first open
    await event(m1, 'opened', 1800);
    await event(m1, 'clicked', 120, { bot: true }); // link scanner
    await event(m1, 'replied', 7200);
    const m2 = await message(c1, 'bump', at('2026-03-04T10:00:00Z'), { sender: 's1' });
    await event(m2, 'delivered', 5);

    // c2 (planA2: planA's shape): nothing genuine.
    const c2 = await campaign(planA2, { sender: 's1' });
    const m3 = await message(c2, 'hello', at('2026-03-02T11:00:00Z'), { sender: 's1' });
    await event(m3, 'delivered', 5);
    await event(m3, 'opened', 30, { machine: true });
    await event(m3, 'opened', 40, { bot: true });
    await event(m3, 'clicked', 50, { bot: true });
    await event(m3, 'replied', 60, { autoReply: true });

    // c3: a shadow campaign; its message counts for nothing.
    const c3 = await campaign(planA, { mode: 'shadow', stop: 'goal:signed_up', status: 'completed' });
    const m4 = await message(c3, 'intro', at('2026-03-02T12:00:00Z'), { status: 'shadow' });
    await event(m4, 'delivered', 5);
    await event(m4, 'opened', 100);
    await event(m4, 'replied', 200);

    // c4 (planC, default sender): opened, clicked, unsubscribed.
    const c4 = await campaign(planC, { status: 'stopped', stop: 'unsubscribed' });
    const m5 = await message(c4, 'solo', at('2026-03-03T09:00:00Z'));
    await event(m5, 'delivered', 5);
    await event(m5, 'opened', 600);
    await event(m5, 'clicked', 700);
    await event(m5, 'unsubscribed', 800);

    // c5 (planA): one message before the range (its open falls inside), one that failed.
    const c5 = await campaign(planA, { sender: 's1' });
    const m7 = await message(c5, 'intro', at('2026-02-28T23:00:00Z'), { sender: 's1' });
    await event(m7, 'delivered', 5);
    await event(m7, 'opened', 7200);
    await message(c5, 'bump', null, { status: 'failed', sender: 's1' });

    // c6 (planA, converted): opened twice (one unique open), replied, a bot open.
    const c6 = await campaign(planA, { status: 'completed', stop: 'goal:demo', sender: 's1' });
    const m9 = await message(c6, 'intro', at('2026-03-03T12:00:00Z'), { sender: 's1' });
    await event(m9, 'delivered', 5);
    await event(m9, 'opened', 10, { bot: true });
    await event(m9, 'opened', 3600);
    await event(m9, 'opened', 10800);
    await event(m9, 'replied', 14400);

    // c7 (planC): bounced.
    const c7 = await campaign(planC, { status: 'stopped', stop: 'bounced', sender: 's1' });
    const m10 = await message(c7, 'solo', at('2026-03-05T08:00:00Z'), { sender: 's1' });
    await event(m10, 'bounced', 5);

    // Timers: three executed in R1 (0.5 s, 2 s and 60 s late), one executed after it, one pending.
    await action(c2, 'timeout', at('2026-03-04T10:00:00Z'), at('2026-03-04T10:00:00.500Z'));
    await action(c2, 'timeout', at('2026-03-04T10:30:00Z'), at('2026-03-04T10:30:02Z'));
    await action(c2, 'timeout', at('2026-03-05T07:00:00Z'), at('2026-03-05T07:01:00Z'));
    await action(c2, 'timeout', at('2026-03-09T07:00:00Z'), at('2026-03-09T07:00:09Z'));
    await action(c2, 'timeout', at('2026-03-06T07:00:00Z'), null);

    // Experiment in R2: b_control (first in the plan) 20 campaigns, 5 replied, 10 opened;
    // a_treatment 20 campaigns, 12 replied, 4 opened. One control campaign also got a message before its
    // assignment (not counted for the experiment).
    for (const [variant, replied, opened] of [
      ['b_control', 5, 10],
      ['a_treatment', 12, 4],
    ] as const) {
      for (let i = 0; i < 20; i++) {
        const c = await campaign(planS, { stop: i === 0 ? 'goal:signed_up' : undefined });
        const assignedAt = at('2026-04-02T00:00:00Z');
        await sql`insert into split_assignments (contact_id, campaign_id, node_id, experiment, variant, assigned_at, plan_version)
          values (${c.contact}, ${c.id}::uuid, 'pick', 'subject_test', ${variant}, ${assignedAt}, 1)`.execute(
          database.db,
        );
        if (variant === 'b_control' && i === 0) {
          const early = await message(c, 'x', at('2026-04-01T12:00:00Z'));
          await event(early, 'replied', 60);
        }
        const m = await message(c, variant === 'b_control' ? 'x' : 'y', plus(assignedAt, 3600 + i));
        await event(m, 'delivered', 5);
        if (i < replied) await event(m, 'replied', 600);
        if (i < opened) await event(m, 'opened', 300);
      }
    }
  }, 60_000);
  afterAll(async () => database?.dispose());

  const counts = (c: Partial<Record<string, number>>) => ({
    sent: 0,
    delivered: 0,
    opened: 0,
    clicked: 0,
    replied: 0,
    bounced: 0,
    complained: 0,
    unsubscribed: 0,
    ...c,
  });

  it('per node: unique genuine events, conversions, time to first open and reply', async () => {
    const nodes = await analytics.nodes(R1);
    const byId = Object.fromEntries(nodes.map((n) => [n.nodeId, n]));
    expect(Object.keys(byId).sort()).toEqual(['bump', 'hello', 'intro', 'solo']);
    const intro = byId.intro as NodeStats;
    expect(intro.counts).toEqual(counts({ sent: 2, delivered: 2, opened: 2, replied: 2 }));
    expect(intro.conversions).toBe(2);
    expect(intro.rates.opened).toEqual({ overDelivered: 1, overSent: 1 });
    expect(intro.rates.clicked).toEqual({ overDelivered: 0, overSent: 0 });
    // First genuine opens 1800 s and 3600 s after sending; replies 7200 s and 14400 s.
    expect(intro.timeToFirstOpenSeconds).toEqual({ count: 2, p50: 2700, p90: 3420, p99: 3582 });
    expect(intro.timeToFirstReplySeconds).toEqual({ count: 2, p50: 10800, p90: 13680, p99: 14328 });
    expect(byId.hello?.counts).toEqual(counts({ sent: 1, delivered: 1 }));
    expect(byId.hello?.timeToFirstOpenSeconds).toEqual({ count: 0, p50: null, p90: null, p99: null });
    expect(byId.bump?.counts).toEqual(counts({ sent: 1, delivered: 1 }));
    expect(byId.bump?.conversions).toBe(1);
    const solo = byId.solo as NodeStats;
    expect(solo.counts).toEqual(
      counts({ sent: 2, delivered: 1, opened: 1, clicked: 1, bounced: 1, unsubscribed: 1 }),
    );
    expect(solo.rates.opened).toEqual({ overDelivered: 1, overSent: 0.5 });
    expect(solo.rates.bounced).toEqual({ overDelivered: 1, overSent: 0.5 });
    expect(solo.conversions).toBe(0);
  });

  it('per sender (the default sender as null)', async () => {
    const senders = await analytics.senders(R1);
    expect(senders.map((s) => [s.senderId, s.channel])).toEqual([
      [null, 'email'],
      ['s1', 'email'],
    ]);
    expect(senders[0]?.counts).toEqual(
      counts({ sent: 1, delivered: 1, opened: 1, clicked: 1, unsubscribed: 1 }),
    );
    expect(senders[1]?.counts).toEqual(counts({ sent: 5, delivered: 4, opened: 2, replied: 2, bounced: 1 }));
    expect(senders[1]?.rates.replied).toEqual({ overDelivered: 0.5, overSent: 0.4 });
  });

  it('plan shapes: planA and its renamed twin together, ranked by conversion rate', async () => {
    const shapes = await analytics.shapes(R1);
    expect(planShape(planA)).toBe(planShape(planA2));
    expect(shapes.map((s) => s.shape)).toEqual([planShape(planA), planShape(planC)]);
    const [a, c] = shapes;
    expect([a?.campaigns, a?.conversions, a?.campaignsReplied]).toEqual([3, 2, 2]);
    expect(a?.conversionRate).toBeCloseTo(2 / 3, 12);
    expect(a?.replyRate).toBeCloseTo(2 / 3, 12);
    expect(a?.counts).toEqual(counts({ sent: 4, delivered: 4, opened: 2, replied: 2 }));
    expect([c?.campaigns, c?.conversions, c?.conversionRate, c?.replyRate]).toEqual([2, 0, 0, 0]);
  });

  it('experiments: variants in plan order, campaign-level z-tests, null under 5 in a cell', async () => {
    expect(await analytics.experiments(R1)).toEqual([]);
    const [experiment, ...rest] = await analytics.experiments(R2);
    expect(rest).toEqual([]);
    expect(experiment?.experiment).toBe('subject_test');
    const [control, treatment] = experiment?.variants ?? [];
    expect(control?.variant).toBe('b_control');
    expect(treatment?.variant).toBe('a_treatment');
    expect([
      control?.campaigns,
      control?.campaignsReplied,
      control?.campaignsOpened,
      control?.conversions,
    ]).toEqual([20, 5, 10, 1]);
    // The message before the assignment is not the experiment's.
    expect(control?.counts).toEqual(counts({ sent: 20, delivered: 20, opened: 10, replied: 5 }));
    expect([treatment?.campaigns, treatment?.campaignsReplied, treatment?.campaignsOpened]).toEqual([
      20, 12, 4,
    ]);
    expect(control?.replyTest).toBeNull();
    // 5/20 vs 12/20: pooled 17/40, z = 0.35 / sqrt(0.425 * 0.575 * 0.1) = 2.23893; p = erfc(z / sqrt 2) = 0.025161.
    expect(treatment?.replyTest?.z).toBeCloseTo(2.23893, 4);
    expect(treatment?.replyTest?.p).toBeCloseTo(0.025161, 5);
    // 4 opened of 20: a cell under 5.
    expect(treatment?.openTest).toBeNull();
  });

  it('the rollup follows the write paths: a message marked sent later, its events after, a goal reached after', async () => {
    const R3 = { from: new Date('2026-05-01T00:00:00Z'), to: new Date('2026-05-02T00:00:00Z') };
    const c = await campaign(planC);
    const m = await message(c, 'solo', null, { status: 'sending' });
    expect(await analytics.nodes(R3)).toEqual([]);
    const sentAt = at('2026-05-01T10:00:00Z');
    // What the store's markSent does: status and sent_at in one update.
    await sql`update outbound_messages set status = 'sent', sent_at = ${sentAt} where id = ${m.message}::uuid`.execute(
      database.db,
    );
    const sent = { ...m, sentAt };
    await event(sent, 'delivered', 5);
    await event(sent, 'opened', 90, { bot: true });
    await event(sent, 'opened', 120);
    await event(sent, 'opened', 60, { machine: true });
    let [node] = await analytics.nodes(R3);
    expect(node?.counts).toEqual(counts({ sent: 1, delivered: 1, opened: 1 }));
    expect(node?.timeToFirstOpenSeconds.p50).toBe(120);
    expect(node?.conversions).toBe(0);
    // An earlier genuine open reported late still becomes the first.
    await event(sent, 'opened', 100);
    await sql`update contact_campaigns set status = 'completed', stop_reason = 'goal:signed_up' where id = ${c.id}::uuid`.execute(
      database.db,
    );
    [node] = await analytics.nodes(R3);
    expect(node?.timeToFirstOpenSeconds.p50).toBe(100);
    expect(node?.conversions).toBe(1);
  });

  it('timer lateness: execution minus adjusted due time, executed timeouts in the range only', async () => {
    const lateness = await analytics.lateness(R1);
    // [500, 2000, 60000] ms: p90 at rank 1.8 = 2000 + 0.8 * 58000; p99 at rank 1.98.
    expect(lateness.timers).toEqual({ count: 3, p50: 2000, p90: 48400, p99: 58840 });
    // Seven days: hourly buckets.
    expect(lateness.bucket).toBe('hour');
    expect(lateness.buckets.map((b) => [b.start, b.latenessMs.count, b.latenessMs.p50])).toEqual([
      ['2026-03-04T10:00:00.000Z', 2, 1250],
      ['2026-03-05T07:00:00.000Z', 1, 60000],
    ]);
    // Ten days: daily buckets, and the timer executed on the 9th is in.
    const daily = await analytics.lateness({ from: R1.from, to: at('2026-03-11T00:00:00Z') });
    expect(daily.bucket).toBe('day');
    expect(daily.timers.count).toBe(4);
    expect(daily.buckets.map((b) => [b.start, b.latenessMs.count])).toEqual([
      ['2026-03-04T00:00:00.000Z', 2],
      ['2026-03-05T00:00:00.000Z', 1],
      ['2026-03-09T00:00:00.000Z', 1],
    ]);
  });
});
