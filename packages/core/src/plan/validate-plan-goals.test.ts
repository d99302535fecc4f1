import { describe, expect, it } from 'vitest';
import { validatePlan } from './validate-plan.ts';

/* DESIGN section 14: `goals` on 1.1 plans and the `{ "event": name }` branch condition. */

type Json = Record<string, unknown>;
const send = (id: string): Json => ({ id, action: 'send', subject: 'Hello', body: 'Hi', transitions: [] });
const plan = (extra: Json = {}, nodes: Json[] = [send('a')]): Json => ({
  version: '1.1',
  timezone: 'Europe/Berlin',
  startNodeId: nodes[0]?.id,
  nodes,
  ...extra,
});
const branchOn = (when: unknown): Json[] => [
  { id: 'b', action: 'branch', branches: [{ when, to: 'a' }], otherwise: 'c' },
  send('a'),
  send('c'),
];
const codes = (input: unknown) => validatePlan(input).issues.map((i) => `${i.code} ${i.path}`);

describe('goals', () => {
  it('a 1.1 plan with well-formed goals is valid and keeps them', () => {
    const result = validatePlan(plan({ goals: ['signed_up', 'demo-booked', 'crm:closed_won', 'v2.trial'] }));
    expect(result.issues).toEqual([]);
    expect(result.plan?.goals).toEqual(['signed_up', 'demo-booked', 'crm:closed_won', 'v2.trial']);
  });

  it('a bad name is invalid_goal at its index (no schema issue beside it)', () => {
    expect(codes(plan({ goals: ['ok', '', 'has space', '_lead', 7, 'x'.repeat(101)] }))).toEqual([
      'invalid_goal /goals/1',
      'invalid_goal /goals/2',
      'invalid_goal /goals/3',
      'invalid_goal /goals/4',
      'invalid_goal /goals/5',
    ]);
    expect(codes(plan({ goals: ['x'.repeat(100)] }))).toEqual([]);
  });

  it('goals that are not an array, and a repeated goal (with its removal as the fix)', () => {
    expect(codes(plan({ goals: 'signed_up' }))).toEqual(['invalid_goal /goals']);
    const result = validatePlan(plan({ goals: ['a', 'b', 'a'] }));
    expect(result.issues.map((i) => [i.code, i.path, i.fix])).toEqual([
      ['invalid_goal', '/goals/2', [{ op: 'remove', path: '/goals/2' }]],
    ]);
    expect(result.issues[0]?.message).toContain('/goals/0');
  });

  it('a 1.0 plan using goals is a schema error naming version 1.1', () => {
    const result = validatePlan(plan({ version: '1.0', goals: ['signed_up'] }));
    expect(result.valid).toBe(false);
    expect(result.issues.map((i) => `${i.code} ${i.path}`)).toEqual(['schema /goals']);
    expect(result.issues[0]?.message).toContain('"version": "1.1"');
  });
});

describe('the event branch condition', () => {
  it('{ event: name } is valid, also nested', () => {
    expect(codes(plan({}, branchOn({ event: 'demo_booked' })))).toEqual([]);
    expect(codes(plan({}, branchOn({ not: { any: [{ event: 'a' }, { engaged: 'opened' }] } })))).toEqual([]);
  });

  it('a bad name or an extra field is invalid_branch at that field', () => {
    expect(codes(plan({}, branchOn({ event: 'has space' })))).toEqual([
      'invalid_branch /nodes/0/branches/0/when/event',
    ]);
    expect(codes(plan({}, branchOn({ event: 'ok', node: 'a' })))).toEqual([
      'invalid_branch /nodes/0/branches/0/when/node',
    ]);
    expect(codes(plan({}, branchOn({ event: 3 })))).toEqual([
      'invalid_branch /nodes/0/branches/0/when/event',
    ]);
  });
});
