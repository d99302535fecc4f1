import { readdirSync, readFileSync } from 'node:fs';
import { isValidIsoDuration } from '@campaign/schedule-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '../simulate/simulator.ts';
import * as fixtures from '../testing/plans.ts';
import { ISO_DURATION_PATTERN, type Plan, planJsonSchema, TIME_OF_DAY_PATTERN } from './plan-schema.ts';
import { type PlanValidationResult, sendTimeIssues, validatePlan } from './validate-plan.ts';

/*
 * Plan v1.1 validation (DESIGN section 10): branch and split nodes, the graph checks through them,
 * the activation-time no_send_time check, the JSON Schema's patterns, and 1.0 plans unchanged.
 */

type Json = Record<string, unknown>;

const t = (on: string, to: string, extra: Json = {}): Json => ({ on, to, ...extra });
const send = (id: string, transitions: Json[] = [], extra: Json = {}): Json => ({
  id,
  action: 'send',
  subject: 'Hello',
  body: 'Hi, a short note.',
  ...extra,
  transitions,
});
const wait = (id: string, transitions: Json[]): Json => ({ id, action: 'wait', transitions });
const end = (id: string): Json => ({ id, action: 'end' });
const branch = (id: string, branches: Json[], otherwise?: string): Json => ({
  id,
  action: 'branch',
  branches,
  ...(otherwise !== undefined ? { otherwise } : {}),
});
const when = (condition: unknown, to = 'done'): Json => ({ when: condition, to });
const split = (id: string, variants: unknown): Json => ({ id, action: 'split', variants });
const v = (id: unknown, to = 'done', weight: unknown = 50): Json => ({ id, weight, to });
const plan = (nodes: Json[], extra: Json = {}): Json => ({
  version: '1.1',
  timezone: 'Europe/Berlin',
  startNodeId: nodes[0]?.id,
  nodes,
  ...extra,
});

const summary = (result: PlanValidationResult): string[] =>
  result.issues.map((issue) => `${issue.severity} ${issue.code} ${issue.path}`);

function expectIssues(input: unknown, expected: string[]): PlanValidationResult {
  const result = validatePlan(input);
  expect(summary(result)).toEqual(expected);
  expect(result.valid).toBe(!expected.some((line) => line.startsWith('error')));
  return result;
}

/** A plan whose start is a branch with one condition. */
const oneCondition = (condition: unknown): Json =>
  plan([branch('pick', [when(condition)], 'done'), end('done')]);

