import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService, formatRoutedId } from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport, seedPlan } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { StatementCapturePlugin } from './statement-capture.ts';
import { judgeStatement } from './statement-routing.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * DESIGN section 9 on the hot paths: a job carries its action's contact id, so the worker's whole send
 * and timeout run routed to that contact's shard; an event's transaction is its message's contact's. Judged
 * with no allow-list at all: a statement here that does not name the contact would fan out on Citus.
 */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const HOUR_MS = 3_600_000;

describe('routed hot paths (Postgres)', () => {
  let database: TestDatabase;
  const captured = new Set<string>();
  let store: KyselyCampaignStore;
  let service: CampaignPlanExecutionService;
  let scheduler: InMemoryScheduler;
  let clock: ManualClock;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    clock = new ManualClock(T0);
    scheduler = new InMemoryScheduler(clock);
    store = new KyselyCampaignStore(database.db.withPlugin(new StatementCapturePlugin(captured)));
    service = new CampaignPlanExecutionService({
      store,
      scheduler,
      transport: new RecordingTransport(),
      clock,
    });
    await scheduler.start((actionId, contactId) => service.executeAction(actionId, contactId).then(() => {}));
  }, 30_000);
  afterAll(async () => database?.dispose());

  /** The statements `work` ran that would not be routed to one shard, with no allow-list. */
  async function unrouted(work: () => Promise<unknown>): Promise<string[]> {
    captured.clear();
    await work();
    return [...captured].map((sql) => judgeStatement(sql, [])).flatMap((v) => (v.routed ? [] : [v.sql]));
  }

  async function activate() {
    const contact = { id: `crm.${randomUUID()}`, email: `${randomUUID()}@example.com` };
    const { campaign } = await service.persistPlan({ contact, plan: seedPlan() });
    return campaign;
  }

  it("every job carries its action's contact id", async () => {
    const campaign = await activate();
    const jobs = scheduler.pending().filter((j) => j.runAt.getTime() <= T0.getTime());
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      const action = await store.read.getAction(job.actionId);
      expect(job.contactId).toBe(action?.contactId);
    }
    expect(jobs.map((j) => j.contactId)).toContain(campaign.contactId);
  });

  it('a send, its timeout and the send after it, run from their jobs, name the contact in every statement', async () => {
    const campaign = await activate();
    const bad = await unrouted(async () => {
      await scheduler.runDue(); // the intro
      await scheduler.advanceTo(new Date(clock.now().getTime() + 73 * HOUR_MS)); // no_open, then the bump
    });
    const view = await service.getCampaign(campaign.id);
    expect(view.timeline.filter((e) => e.kind === 'send')).toHaveLength(2);
    expect(view.campaign.state.status).toBe('completed');
    expect(captured.size).toBeGreaterThan(10); // the run went through the captured handle
    expect(bad).toEqual([]);
  });

  it("an event on a message: only the lookup of the message by its id fans out; its transaction is the contact's", async () => {
    const campaign = await activate();
    await scheduler.runDue();
    const sent = (await service.getCampaign(campaign.id)).timeline.find((e) => e.kind === 'send');
    if (sent?.kind !== 'send') throw new Error('not sent');
    const bad = await unrouted(() =>
      service.recordEvent({
        provider: 'test',
        providerEventId: randomUUID(),
        messageId: sent.message,
        type: 'opened',
        occurredAt: clock.now(),
      }),
    );
    expect((await service.getCampaign(campaign.id)).campaign.state.currentNodeId).toBe('wait');
    // The message id does not carry the contact id yet (docs/scaling.md, routing gap 1).
    expect(bad).toEqual(['select * from "outbound_messages" where "id" = $1']);
  });

  it('a campaign named by its routed id (as the API hands it out) is paused, read and resumed with every statement routed', async () => {
    const campaign = await activate();
    const routedId = formatRoutedId(campaign.id, campaign.contactId);
    const bad = await unrouted(async () => {
      await service.pause(routedId);
      await service.getCampaign(routedId);
      await service.getTimeline(routedId, { limit: 2 });
      await service.getCampaignPlan(routedId);
      await service.resume(routedId);
    });
    expect((await service.getCampaign(routedId)).campaign.state.status).toBe('active');
    expect(bad).toEqual([]);
  });

  it('by a bare campaign id only the lookup of the campaign fans out: the rest goes to its contact', async () => {
    const campaign = await activate();
    const bad = await unrouted(async () => {
      await service.pause(campaign.id);
      await service.getCampaign(campaign.id);
      await service.resume(campaign.id);
    });
    expect(new Set(bad)).toEqual(
      new Set([
        'select * from "contact_campaigns" where "id" = $1 for update',
        'select * from "contact_campaigns" where "id" = $1',
      ]),
    );
  });

  it("a transaction that is one contact's does not find another contact's rows by id", async () => {
    const mine = await activate();
    const theirs = await activate();
    const [theirAction] = scheduler.pending().filter((j) => j.contactId === theirs.contactId);
    if (!theirAction) throw new Error('no job of theirs');
    const found = (contactId: string) =>
      store.transaction(
        async (tx) => ({
          campaign: (await tx.campaigns.lock(theirs.id))?.id ?? null,
          action: (await tx.actions.lock(theirAction.actionId))?.id ?? null,
          pending: (await tx.actions.listPending(theirs.id)).length,
        }),
        { contactId },
      );
    expect(await found(mine.contactId)).toEqual({ campaign: null, action: null, pending: 0 });
    expect(await found(theirs.contactId)).toEqual({
      campaign: theirs.id,
      action: theirAction.actionId,
      pending: 1,
    });
    expect(await store.read.getAction(theirAction.actionId, mine.contactId)).toBeNull();
    expect((await store.read.getAction(theirAction.actionId, theirs.contactId))?.id).toBe(
      theirAction.actionId,
    );
  });
});
