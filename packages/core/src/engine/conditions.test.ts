import { describe, expect, it } from 'vitest';
import type { Condition } from '../plan/plan-schema.ts';
import { type ConditionFacts, conditionHolds } from './conditions.ts';

/* DESIGN section 10, branch conditions: no type coercion, missing attributes, engaged, all/any/not. */

function facts(
  attributes: Record<string, unknown>,
  engagements: ConditionFacts['engagements'] = [],
): ConditionFacts {
  return { contact: { key: 'c1', attributes }, engagements };
}
const holds = (c: Condition, f: ConditionFacts) => conditionHolds(c, f);

describe('attribute conditions', () => {
  const f = facts({
    employees: 250,
    plan: 'pro',
    size: '20',
    tags: ['vip', 'beta'],
    nested: { a: [1, 2] },
    nil: null,
  });

  it('gte / lte hold only between two numbers, bounds included', () => {
    expect(holds({ attribute: 'employees', gte: 250 }, f)).toBe(true);
    expect(holds({ attribute: 'employees', gte: 251 }, f)).toBe(false);
    expect(holds({ attribute: 'employees', lte: 250 }, f)).toBe(true);
    expect(holds({ attribute: 'employees', lte: 249 }, f)).toBe(false);
    // "20" is a string: no coercion, so neither gte 0 nor lte 100 holds
    expect(holds({ attribute: 'size', gte: 0 }, f)).toBe(false);
    expect(holds({ attribute: 'size', lte: 100 }, f)).toBe(false);
    expect(holds({ attribute: 'nil', gte: 0 }, f)).toBe(false);
  });

  it('equals / notEquals / in compare strictly: "20" is not 20', () => {
    expect(holds({ attribute: 'size', equals: '20' }, f)).toBe(true);
    expect(holds({ attribute: 'size', equals: 20 }, f)).toBe(false);
    expect(holds({ attribute: 'size', notEquals: 20 }, f)).toBe(true);
    expect(holds({ attribute: 'size', notEquals: '20' }, f)).toBe(false);
    expect(holds({ attribute: 'employees', in: ['250', 100] }, f)).toBe(false);
    expect(holds({ attribute: 'employees', in: [100, 250] }, f)).toBe(true);
    expect(holds({ attribute: 'plan', equals: 'Pro' }, f)).toBe(false);
  });

  it('equals on arrays and objects is structural and strict inside', () => {
    expect(holds({ attribute: 'tags', equals: ['vip', 'beta'] }, f)).toBe(true);
    expect(holds({ attribute: 'tags', equals: ['beta', 'vip'] }, f)).toBe(false);
    expect(holds({ attribute: 'nested', equals: { a: [1, 2] } }, f)).toBe(true);
    expect(holds({ attribute: 'nested', equals: { a: ['1', 2] } }, f)).toBe(false);
    expect(holds({ attribute: 'nested', equals: { a: [1, 2], b: 1 } }, f)).toBe(false);
    expect(holds({ attribute: 'tags', equals: { 0: 'vip', 1: 'beta' } }, f)).toBe(false);
  });

  it('contains: case-sensitive substring of a string, strict membership in an array', () => {
    expect(holds({ attribute: 'plan', contains: 'ro' }, f)).toBe(true);
    expect(holds({ attribute: 'plan', contains: 'RO' }, f)).toBe(false);
    expect(holds({ attribute: 'tags', contains: 'vip' }, f)).toBe(true);
    expect(holds({ attribute: 'tags', contains: 'vi' }, f)).toBe(false);
    expect(holds({ attribute: 'employees', contains: '25' }, f)).toBe(false);
  });

  it('a missing attribute makes every comparison false except exists: false', () => {
    const none = facts({});
    expect(holds({ attribute: 'x', exists: false }, none)).toBe(true);
    expect(holds({ attribute: 'x', exists: true }, none)).toBe(false);
    for (const c of [
      { attribute: 'x', equals: 1 },
      { attribute: 'x', notEquals: 1 },
      { attribute: 'x', in: [1] },
      { attribute: 'x', gte: 0 },
      { attribute: 'x', lte: 0 },
      { attribute: 'x', contains: '' },
    ] satisfies Condition[]) {
      expect(holds(c, none), JSON.stringify(c)).toBe(false);
    }
    // no contact at all behaves the same
    expect(holds({ attribute: 'x', notEquals: 1 }, { contact: undefined, engagements: [] })).toBe(false);
    expect(holds({ attribute: 'x', exists: false }, { contact: undefined, engagements: [] })).toBe(true);
  });

  it('exists: true for a present attribute, even null', () => {
    expect(holds({ attribute: 'nil', exists: true }, f)).toBe(true);
    expect(holds({ attribute: 'nil', equals: null }, f)).toBe(true);
  });

  it('an attribute condition with no operator or two is an error, not a silent false', () => {
    expect(() => holds({ attribute: 'x' }, f)).toThrow(/exactly one/);
    expect(() => holds({ attribute: 'employees', gte: 1, lte: 5 }, f)).toThrow(/exactly one/);
  });

  it('an inherited property is not an attribute', () => {
    expect(holds({ attribute: 'toString', exists: true }, facts({}))).toBe(false);
  });
});

describe('engaged, all, any, not', () => {
  const f = facts({ employees: 10 }, [
    { type: 'opened', nodeId: 'intro' },
    { type: 'clicked', nodeId: 'bump' },
  ]);
  it('engaged: any message of the campaign, or only the named node', () => {
    expect(holds({ engaged: 'opened' }, f)).toBe(true);
    expect(holds({ engaged: 'opened', node: 'intro' }, f)).toBe(true);
    expect(holds({ engaged: 'opened', node: 'bump' }, f)).toBe(false);
    expect(holds({ engaged: 'clicked', node: 'bump' }, f)).toBe(true);
    expect(holds({ engaged: 'replied' }, f)).toBe(false);
    expect(holds({ engaged: 'opened' }, { contact: undefined, engagements: undefined })).toBe(false);
  });
  it('all / any / not combine', () => {
    const yes: Condition = { engaged: 'opened' };
    const no: Condition = { attribute: 'employees', gte: 200 };
    expect(holds({ all: [yes, no] }, f)).toBe(false);
    expect(holds({ all: [yes, { not: no }] }, f)).toBe(true);
    expect(holds({ any: [no, yes] }, f)).toBe(true);
    expect(holds({ any: [no, { not: yes }] }, f)).toBe(false);
    expect(holds({ not: { not: yes } }, f)).toBe(true);
  });
});