describe('validatePlan v1.1: branch', () => {
  it('accepts every condition form', () => {
    const conditions = [
      { attribute: 'plan', equals: 'pro' },
      { attribute: 'plan', notEquals: 20 },
      { attribute: 'country', in: ['DE', 'AT'] },
      { attribute: 'employees', gte: 200 },
      { attribute: 'employees', lte: 10.5 },
      { attribute: 'phone', exists: false },
      { attribute: 'title', contains: 'CTO' },
      { engaged: 'replied' },
      { all: [{ engaged: 'opened', node: 'intro' }, { not: { any: [{ engaged: 'clicked' }] } }] },
    ];
    const nodes = [
      send('intro', [t('no_reply', 'pick', { after: 'P1D' })]),
      branch(
        'pick',
        conditions.map((c) => when(c)),
        'done',
      ),
      end('done'),
    ];
    expectIssues(plan(nodes), []);
  });

  it('invalid_branch: no otherwise, empty branches', () => {
    expectIssues(plan([branch('pick', [when({ engaged: 'replied' })]), end('done')]), [
      'error invalid_branch /nodes/0/otherwise',
    ]);
    expectIssues(plan([branch('pick', [], 'done'), end('done')]), ['error invalid_branch /nodes/0/branches']);
  });

  it('invalid_branch: two operators or none', () => {
    expectIssues(oneCondition({ attribute: 'a', equals: 1, gte: 2 }), [
      'error invalid_branch /nodes/0/branches/0/when',
    ]);
    expectIssues(oneCondition({ attribute: 'a' }), ['error invalid_branch /nodes/0/branches/0/when']);
  });

  it('invalid_branch: operand types (in array, gte/lte numbers, exists boolean, contains string)', () => {
    const at = (op: string): string[] => [`error invalid_branch /nodes/0/branches/0/when/${op}`];
    expectIssues(oneCondition({ attribute: 'a', in: 'DE' }), at('in'));
    expectIssues(oneCondition({ attribute: 'a', gte: '200' }), at('gte'));
    expectIssues(oneCondition({ attribute: 'a', lte: true }), at('lte'));
    expectIssues(oneCondition({ attribute: 'a', exists: 'yes' }), at('exists'));
    expectIssues(oneCondition({ attribute: 'a', contains: 3 }), at('contains'));
  });

  it('invalid_branch: engaged must be opened, clicked or replied, and node a send node of the plan', () => {
    expectIssues(oneCondition({ engaged: 'bounced' }), [
      'error invalid_branch /nodes/0/branches/0/when/engaged',
    ]);
    expectIssues(oneCondition({ engaged: 'opened', node: 'done' }), [
      'error invalid_branch /nodes/0/branches/0/when/node',
    ]);
    expectIssues(oneCondition({ engaged: 'opened', node: 'nope' }), [
      'error invalid_branch /nodes/0/branches/0/when/node',
    ]);
  });

  it('invalid_branch: nested faults keep their own path; unknown fields and shapes too', () => {
    expectIssues(oneCondition({ all: [{ engaged: 'replied' }, { not: { attribute: 'a', gte: 'x' } }] }), [
      'error invalid_branch /nodes/0/branches/0/when/all/1/not/gte',
    ]);
    expectIssues(oneCondition({ any: [] }), ['error invalid_branch /nodes/0/branches/0/when/any']);
    expectIssues(oneCondition({ not: { engaged: 'replied' }, all: [] }), [
      'error invalid_branch /nodes/0/branches/0/when',
    ]);
    expectIssues(oneCondition({ attribute: 'a', equal: 1 }), [
      'error invalid_branch /nodes/0/branches/0/when',
      'error invalid_branch /nodes/0/branches/0/when/equal',
    ]);
    expectIssues(oneCondition('plan = pro'), ['error invalid_branch /nodes/0/branches/0/when']);
    expectIssues(oneCondition({ field: 'a' }), ['error invalid_branch /nodes/0/branches/0/when']);
  });

  it('schema: an unknown field of a branch entry names "when" or "to"', () => {
    const result = expectIssues(
      plan([branch('pick', [{ if: { engaged: 'replied' }, to: 'done' }], 'done'), end('done')]),
      ['error schema /nodes/0/branches/0/if', 'error invalid_branch /nodes/0/branches/0/when'],
    );
    expect(result.issues[0]?.message).toContain('The condition of a branch goes in "when".');
  });

  it('unknown_target for a branch target and otherwise', () => {
    expectIssues(plan([branch('pick', [when({ engaged: 'replied' }, 'nope')], 'gone'), end('done')]), [
      'error unknown_target /nodes/0/branches/0/to',
      'error unknown_target /nodes/0/otherwise',
      'warning unreachable_node /nodes/1',
    ]);
  });

  it('channel_event_mismatch: engaged opened or clicked on an SMS node', () => {
    const sms = {
      id: 'sms',
      action: 'send',
      channel: 'sms',
      text: 'Hi',
      transitions: [t('no_reply', 'pick', { after: 'P1D' })],
    };
    const nodes = (engaged: string): Json[] => [
      sms,
      branch('pick', [when({ engaged, node: 'sms' })], 'done'),
      end('done'),
    ];
    expectIssues(plan(nodes('clicked')), ['error channel_event_mismatch /nodes/1/branches/0/when/engaged']);
    expectIssues(plan(nodes('opened')), ['error channel_event_mismatch /nodes/1/branches/0/when/engaged']);
    expectIssues(plan(nodes('replied')), []);
  });
});

