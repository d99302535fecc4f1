import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { seedPlan } from '@campaign/core/testing';
import {
  CompiledQuery,
  type PluginTransformQueryArgs,
  type QueryId,
  type RootOperationNode,
  sql,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignReader } from './kysely-campaign-reader.ts';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, manualEngine, type TestDatabase, WatchingPlugin } from './testing.ts';

/*
 * The hot paths read through indexes, shown by the planner rather than by index names: on tables of
 * 20,000 campaigns (and their actions, messages, events and transitions) the statements a send, an event,
 * a campaign read and the reconcile loop's scans send out are EXPLAINed, and none scans a whole table.
 */

const COPIES = 20_000;
const T0 = new Date('2026-01-05T10:00:00.000Z');
const BIG_TABLES = [
  'contacts',
  'contact_campaigns',
  'scheduled_actions',
  'outbound_messages',
  'message_events',
  'campaign_transitions',
];

const plan: Plan = seedPlan();

/** Keeps every statement the store sends (its operation tree), to compile and EXPLAIN afterwards. */
class RecordingPlugin extends WatchingPlugin {
  recorded: { node: RootOperationNode; queryId: QueryId }[] = [];
  override transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.recorded.push({ node: args.node, queryId: args.queryId });
    return args.node;
  }
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/**
 * Copies every row of `table` `COPIES` times, whatever its columns: each id column in `remap` becomes a
 * value derived from the original and the copy number (the same derivation in every table, so foreign
 * keys still point at the copied rows), `suffix` columns get the copy number appended.
 */
function copyRows(table: string, remap: { uuid: string[]; text: string[]; suffix?: string[] }) {
  const changes = [
    ...remap.uuid.map((c) => `'${c}', md5(t.${c}::text || '/' || g)::uuid`),
    ...[...remap.text, ...(remap.suffix ?? [])].map((c) => `'${c}', t.${c} || '/' || g`),
  ];
  return sql.raw(`
    insert into ${table}
    select (jsonb_populate_record(null::${table}, to_jsonb(t) || jsonb_build_object(${changes.join(', ')}))).*
    from ${table} t, generate_series(1, ${COPIES}) g`);
}

