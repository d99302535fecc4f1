import { randomUUID } from 'node:crypto';
import {
  CampaignPlanExecutionService,
  type CampaignStore,
  type Plan,
  type StoreTransaction,
} from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport, seedPlan } from '@campaign/core/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import type { Database } from './schema.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * Races and faults on the real databases (DESIGN section 4 rule 7): what each one is prevented by is
 * named in the test. PGlite has one connection, so its "races" are serialized by construction; the
 * same tests still pin the outcome there.
 */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const AFTER_72H = new Date('2026-01-08T10:00:00.000Z');

const plan: Plan = seedPlan();

/** A store whose next transaction, once its work is done, waits before committing (locks held). */
class GatedStore implements CampaignStore {
  readonly read;
  private gate: { reached: () => void; release: Promise<void> } | undefined;
  private readonly inner: CampaignStore;

  constructor(inner: CampaignStore) {
    this.inner = inner;
    this.read = inner.read;
  }

  /** Arms the gate; resolves `reached` when the next transaction has done its work. */
  arm(): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const reachedPromise = new Promise<void>((resolve) => {
      reached = resolve;
    });
    this.gate = { reached, release: new Promise<void>((resolve) => (release = resolve)) };
    return { reached: reachedPromise, release };
  }

  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    const gate = this.gate;
    this.gate = undefined;
    return this.inner.transaction(async (tx) => {
      const result = await work(tx);
      if (gate) {
        gate.reached();
        await gate.release;
      }
      return result;
    });
  }
}

/**
 * A store whose transactions fail when they try to store scheduled actions (alone or with the rest of a
 * decision's writes): a crash half-way.
 */
class CrashingStore implements CampaignStore {
  readonly read;
  private readonly inner: CampaignStore;

  constructor(inner: CampaignStore) {
    this.inner = inner;
    this.read = inner.read;
  }

  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.inner.transaction((tx) =>
      work({
        ...tx,
        campaigns: {
          insert: tx.campaigns.insert.bind(tx.campaigns),
          findByIdempotencyKey: tx.campaigns.findByIdempotencyKey.bind(tx.campaigns),
          lock: tx.campaigns.lock.bind(tx.campaigns),
          openCampaignIds: tx.campaigns.openCampaignIds.bind(tx.campaigns),
          saveState: tx.campaigns.saveState.bind(tx.campaigns),
          savePlan: tx.campaigns.savePlan.bind(tx.campaigns),
          saveDecision: async (write) => {
            if (write.actions.length > 0) throw new Error('process died half-way (simulated)');
            return tx.campaigns.saveDecision(write);
          },
        },
        actions: {
          ...tx.actions,
          cancelPending: tx.actions.cancelPending.bind(tx.actions),
          lock: tx.actions.lock.bind(tx.actions),
          listPending: tx.actions.listPending.bind(tx.actions),
          reschedule: tx.actions.reschedule.bind(tx.actions),
          finish: tx.actions.finish.bind(tx.actions),
          claim: tx.actions.claim.bind(tx.actions),
          release: tx.actions.release.bind(tx.actions),
          retryClaimed: tx.actions.retryClaimed.bind(tx.actions),
          insertMany: async () => {
            throw new Error('process died half-way (simulated)');
          },
        },
      }),
    );
  }
}