describe('validatePlan v1.1: split', () => {
  it('accepts 2 to 10 variants', () => {
    expectIssues(plan([split('ab', [v('A'), v('B', 'done', 1)]), end('done')]), []);
    expectIssues(
      plan([
        split(
          'ab',
          Array.from({ length: 10 }, (_, i) => v(`V${i}`)),
        ),
        end('done'),
      ]),
      [],
    );
  });

  it('invalid_split: fewer than 2 or more than 10 variants', () => {
    expectIssues(plan([split('ab', [v('A')]), end('done')]), ['error invalid_split /nodes/0/variants']);
    expectIssues(
      plan([
        split(
          'ab',
          Array.from({ length: 11 }, (_, i) => v(`V${i}`)),
        ),
        end('done'),
      ]),
      ['error invalid_split /nodes/0/variants'],
    );
  });

  it('invalid_split: duplicate ids, weights that are not integers > 0', () => {
    expectIssues(plan([split('ab', [v('A'), v('A')]), end('done')]), [
      'error invalid_split /nodes/0/variants/1/id',
    ]);
    for (const weight of [0, -1, 1.5, '50', null]) {
      expectIssues(plan([split('ab', [v('A'), v('B', 'done', weight)]), end('done')]), [
        'error invalid_split /nodes/0/variants/1/weight',
      ]);
    }
  });

  it('invalid_split: an unknown field or a non-object variant keeps the split code', () => {
    expectIssues(plan([split('ab', [v('A'), { ...v('B'), share: 0.5 }]), end('done')]), [
      'error invalid_split /nodes/0/variants/1/share',
    ]);
    expectIssues(plan([split('ab', [v('A'), 'B']), end('done')]), [
      'error invalid_split /nodes/0/variants/1',
    ]);
  });

  it('unknown_target for a variant target', () => {
    expectIssues(plan([split('ab', [v('A'), v('B', 'nope')]), end('done')]), [
      'error unknown_target /nodes/0/variants/1/to',
    ]);
  });
});

describe('validatePlan v1.1: graph through branch and split', () => {
  it('zero_time_cycle through branch and split nodes', () => {
    expectIssues(
      plan([
        branch('a', [when({ engaged: 'replied' }, 'b')], 'done'),
        split('b', [v('A', 'a'), v('B')]),
        end('done'),
      ]),
      ['error zero_time_cycle /nodes/0'],
    );
    expectIssues(plan([branch('a', [when({ engaged: 'replied' }, 'a')], 'done'), end('done')]), [
      'error zero_time_cycle /nodes/0',
    ]);
    // A wait's engagement edge into a branch that leads back: zero time too.
    expectIssues(
      plan([
        send('s', [t('no_reply', 'w', { after: 'P1D' })]),
        wait('w', [t('opened', 'b'), t('no_open', 'done', { after: 'P1D' })]),
        branch('b', [when({ engaged: 'opened' }, 'w')], 'done'),
        end('done'),
      ]),
      ['error zero_time_cycle /nodes/1'],
    );
  });

  it('no zero_time_cycle through a send or a timeout', () => {
    expectIssues(
      plan([
        branch('a', [when({ engaged: 'replied' }, 's')], 'done'),
        send('s', [t('no_reply', 'a', { after: 'P1D' })]),
        end('done'),
      ]),
      [],
    );
    expectIssues(
      plan([
        send('s', [t('no_reply', 'w', { after: 'P1D' })]),
        wait('w', [t('no_open', 'b', { after: 'P1D' }), t('opened', 'done')]),
        branch('b', [when({ engaged: 'opened' }, 'w')], 'done'),
        end('done'),
      ]),
      [],
    );
  });

  it('reachability follows branch and split targets; wait_forever is for send and wait nodes only', () => {
    expectIssues(
      plan([
        branch('a', [when({ engaged: 'replied' }, 'b')], 'c'),
        split('b', [v('A', 'c'), v('B', 'd')]),
        end('c'),
        end('d'),
        end('e'),
      ]),
      ['warning unreachable_node /nodes/4'],
    );
  });
});