describe(`index use on ${COPIES} campaigns (Postgres EXPLAIN)`, { timeout: 300_000 }, () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    // One campaign through each hot path (sent, opened, a timeout pending), then copied COPIES times.
    const { service, scheduler } = manualEngine(new KyselyCampaignStore(database.db), T0);
    const { campaign } = await service.persistPlan({
      contact: { id: `seed-${randomUUID()}`, email: 'seed@example.com' },
      plan,
    });
    await service.executeAction(scheduler.pending()[0]?.actionId ?? '');
    const sent = (await service.getCampaign(campaign.id)).timeline.find((e) => e.kind === 'send');
    if (sent?.kind !== 'send') throw new Error('the seed campaign sent nothing');
    await service.recordEvent({
      provider: 'test',
      providerEventId: 'seed-open',
      messageId: sent.message,
      type: 'opened',
      occurredAt: T0,
    });
    const db = database.db;
    await copyRows('contacts', { uuid: [], text: ['id'], suffix: ['email'] }).execute(db);
    await copyRows('contact_campaigns', { uuid: ['id'], text: ['contact_id'] }).execute(db);
    await copyRows('scheduled_actions', { uuid: ['id', 'campaign_id'], text: ['contact_id'] }).execute(db);
    await copyRows('outbound_messages', {
      uuid: ['id', 'campaign_id', 'action_id'],
      text: ['contact_id'],
      suffix: ['provider_message_id'],
    }).execute(db);
    await copyRows('message_events', {
      uuid: ['id', 'campaign_id', 'message_id'],
      text: ['contact_id'],
    }).execute(db);
    await copyRows('campaign_transitions', {
      uuid: ['id', 'campaign_id', 'event_id', 'action_id'],
      text: ['contact_id'],
    }).execute(db);
    await sql`analyze`.execute(db);
  }, 300_000);
  afterAll(async () => database?.dispose());

  it(`has ${COPIES + 1} copies of the seed campaign's rows in every table`, async () => {
    for (const table of BIG_TABLES) {
      const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(
        database.db,
      );
      expect(Number(rows[0]?.n) % (COPIES + 1), table).toBe(0);
      expect(Number(rows[0]?.n), table).toBeGreaterThanOrEqual(COPIES + 1);
    }
  });

  it('reads through indexes on every hot path: no statement scans a whole big table', async () => {
    const recorder = new RecordingPlugin();
    const watched = database.db.withPlugin(recorder);
    const { service, scheduler } = manualEngine(new KyselyCampaignStore(watched), T0);
    const reader = new KyselyCampaignReader(watched);

    const { campaign } = await service.persistPlan({
      contact: { id: `probe-${randomUUID()}`, email: 'probe@example.com' },
      plan,
    });
    await service.executeAction(scheduler.pending()[0]?.actionId ?? '');
    const sent = (await service.getCampaign(campaign.id)).timeline.find((e) => e.kind === 'send');
    if (sent?.kind !== 'send') throw new Error('the probe campaign sent nothing');
    await service.recordEvent({
      provider: 'test',
      providerEventId: 'probe-open',
      messageId: sent.message,
      type: 'opened',
      occurredAt: T0,
    });
    // A throttled send: its claim counts the sender's sends ahead of it (`senderState`) on every try.
    const senderId = `snd_${randomUUID().slice(0, 8)}`;
    await new KyselyCampaignStore(watched).transaction((tx) =>
      tx.senders.insert({
        id: senderId,
        channel: 'email',
        from: `${senderId}@example.com`,
        timezone: 'UTC',
        caps: { daily: 1000, minGap: 'PT1S' },
        warmup: null,
        enabled: true,
        transport: 'log',
        createdAt: T0,
      }),
    );
    const throttledContact = `throttled-${randomUUID()}`;
    await service.persistPlan({
      contact: { id: throttledContact, email: 'throttled@example.com' },
      plan,
      senderIds: { email: senderId },
    });
    const throttled = scheduler.pending().find((j) => j.contactId === throttledContact);
    expect(await service.executeAction(throttled?.actionId ?? '')).toEqual({ outcome: 'sent' });
    await reader.duePending(T0, 100);
    await reader.expiredClaims(T0, 100);
    await reader.contactIdsByEmail('probe@example.com');
    await reader.timeline(campaign.id);
    // What an `engaged` branch condition reads (plan 1.1): the campaign's genuine (type, node) pairs.
    await new KyselyCampaignStore(watched).transaction((tx) => tx.events.engagements(campaign.id));

    const scans: string[] = [];
    const indexes = new Set<string>();
    let explained = 0;
    for (const { node, queryId } of recorder.recorded) {
      if (node.kind === 'InsertQueryNode') continue; // an insert reads no table (its conflict check is the key)
      const compiled = database.db.getExecutor().compileQuery(node, queryId);
      const { rows } = await database.db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        CompiledQuery.raw(`explain (format json) ${compiled.sql}`, [...compiled.parameters]),
      );
      const plan = rows[0]?.['QUERY PLAN'][0].Plan;
      if (!plan) throw new Error(`no plan for ${compiled.sql}`);
      explained += 1;
      for (const step of nodesOf(plan)) {
        if (step['Index Name']) indexes.add(step['Index Name']);
        if (step['Node Type'] === 'Seq Scan' && BIG_TABLES.includes(step['Relation Name'] ?? '')) {
          scans.push(`${step['Relation Name']}: ${compiled.sql}`);
        }
      }
    }
    expect(explained).toBeGreaterThan(20);
    expect(scans).toEqual([]);
    // The indexes made for the hot reads are the ones the planner picks for them.
    expect([...indexes]).toEqual(
      expect.arrayContaining([
        'scheduled_actions_due_idx', // the reconcile loop's due pending actions
        'outbound_messages_latest_idx', // a campaign's latest sent message
        'message_events_decisive_idx', // the decisive events of a message
        'contacts_email_idx', // contacts by address
      ]),
    );
  });
});
