import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { noOpenEndPlan } from '@campaign/core/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { CorruptStoredPlanError } from './row-mappers.ts';
import { createTestDatabase, manualEngine, type TestDatabase } from './testing.ts';

/* The stored plan is parsed with core's plan schema when a campaign row is read, not cast to Plan. */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const plan: Plan = noOpenEndPlan();

describe.each(['postgres', 'pglite'] as const)('stored plans on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;
  let engine: ReturnType<typeof manualEngine>;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
    engine = manualEngine(store, T0);
  }, 60_000);
  afterAll(async () => {
    await database?.dispose();
  });

  async function newCampaign(): Promise<string> {
    const { campaign } = await engine.service.persistPlan({
      contact: { id: randomUUID(), email: `${randomUUID()}@example.com` },
      plan,
    });
    return campaign.id;
  }

  it('a valid stored plan reads back as the plan that was stored', async () => {
    const id = await newCampaign();
    expect((await store.read.getCampaign(id))?.plan).toEqual(plan);
    expect(await store.transaction((tx) => tx.campaigns.lock(id).then((c) => c?.plan))).toEqual(plan);
  });

  it('a corrupt stored plan fails the read loudly, naming the campaign and what is wrong', async () => {
    const id = await newCampaign();
    // A node without its action: what a hand edit or a bug could leave behind.
    await sql`update contact_campaigns set plan = jsonb_set(plan, '{nodes,1}', '{"id":"done"}') where id = ${id}`.execute(
      database.db,
    );
    const read = store.read.getCampaign(id);
    await expect(read).rejects.toBeInstanceOf(CorruptStoredPlanError);
    await expect(read).rejects.toMatchObject({ campaignId: id, code: 'corrupt_stored_plan' });
    await expect(read).rejects.toThrow(
      new RegExp(`campaign ${id}: the stored plan is not a valid plan \\(/nodes/1/action`),
    );
    // The worker's path (the row locked in a transaction) fails the same way, and so does the API's view.
    await expect(store.transaction((tx) => tx.campaigns.lock(id))).rejects.toThrow(CorruptStoredPlanError);
    await expect(engine.service.getCampaign(id)).rejects.toThrow(id);
  });

  it('a stored value that is not a plan at all fails the same way', async () => {
    const id = await newCampaign();
    await sql`update contact_campaigns set plan = '"not a plan"'::jsonb where id = ${id}`.execute(
      database.db,
    );
    await expect(store.read.getCampaign(id)).rejects.toMatchObject({ campaignId: id });
  });
});