describe('sendTimeIssues: no_send_time at activation', () => {
  const from = new Date('2026-06-01T00:00:00Z');
  const asPlan = (input: Json): Plan => {
    const result = validatePlan(input);
    expect(summary(result)).toEqual([]);
    return result.plan as Plan;
  };

  it('reports each send node with no allowed instant within 366 days', () => {
    // An SMS may go only in [08:00, 21:00) local: a 21:00-22:00 window never opens for it.
    const late = { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '21:00', end: '22:00' };
    const p = asPlan(
      plan([
        send('email', [t('no_reply', 'sms', { after: 'P1D' })], { sendWindow: late }),
        { id: 'sms', action: 'send', channel: 'sms', text: 'Hi', sendWindow: late, transitions: [] },
      ]),
    );
    const issues = sendTimeIssues(p, 'Europe/Berlin', from);
    expect(issues.map((issue) => `${issue.severity} ${issue.code} ${issue.path}`)).toEqual([
      'error no_send_time /nodes/1',
    ]);
    expect(issues[0]?.message).toContain('08:00-21:00');
  });

  it('quiet hours covering the whole window leave no time; the node window replaces the plan one', () => {
    const window = { days: ['mon'], start: '09:00', end: '17:00' };
    const p = asPlan(
      plan(
        [
          send('a', [t('no_reply', 'b', { after: 'P1D' })]),
          send('b', [], { sendWindow: { ...window, start: '18:00', end: '19:00' } }),
        ],
        {
          sendWindow: window,
          quietHours: { start: '08:00', end: '17:30' },
        },
      ),
    );
    expect(sendTimeIssues(p, 'Europe/Berlin', from).map((issue) => issue.path)).toEqual(['/nodes/0']);
  });
});

