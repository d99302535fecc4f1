import { randomUUID } from 'node:crypto';
import type { CampaignPlanExecutionService, EngagementEvent, Plan, RecordedEvent } from '@campaign/core';
import { decisiveEvents } from '@campaign/core';
import { clickOrTimeoutPlan } from '@campaign/core/testing';
import type { PluginTransformResultArgs, QueryResult, UnknownRow } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, manualEngine, type TestDatabase, WatchingPlugin } from './testing.ts';

/*
 * Handling an event reads the campaign's latest message and the events that can decide anything
 * (EngineContext). What it reads must not grow with the events the message already has: a busy
 * campaign's event throughput fell from 87 to 35 a second as each event re-read all the earlier ones,
 * payloads included.
 */

/** Counts the rows and bytes every statement returns to us. */
class ResultCounter extends WatchingPlugin {
  rows = 0;
  bytes = 0;
  texts: string[] = [];
  override async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const text = JSON.stringify(args.result.rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    this.rows += args.result.rows.length;
    this.bytes += text.length;
    this.texts.push(text);
    return args.result;
  }
  reset(): void {
    this.rows = 0;
    this.bytes = 0;
    this.texts = [];
  }
}

const T0 = new Date('2026-01-05T10:00:00.000Z');
// Opens change nothing at `intro` (only a click moves it): every open is recorded, read as context, ignored.
const plan: Plan = clickOrTimeoutPlan();

describe('regression: each event re-read every earlier event of its message, with payloads (Postgres)', () => {
  let database: TestDatabase;
  const counter = new ResultCounter();
  let service: CampaignPlanExecutionService;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    ({ service } = manualEngine(new KyselyCampaignStore(database.db.withPlugin(counter)), T0));
  }, 30_000);
  afterAll(async () => database?.dispose());

  /** A campaign whose message has `earlier` opens recorded, each with a payload that names it. */
  async function sentWithOpens(earlier: number): Promise<string> {
    const { campaign } = await service.persistPlan({
      contact: { id: randomUUID(), email: `${randomUUID()}@example.com` },
      plan,
    });
    const send = (await service.getCampaign(campaign.id)).pendingActions.find((a) => a.kind === 'send');
    await service.executeAction(send?.id ?? '');
    const sent = (await service.getCampaign(campaign.id)).timeline.find((e) => e.kind === 'send');
    if (sent?.kind !== 'send') throw new Error('not sent');
    for (let i = 0; i < earlier; i++) {
      await service.recordEvent({
        provider: 'test',
        providerEventId: `earlier-${i}`,
        messageId: sent.message,
        type: 'opened',
        occurredAt: new Date(T0.getTime() + (i + 1) * 100), // within the clock's 5-minute tolerance
        payload: { marker: `earlier-payload-${i}`, padding: 'x'.repeat(200) },
      });
    }
    return sent.message;
  }

  async function oneMoreOpen(messageId: string, id: string) {
    counter.reset();
    const started = performance.now();
    const result = await service.recordEvent({
      provider: 'test',
      providerEventId: id,
      messageId,
      type: 'opened',
      occurredAt: new Date(T0.getTime() + 60_000),
      payload: { marker: 'this-payload' },
    });
    const ms = performance.now() - started;
    expect(result).toMatchObject({ status: 'accepted', effect: 'ignored' });
    return { rows: counter.rows, bytes: counter.bytes, texts: counter.texts, ms };
  }

  it('handling one event reads as much after 500 earlier events as after 1, and no earlier payload', async () => {
    const few = await sentWithOpens(1);
    const many = await sentWithOpens(500);
    const afterOne = await oneMoreOpen(few, 'next-few');
    const afterMany = await oneMoreOpen(many, 'next-many');
    console.info(
      JSON.stringify({
        eventAfter1: { rows: afterOne.rows, bytes: afterOne.bytes },
        eventAfter500: { rows: afterMany.rows, bytes: afterMany.bytes },
      }),
    );
    // The earliest open is the one decisive row either way; ids and timestamps are the same length.
    expect(afterMany.rows).toBe(afterOne.rows);
    expect(afterMany.bytes).toBeLessThanOrEqual(afterOne.bytes + 16);
    expect(afterMany.texts.join('\n')).not.toMatch(/earlier-payload/);

    // Throughput, for the record: events handled one after another on the message with 500 earlier ones.
    const started = performance.now();
    for (let i = 0; i < 50; i++) await oneMoreOpen(many, `bench-${i}`);
    const perSecond = Math.round(50_000 / (performance.now() - started));
    console.info(JSON.stringify({ eventsPerSecondAfter500: perSecond }));
  }, 120_000);
});

describe.each(['postgres', 'pglite'] as const)('decisive events read by the store on %s', (kind) => {
  let database: TestDatabase;
  let service: CampaignPlanExecutionService;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
    ({ service } = manualEngine(store, T0));
  }, 30_000);
  afterAll(async () => database?.dispose());

  const TYPES = ['opened', 'clicked', 'replied', 'delivered', 'bounced', 'unknown'] as const;

  /** A seeded draw of up to 25 events: few distinct minutes, so ties are frequent; every flag either way. */
  function draw(seed: number) {
    let x = seed;
    const next = (n: number) => {
      // mulberry32
      x = (x + 0x6d2b79f5) | 0;
      let t = Math.imul(x ^ (x >>> 15), 1 | x);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    return Array.from({ length: next(26) }, () => ({
      type: TYPES[next(TYPES.length)] as EngagementEvent | 'unknown',
      minute: next(9),
      machine: next(2) === 1,
      bot: next(2) === 1,
      autoReply: next(2) === 1,
    }));
  }

  it('are exactly the engine decisiveEvents of every event recorded for the latest message', async () => {
    for (let seed = 1; seed <= (kind === 'postgres' ? 40 : 15); seed++) {
      const raw = draw(seed);
      const { campaign } = await service.persistPlan({
        contact: { id: randomUUID(), email: `${randomUUID()}@example.com` },
        plan,
      });
      const send = (await service.getCampaign(campaign.id)).pendingActions.find((a) => a.kind === 'send');
      await service.executeAction(send?.id ?? '');
      const recorded = await store.transaction(async (tx) => {
        const latest = await tx.messages.latestSentWithDecisiveEvents(campaign.id);
        if (!latest) throw new Error('not sent');
        const all: RecordedEvent[] = [];
        for (const [i, r] of raw.entries()) {
          const stored = await tx.events.insert({
            contactId: campaign.contactId,
            campaignId: campaign.id,
            messageId: latest.message.id,
            provider: 'test',
            providerEventId: `e${i}`,
            type: r.type,
            rawType: null,
            occurredAt: new Date(T0.getTime() + r.minute * 60_000),
            machine: r.machine,
            bot: r.bot,
            autoReply: r.autoReply,
            payload: { i },
          });
          if (stored && r.type !== 'unknown') {
            all.push({
              id: stored.id,
              messageId: stored.messageId,
              type: r.type,
              occurredAt: stored.occurredAt,
              machine: r.machine,
              bot: r.bot,
              autoReply: r.autoReply,
            });
          }
        }
        const read = await tx.messages.latestSentWithDecisiveEvents(campaign.id);
        return { all, read: read?.events ?? [] };
      });
      expect(recorded.read, `seed ${seed}`).toEqual(decisiveEvents(recorded.all));
    }
  }, 120_000);
});
