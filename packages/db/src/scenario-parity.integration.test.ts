import {
  normalizeMessageIds,
  runScenarioOnService,
  runScenarioOnSimulator,
  SCENARIOS,
} from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * One scenario suite, two engines: every scenario runs through the simulator and through the
 * database-backed service (driven by the in-memory scheduler's clock) and must give the same timeline,
 * on Postgres and on PGlite.
 */
describe.each(['postgres', 'pglite'] as const)('scenario parity on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const simulated = runScenarioOnSimulator(scenario);
    const stored = await runScenarioOnService(scenario, store);
    expect(normalizeMessageIds(stored.timeline)).toEqual(normalizeMessageIds(simulated.timeline));
    expect({
      status: stored.status,
      currentNodeId: stored.currentNodeId,
      stopReason: stored.stopReason,
    }).toEqual({
      status: simulated.status,
      currentNodeId: simulated.currentNodeId,
      stopReason: simulated.stopReason,
    });
    // and both agree with the hand-worked outcome
    expect(stored.status).toBe(scenario.expected.status);
    expect(stored.currentNodeId).toBe(scenario.expected.currentNodeId);
    expect(stored.stopReason).toBe(scenario.expected.stopReason ?? null);
    expect(stored.transport.sent.length + stored.smsTransport.sent.length).toBe(scenario.expected.sends);
    expect(simulated.timeline.filter((e) => e.kind === 'send')).toHaveLength(scenario.expected.sends);
  });
});
