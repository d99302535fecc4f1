import { describe, expect, it } from 'vitest';
import { validatePlan } from '../plan/validate-plan.ts';
import type { TimelineEntry } from '../simulate/timeline.ts';
import { runScenarioOnSimulator } from './scenario-driver.ts';
import { SCENARIOS } from './scenarios.ts';

/*
 * The simulator against each scenario's hand-worked outcome (the parity suite in packages/db then holds
 * the database-backed service to the simulator's timeline).
 */

/** `expected` appears in `timeline` as a subsequence, each entry matching the given fields. */
function expectSubsequence(timeline: readonly TimelineEntry[], expected: readonly Record<string, unknown>[]) {
  let from = 0;
  for (const want of expected) {
    const index = timeline.findIndex(
      (entry, i) => i >= from && expect.objectContaining(want).asymmetricMatch(entry),
    );
    expect(
      index,
      `entry ${JSON.stringify(want)} (after #${from}) in ${JSON.stringify(timeline, null, 1)}`,
    ).toBeGreaterThanOrEqual(0);
    from = index + 1;
  }
}

describe('scenarios on the simulator', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
    const result = runScenarioOnSimulator(scenario);
    expect(result.status).toBe(scenario.expected.status);
    expect(result.currentNodeId).toBe(scenario.expected.currentNodeId);
    expect(result.stopReason).toBe(scenario.expected.stopReason ?? null);
    const sends = result.timeline.filter((e) => e.kind === 'send');
    expect(sends).toHaveLength(scenario.expected.sends);
    if (scenario.expected.sentAt) expect(sends.map((e) => e.at)).toEqual(scenario.expected.sentAt);
    if (scenario.expected.entries) expectSubsequence(result.timeline, scenario.expected.entries);
    // stopReason always equals the reason of the timeline's end entry
    const end = result.timeline.findLast((e) => e.kind === 'end');
    if (end?.kind === 'end') expect(end.reason ?? null).toBe(result.stopReason);
  });

  it.each(SCENARIOS.filter((s) => s.plan.version === '1.1').map((s) => [s.name, s] as const))(
    '%s: its plan is valid for its contact',
    (_name, scenario) => {
      const result = validatePlan(scenario.plan, { contact: scenario.contact });
      expect(result.issues.filter((i) => i.severity === 'error')).toEqual([]);
    },
  );
});
