import { describe, expect, it } from 'vitest';
import type { PlanIssue, PlanValidationResult } from '../plan-issues.ts';
import { repairPlan } from './repair-plan.ts';

/* repairPlan never counts a fix that changes nothing: a validator that offers one must not loop. */

const noop: PlanIssue = {
  path: '/timezone',
  code: 'invalid_timezone',
  message: 'a fix that writes the value already there',
  severity: 'error',
  fix: [{ op: 'replace', path: '/timezone', value: 'UTC' }],
};

/** A validator that always offers the no-op fix. */
const validate = (): PlanValidationResult => ({ valid: false, issues: [noop], plan: undefined });

describe('repairPlan with a fix that changes nothing', () => {
  it('applies nothing and leaves the issue with its fix', () => {
    const input = { version: '1.1', timezone: 'UTC', startNodeId: 'a', nodes: [] };
    const result = repairPlan(input, { validate });
    expect(result.applied).toEqual([]);
    expect(result.plan).toBe(input);
    expect(result.issues).toEqual([noop]);
  });

  it('still applies a replace that changes the value', () => {
    const input = { version: '1.1', timezone: 'PST', startNodeId: 'a', nodes: [] };
    const result = repairPlan(input, { maxRounds: 1, validate });
    expect(result.applied.map((fix) => fix.path)).toEqual(['/timezone']);
    expect(result.plan).toEqual({ ...input, timezone: 'UTC' });
  });
});