describe('planJsonSchema v1.1 patterns', () => {
  const schema = planJsonSchema() as { $defs?: unknown };
  const text = JSON.stringify(schema);

  it('durations and HH:MM carry patterns that refuse "3 days" and "9pm"', () => {
    expect(text).toContain(JSON.stringify(ISO_DURATION_PATTERN));
    expect(text).toContain(JSON.stringify(TIME_OF_DAY_PATTERN));
    const duration = new RegExp(ISO_DURATION_PATTERN);
    const time = new RegExp(TIME_OF_DAY_PATTERN);
    for (const ok of ['P3D', 'PT72H', 'P1DT2H30M', 'PT0S', 'P2W', 'P1Y2M', 'PT1.5H', 'PT0,25S', 'P1.0D'])
      expect(duration.test(ok), ok).toBe(true);
    for (const bad of ['3 days', 'P', 'PT', 'P1DT', 'p1d', '-P1D', 'P1.5D', 'P1.5DT2H', 'PT1.5H30M', '72h'])
      expect(duration.test(bad), bad).toBe(false);
    for (const ok of ['00:00', '09:00', '23:59']) expect(time.test(ok), ok).toBe(true);
    for (const bad of ['9pm', '9:00', '24:00', '12:60', '0900']) expect(time.test(bad), bad).toBe(false);
  });

  it('the pattern accepts exactly what isValidIsoDuration accepts (short parts)', () => {
    const token = fc.constantFrom('1', '0', '12', '.', ',', '5', 'Y', 'M', 'W', 'D', 'T', 'H', 'S');
    fc.assert(
      fc.property(fc.boolean(), fc.array(token, { maxLength: 10 }), (withP, tokens) => {
        const iso = `${withP ? 'P' : ''}${tokens.join('')}`;
        expect(new RegExp(ISO_DURATION_PATTERN).test(iso), iso).toBe(isValidIsoDuration(iso));
      }),
      { numRuns: 3000 },
    );
  });

  it('day names and events are enums', () => {
    expect(text).toContain(JSON.stringify(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']));
    expect(text).toContain('"no_reply"');
  });
});

describe('1.0 plans behave as before', () => {
  const examples = readdirSync(new URL('../../../../examples/', import.meta.url))
    .filter((name) => name.endsWith('.json'))
    .map(
      (name) =>
        JSON.parse(readFileSync(new URL(`../../../../examples/${name}`, import.meta.url), 'utf8')) as Json,
    )
    .map((file) => (file.plan ?? file) as Json)
    .filter((p) => p.version === '1.0' || p.version === '2.0');
  const plans: Json[] = [...examples, ...Object.values(fixtures).map((make) => (make as () => Json)())];

  it('each 1.0 plan (examples, shared fixtures) gives the same issues read as 1.1: the format is a superset', () => {
    expect(plans.length).toBeGreaterThan(5);
    for (const p of plans) {
      const asIs = validatePlan({ ...p, version: '1.0' });
      const as11 = validatePlan({ ...p, version: '1.1' });
      expect(summary(as11)).toEqual(summary(asIs));
    }
  });

  it('regression: a bad quiet hour does not fail the parse (the pattern is JSON Schema only), so stranded_by_event is still judged', () => {
    const nodes = [send('a', [t('no_open', 'done', { after: 'P1D' })]), end('done')];
    expectIssues(plan(nodes, { version: '1.0', quietHours: { start: '9pm', end: '07:00' } }), [
      'warning stranded_by_event /nodes/0/transitions/0',
      'error invalid_quiet_hours /quietHours/start',
    ]);
  });

  it('the 1.0 seed example is valid with no issue; every 1.1 example is valid', () => {
    const dir = new URL('../../../../examples/', import.meta.url);
    for (const name of readdirSync(dir).filter((n) => /^(seed-campaign|v1\.1-[a-z-]+)\.json$/.test(n))) {
      const file = JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Json;
      expect(summary(validatePlan(file.plan ?? file)), name).toEqual([]);
    }
  });
});

describe('validatePlan v1.1: zero_time_chain', () => {
  /** n branch nodes in a row (each to the next, either way), then a send: a chain of n zero-time nodes. */
  const chain = (n: number): Json =>
    plan([
      ...Array.from({ length: n }, (_, i) =>
        branch(`b${i}`, [when({ attribute: 'x', exists: true }, `b${i + 1}`)], `b${i + 1}`),
      ),
      send(`b${n}`),
    ]);

  it('100 zero-time nodes in a row are fine, and the engine runs them (entering 101 nodes at one instant)', () => {
    const result = validatePlan(chain(100));
    expect(result.issues).toEqual([]);
    const outcome = simulate({
      definition: { plan: result.plan as Plan, timezone: 'Europe/Berlin' },
      contact: { email: 'ada@example.com' },
      start: new Date('2026-06-01T08:00:00Z'),
      events: [],
    });
    expect(outcome.timeline.filter((entry) => entry.kind === 'enter')).toHaveLength(101);
  });

  it.each([101, 5_000])(
    '%i in a row are zero_time_chain at the first, not an engine crash at activation',
    (n) => {
      const result = validatePlan(chain(n));
      expect(result.valid).toBe(false);
      expect(result.issues.map((issue) => `${issue.code} ${issue.path}`)).toEqual([
        'zero_time_chain /nodes/0',
      ]);
      expect(result.issues[0]?.message).toContain(`${n} zero-time nodes`);
    },
  );

  it('counts wait nodes moved on by engagement transitions and split choices too', () => {
    // 50 waits (each "opened" to the next) then 51 splits: 101 zero-time nodes after the send.
    const waits = Array.from({ length: 50 }, (_, i) =>
      wait(`w${i}`, [t('opened', i < 49 ? `w${i + 1}` : 's0'), t('no_open', 'done', { after: 'P1D' })]),
    );
    const splits = Array.from({ length: 51 }, (_, i) =>
      split(`s${i}`, [v('A', i < 50 ? `s${i + 1}` : 'done'), v('B', i < 50 ? `s${i + 1}` : 'done')]),
    );
    const result = validatePlan(
      plan([
        send('intro', [t('delivered', 'w0'), t('no_reply', 'done', { after: 'P3D' })]),
        ...waits,
        ...splits,
        end('done'),
      ]),
    );
    expect(result.issues.map((issue) => `${issue.code} ${issue.path}`)).toEqual(['zero_time_chain /nodes/1']);
    expect(result.issues[0]?.message).toContain('101 zero-time nodes');
  });
});

describe('validatePlan 1.0: no zero_time_chain', () => {
  it('a 1.0 plan of 120 wait nodes in a row is judged as before (no new code)', () => {
    const waits = Array.from({ length: 120 }, (_, i) => ({
      id: `w${i}`,
      action: 'wait',
      transitions: [
        { on: 'opened', to: i < 119 ? `w${i + 1}` : 'done' },
        { on: 'no_open', to: 'done', after: 'P1D' },
      ],
    }));
    const result = validatePlan({
      version: '1.0',
      timezone: 'UTC',
      startNodeId: 'intro',
      nodes: [
        {
          id: 'intro',
          action: 'send',
          subject: 's',
          body: 'b',
          transitions: [
            { on: 'delivered', to: 'w0' },
            { on: 'no_reply', to: 'done', after: 'P3D' },
          ],
        },
        ...waits,
        { id: 'done', action: 'end' },
      ],
    });
    expect(result.issues).toEqual([]);
  });
});
