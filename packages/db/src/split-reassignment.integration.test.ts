import { CampaignPlanExecutionService, type Plan } from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * split_assignments keeps one row per campaign and split node (DESIGN section 10; the analytics read it).
 * Re-entering the node in a loop assigns the same variant; after a plan update (rule 9) that renames the
 * experiment, the re-entry's assignment is a different one, and the row must say so, as the timeline does.
 */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const DAY_MS = 86_400_000;

/** A 50/50 split in `experiment` whose variants both send, then come back to the split a day later. */
function loop(experiment: string): Plan {
  return {
    version: '1.1',
    timezone: 'UTC',
    startNodeId: 'ab',
    nodes: [
      {
        id: 'ab',
        action: 'split',
        experiment,
        variants: [
          { id: 'A', weight: 1, to: 'mail' },
          { id: 'B', weight: 1, to: 'mail' },
        ],
      },
      {
        id: 'mail',
        action: 'send',
        subject: 'Hello',
        body: '<p>Hi</p>',
        transitions: [{ on: 'no_reply', to: 'ab', after: 'P1D' }],
      },
    ],
  };
}

describe.each(['postgres', 'pglite'] as const)('split assignment after a plan update (%s)', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  }, 30_000);
  afterAll(async () => database?.dispose());

  it('the row names the experiment and variant of the latest entry of the node', async () => {
    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    const store = new KyselyCampaignStore(database.db);
    const service = new CampaignPlanExecutionService({
      store,
      scheduler,
      transport: new RecordingTransport(),
      clock,
    });
    await scheduler.start(async (id) => {
      await service.executeAction(id);
    });
    const rows = () =>
      database.db.selectFrom('split_assignments').select(['experiment', 'variant', 'plan_version']).execute();
    // sha256("e1:split-loop-1") starts 6a1e7fb7: u = 0.4145 < 0.5, A. sha256("e2:split-loop-1") starts
    // c023b576: u = 0.7505, B (openssl dgst).
    const { campaign } = await service.persistPlan({
      contact: { id: 'split-loop-1', email: 'loop@example.com' },
      plan: loop('e1'),
    });
    await scheduler.runDue();
    expect(await rows()).toEqual([{ experiment: 'e1', variant: 'A', plan_version: 1 }]);
    // The loop's second entry under the same plan: same variant, the row unchanged.
    await scheduler.advanceTo(new Date(T0.getTime() + DAY_MS));
    expect(await rows()).toEqual([{ experiment: 'e1', variant: 'A', plan_version: 1 }]);

    await service.updatePlan(campaign.id, loop('e2'));
    await scheduler.advanceTo(new Date(T0.getTime() + 2 * DAY_MS));
    const { timeline } = await service.getCampaign(campaign.id);
    const splits = timeline.filter((entry) => entry.kind === 'transition' && entry.on === 'split');
    expect(splits.map((entry) => (entry.kind === 'transition' ? entry.variant : null))).toEqual([
      'A',
      'A',
      'B',
    ]);
    expect(await rows()).toEqual([{ experiment: 'e2', variant: 'B', plan_version: 2 }]);
  });
});
