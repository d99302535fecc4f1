import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareJsonPointers } from './json-pointer.ts';
import { PLAN_ISSUE_CODES, validatePlan } from './validate-plan.ts';

/*
 * Bad input gives issues, never a crash: any JSON value in any 1.1 field (send windows, holidays,
 * branch conditions, variants, SMS text, thread) and any contact is judged with known codes.
 */

type Json = Record<string, unknown>;

const example = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../../../examples/${name}`, import.meta.url), 'utf8')) as Json;

/** Sets `value` at `path` inside a deep copy of `root` (creating objects on the way). */
function setAt(root: Json, path: readonly (string | number)[], value: unknown): Json {
  const copy = structuredClone(root);
  let current: Record<string | number, unknown> = copy;
  path.slice(0, -1).forEach((segment) => {
    const next = current[segment];
    if (typeof next !== 'object' || next === null) current[segment] = {};
    current = current[segment] as Record<string | number, unknown>;
  });
  current[path[path.length - 1] as string | number] = value;
  return copy;
}

describe('validatePlan v1.1: any value in a new field', () => {
  const bases = [
    'v1.1-branch.json',
    'v1.1-split.json',
    'v1.1-sms.json',
    'v1.1-thread.json',
    'v1.1-send-window.json',
  ]
    .map(example)
    .map((file) => (file.plan ?? file) as Json);
  const fields: (string | number)[][] = [
    ['sendWindow'],
    ['sendWindow', 'days'],
    ['sendWindow', 'days', 0],
    ['sendWindow', 'start'],
    ['holidays'],
    ['holidays', 'country'],
    ['holidays', 'region'],
    ['holidays', 'dates'],
    ['nodes', 0, 'branches'],
    ['nodes', 0, 'branches', 0, 'when'],
    ['nodes', 0, 'branches', 0, 'when', 'all'],
    ['nodes', 0, 'otherwise'],
    ['nodes', 0, 'variants'],
    ['nodes', 0, 'variants', 0],
    ['nodes', 0, 'variants', 1, 'weight'],
    ['nodes', 0, 'text'],
    ['nodes', 0, 'channel'],
    ['nodes', 0, 'thread'],
    ['nodes', 0, 'sendWindow'],
    ['nodes', 1, 'action'],
  ];

  it('reports known codes, sorted, and never throws', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.constantFrom(...fields),
        fc.jsonValue({ maxDepth: 3 }),
        fc.option(fc.record({ email: fc.option(fc.string()), phone: fc.option(fc.string()) }), {
          nil: undefined,
        }),
        (base, field, value, contact) => {
          const input = setAt(base, field, value);
          const result = validatePlan(input, contact ? { contact } : {});
          for (const issue of result.issues) {
            expect(PLAN_ISSUE_CODES).toContain(issue.code);
            expect(issue.message.length).toBeGreaterThan(10);
          }
          const paths = result.issues.map((issue) => issue.path);
          expect([...paths].sort(compareJsonPointers)).toEqual(paths);
          expect(result.valid).toBe(result.plan !== undefined);
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('validatePlan v1.1: inputs past the bounds', () => {
  const withCondition = (condition: string): unknown =>
    JSON.parse(
      `{"version": "1.1", "timezone": "UTC", "startNodeId": "br", "nodes": [
        {"id": "br", "action": "branch", "branches": [{"when": ${condition}, "to": "a"}], "otherwise": "a"},
        {"id": "a", "action": "send", "subject": "s", "body": "b", "transitions": []}]}`,
    );
  const leaf = '{"attribute": "x", "exists": true}';

  it.each([
    ['not', (n: number) => `${'{"not": '.repeat(n)}${leaf}${'}'.repeat(n)}`, ['not']],
    ['all', (n: number) => `${'{"all": ['.repeat(n)}${leaf}${']}'.repeat(n)}`, ['all', '0']],
  ])(
    'a condition nested 20,000 levels deep through "%s" is one schema issue at depth 32, not a stack overflow',
    (_, build, step) => {
      const result = validatePlan(withCondition(build(20_000)));
      // The container at depth 32 has 32 path segments: nodes, 0, branches, 0, when, then the chain.
      const chain = Array.from({ length: 27 }, (_unused, i) => step[i % step.length]);
      const path = `/nodes/0/branches/0/when/${chain.join('/')}`;
      expect(result.valid).toBe(false);
      expect(result.issues.map((issue) => [issue.path, issue.code])).toEqual([[path, 'schema']]);
      expect(result.issues[0]?.message).toContain('nested more than 32 levels deep');
    },
  );

  it('a chain of 32 levels is within the bound and judged as usual', () => {
    // when is at depth 5 (its object at depth 4); 27 more objects reach depth 32 exactly.
    const result = validatePlan(withCondition(`${'{"not": '.repeat(27)}"x"${'}'.repeat(27)}`));
    expect(result.issues.map((issue) => issue.code)).toEqual(['invalid_branch']);
  });

  it('a split weight past 2^53 - 1 is invalid_split at the weight (not a generic schema issue)', () => {
    const plan = {
      version: '1.1',
      timezone: 'UTC',
      startNodeId: 'ab',
      nodes: [
        {
          id: 'ab',
          action: 'split',
          variants: [
            { id: 'A', weight: 1e20, to: 'a' },
            { id: 'B', weight: 1, to: 'a' },
          ],
        },
        { id: 'a', action: 'send', subject: 's', body: 'b', transitions: [] },
      ],
    };
    const result = validatePlan(plan);
    expect(result.issues.map((issue) => [issue.path, issue.code])).toEqual([
      ['/nodes/0/variants/0/weight', 'invalid_split'],
    ]);
  });
});