describe.each(['postgres', 'pglite'] as const)('races and faults on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    // 50 callers on 50 connections
    database = await createTestDatabase(kind, { poolSize: 60 });
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  function service(at: Date, over: CampaignStore = store) {
    const clock = new ManualClock(at);
    const scheduler = new InMemoryScheduler(clock);
    const transport = new RecordingTransport();
    return {
      clock,
      scheduler,
      transport,
      service: new CampaignPlanExecutionService({ store: over, scheduler, transport, clock }),
    };
  }

  const contact = () => ({ id: randomUUID(), email: `${randomUUID()}@example.com` });

  async function sentIntro() {
    const ctx = service(T0);
    const { campaign } = await ctx.service.persistPlan({ contact: contact(), plan });
    const sendId = ctx.scheduler.pending()[0]?.actionId ?? '';
    await ctx.service.executeAction(sendId);
    const message = await database.db
      .selectFrom('outbound_messages')
      .select(['id', 'contact_id'])
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirstOrThrow();
    return { ...ctx, campaign, messageId: message.id, contactId: message.contact_id };
  }

  async function enterRows(db: Kysely<Database>, campaignId: string) {
    return db
      .selectFrom('campaign_transitions')
      .select(['from_node_id', 'to_node_id', 'step'])
      .where('campaign_id', '=', campaignId)
      .where('kind', '=', 'enter')
      .orderBy('seq')
      .execute();
  }

  it('50 concurrent processTransition calls for one campaign take exactly one transition (row lock on contact_campaigns)', async () => {
    const { campaign, messageId, contactId } = await sentIntro();
    // 50 distinct opens, stored but not applied yet
    const events = await database.db
      .insertInto('message_events')
      .values(
        Array.from({ length: 50 }, (_, i) => ({
          contact_id: contactId,
          campaign_id: campaign.id,
          message_id: messageId,
          provider: 'test',
          provider_event_id: `open-${i}`,
          type: 'opened',
          occurred_at: new Date(T0.getTime() + 60_000),
          effect: null,
          payload: null,
        })),
      )
      .returning('id')
      .execute();
    const workers = events.map(() => service(new Date(T0.getTime() + 120_000)).service);
    const effects = await Promise.all(events.map((e, i) => workers[i]?.processTransition(e.id)));
    expect(effects.filter((e) => e === 'transition')).toHaveLength(1);
    expect(effects.filter((e) => e === 'ignored')).toHaveLength(49);
    expect(await enterRows(database.db, campaign.id)).toEqual([
      { from_node_id: null, to_node_id: 'intro', step: 1 },
      { from_node_id: 'intro', to_node_id: 'wait', step: 2 },
    ]);
    // and running them all again changes nothing (each event is applied once)
    await Promise.all(events.map((e, i) => workers[i]?.processTransition(e.id)));
    expect(await enterRows(database.db, campaign.id)).toHaveLength(2);
  });

  it('a timeout and an event at the same instant produce one transition (row lock; the loser finds a cancelled or stale action)', async () => {
    for (let round = 0; round < 10; round += 1) {
      const { campaign, messageId } = await sentIntro();
      const timeout = await database.db
        .selectFrom('scheduled_actions')
        .select('id')
        .where('campaign_id', '=', campaign.id)
        .where('kind', '=', 'timeout')
        .executeTakeFirstOrThrow();
      const a = service(AFTER_72H).service;
      const b = service(AFTER_72H).service;
      const [fired, recorded] = await Promise.all([
        a.executeAction(timeout.id),
        // exactly 72 h after the send: inside `within` (inclusive) and at the timeout's due instant
        b.recordEvent({
          provider: 'test',
          providerEventId: `race-${round}`,
          messageId,
          type: 'opened',
          occurredAt: AFTER_72H,
        }),
      ]);
      const rows = await enterRows(database.db, campaign.id);
      expect(rows).toHaveLength(2);
      if (fired.outcome === 'transition') {
        expect(rows[1]).toEqual({ from_node_id: 'intro', to_node_id: 'bump', step: 2 });
        expect(recorded).toMatchObject({ effect: 'ignored' });
      } else {
        expect(['not_pending', 'stale']).toContain(fired.outcome);
        expect(rows[1]).toEqual({ from_node_id: 'intro', to_node_id: 'wait', step: 2 });
        expect(recorded).toMatchObject({ effect: 'transition' });
      }
    }
  });

  it('an action claimed by many workers is executed once (row lock + status check + unique dedupe key)', async () => {
    const ctx = service(T0);
    const { campaign } = await ctx.service.persistPlan({ contact: contact(), plan });
    const sendId = ctx.scheduler.pending()[0]?.actionId ?? '';
    const workers = Array.from({ length: 10 }, () => service(T0));
    const outcomes = await Promise.all(workers.map((w) => w.service.executeAction(sendId)));
    expect(outcomes.filter((o) => o.outcome === 'sent')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'not_pending')).toHaveLength(9);
    expect(workers.flatMap((w) => w.transport.sent)).toHaveLength(1);
    const messages = await database.db
      .selectFrom('outbound_messages')
      .select('id')
      .where('campaign_id', '=', campaign.id)
      .execute();
    expect(messages).toHaveLength(1);
  });

  it('a send racing an unsubscribe that commits first is never sent (the send re-checks under the campaign lock)', async () => {
    const ctx = service(T0);
    const { campaign } = await ctx.service.persistPlan({ contact: contact(), plan });
    const sendId = ctx.scheduler.pending()[0]?.actionId ?? '';
    const gated = new GatedStore(store);
    const unsubscriber = service(T0, gated).service;
    const gate = gated.arm();
    const unsubscribe = unsubscriber.recordEvent({
      provider: 'test',
      providerEventId: 'unsub-race',
      contactId: campaign.contactId,
      type: 'unsubscribed',
      occurredAt: T0,
    });
    await gate.reached; // the unsubscribe has stopped the campaign, not committed yet, locks held
    const worker = service(T0);
    const send = worker.service.executeAction(sendId);
    if (kind === 'postgres') await waitUntilBlocked(database.db);
    gate.release();
    expect(await unsubscribe).toMatchObject({ status: 'accepted', effect: 'exit' });
    expect(['not_pending', 'stale']).toContain((await send).outcome);
    expect(worker.transport.sent).toEqual([]);
    expect(
      await database.db
        .selectFrom('outbound_messages')
        .select('id')
        .where('campaign_id', '=', campaign.id)
        .execute(),
    ).toEqual([]);
  });

  it('a transaction that dies half-way leaves no partial state, and the event can be delivered again', async () => {
    const { campaign, messageId } = await sentIntro();
    const before = await snapshot(database.db, campaign.id);
    const crashing = service(T0, new CrashingStore(store)).service;
    const event = {
      provider: 'test',
      providerEventId: 'open-crash',
      messageId,
      type: 'opened' as const,
      occurredAt: T0,
    };
    await expect(crashing.recordEvent(event)).rejects.toThrow(/half-way/);
    expect(await snapshot(database.db, campaign.id)).toEqual(before);
    // the provider retries the webhook: it is applied in full
    expect(await service(T0).service.recordEvent(event)).toMatchObject({
      status: 'accepted',
      effect: 'transition',
    });
    expect(await enterRows(database.db, campaign.id)).toHaveLength(2);
  });

  it.runIf(kind === 'postgres')('a backend killed mid-transaction leaves no partial state', async () => {
    const { campaign, messageId } = await sentIntro();
    const before = await snapshot(database.db, campaign.id);
    const gated = new GatedStore(store);
    const gate = gated.arm();
    const pending = service(T0, gated).service.recordEvent({
      provider: 'test',
      providerEventId: 'open-killed',
      messageId,
      type: 'opened',
      occurredAt: T0,
    });
    const failed = pending.catch((error: unknown) => error);
    await gate.reached;
    const killed = await sql<{ killed: boolean }>`
      select pg_terminate_backend(pid) as killed from pg_stat_activity
      where datname = current_database() and state = 'idle in transaction' and pid <> pg_backend_pid()`.execute(
      database.db,
    );
    expect(killed.rows.map((r) => r.killed)).toEqual([true]);
    gate.release();
    expect(await failed).toBeInstanceOf(Error);
    expect(await snapshot(database.db, campaign.id)).toEqual(before);
  });
});

async function snapshot(db: Kysely<Database>, campaignId: string) {
  const [campaign, actions, transitions, events, messages] = await Promise.all([
    db
      .selectFrom('contact_campaigns')
      .select(['status', 'current_node_id', 'step_seq', 'anchor_at'])
      .where('id', '=', campaignId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('scheduled_actions')
      .select(['id', 'status', 'run_at'])
      .where('campaign_id', '=', campaignId)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('campaign_transitions')
      .select(['id'])
      .where('campaign_id', '=', campaignId)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('message_events')
      .select(['id'])
      .where('campaign_id', '=', campaignId)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('outbound_messages')
      .select(['id', 'status'])
      .where('campaign_id', '=', campaignId)
      .orderBy('id')
      .execute(),
  ]);
  return { campaign, actions, transitions, events, messages };
}

/** Waits until some backend of this database is waiting on a lock held by another transaction. */
async function waitUntilBlocked(db: Kysely<Database>): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
    if (Number(rows[0]?.n) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no backend ever blocked on the campaign lock');
}
