import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JsonPatchOperation, PlanIssue } from '../plan-issues.ts';
import { validatePlan } from '../validate-plan.ts';
import { repairPlan } from './repair-plan.ts';

/** A valid 1.0 plan: intro (send) -> bump (send) on no_open, -> done on opened. */
function plan(): Record<string, unknown> & { nodes: Record<string, unknown>[] } {
  return {
    version: '1.0',
    timezone: 'America/Los_Angeles',
    quietHours: { start: '21:00', end: '07:30' },
    startNodeId: 'intro',
    exitOn: ['replied'],
    nodes: [
      {
        id: 'intro',
        action: 'send',
        subject: 'Hi',
        body: 'Hello',
        schedule: { delay: 'PT0S' },
        transitions: [
          { on: 'opened', to: 'done', within: 'P3D' },
          { on: 'no_open', to: 'bump', after: 'P3D' },
        ],
      },
      { id: 'bump', action: 'send', subject: 'Again', body: 'Hello again', transitions: [] },
      { id: 'done', action: 'end' },
    ],
  };
}

function transitionAt(input: { nodes: Record<string, unknown>[] }, node: number, index: number) {
  const transitions = input.nodes[node]?.transitions;
  const transition: unknown = Array.isArray(transitions) ? transitions[index] : undefined;
  if (typeof transition !== 'object' || transition === null)
    throw new Error(`no transition ${node}/${index}`);
  return transition as Record<string, unknown>;
}

function issueAt(input: unknown, path: string): PlanIssue {
  const issue = validatePlan(input).issues.find((candidate) => candidate.path === path);
  if (issue === undefined) throw new Error(`no issue at ${path}`);
  return issue;
}

function fixAt(input: unknown, path: string): JsonPatchOperation[] | undefined {
  return issueAt(input, path).fix;
}

describe('the fix each issue carries', () => {
  it('is valid to start with: the base plan has no issue', () => {
    expect(validatePlan(plan()).issues).toEqual([]);
  });

  it('renames a transition event with one close match: "open" -> "opened", "no-open" -> "no_open"', () => {
    const input = plan();
    const transitions = input.nodes[0]?.transitions as Record<string, unknown>[];
    Object.assign(transitions[0] ?? {}, { on: 'open' });
    Object.assign(transitions[1] ?? {}, { on: 'no-open' });
    expect(issueAt(input, '/nodes/0/transitions/0/on').code).toBe('unknown_event');
    expect(fixAt(input, '/nodes/0/transitions/0/on')).toEqual([
      { op: 'replace', path: '/nodes/0/transitions/0/on', value: 'opened' },
    ]);
    expect(fixAt(input, '/nodes/0/transitions/1/on')).toEqual([
      { op: 'replace', path: '/nodes/0/transitions/1/on', value: 'no_open' },
    ]);
  });

  it('renames an exitOn event: "reply" -> "replied"; none for an event with no close match', () => {
    expect(fixAt({ ...plan(), exitOn: ['reply'] }, '/exitOn/0')).toEqual([
      { op: 'replace', path: '/exitOn/0', value: 'replied' },
    ]);
    const unknown = { ...plan(), exitOn: ['purchased'] };
    expect(issueAt(unknown, '/exitOn/0').code).toBe('unknown_event');
    expect(fixAt(unknown, '/exitOn/0')).toBeUndefined();
  });

  it('writes a human duration as ISO 8601: "3 days" -> "P3D", "72 hours" -> "PT72H"', () => {
    const input = plan();
    const transitions = input.nodes[0]?.transitions as Record<string, unknown>[];
    Object.assign(transitions[0] ?? {}, { within: '72 hours' });
    Object.assign(transitions[1] ?? {}, { after: '3 days' });
    expect(issueAt(input, '/nodes/0/transitions/1/after').code).toBe('invalid_duration');
    expect(fixAt(input, '/nodes/0/transitions/1/after')).toEqual([
      { op: 'replace', path: '/nodes/0/transitions/1/after', value: 'P3D' },
    ]);
    expect(fixAt(input, '/nodes/0/transitions/0/within')).toEqual([
      { op: 'replace', path: '/nodes/0/transitions/0/within', value: 'PT72H' },
    ]);
  });

  it('writes a fractional day as the whole hours its message names: "P0.5D" -> "PT12H"', () => {
    const input = plan();
    Object.assign(input.nodes[0] ?? {}, { schedule: { delay: 'P0.5D' } });
    const issue = issueAt(input, '/nodes/0/schedule/delay');
    expect(issue.message).toContain('PT12H');
    expect(issue.fix).toEqual([{ op: 'replace', path: '/nodes/0/schedule/delay', value: 'PT12H' }]);
  });

  it('offers no duration fix that would itself be refused: "0 days" for an after is zero', () => {
    const input = plan();
    Object.assign(transitionAt(input, 0, 1), { after: '0 days' });
    expect(issueAt(input, '/nodes/0/transitions/1/after').code).toBe('invalid_duration');
    expect(fixAt(input, '/nodes/0/transitions/1/after')).toBeUndefined();
    // ... while a send delay of zero is fine.
    Object.assign(input.nodes[0] ?? {}, { schedule: { delay: '0 minutes' } });
    expect(fixAt(input, '/nodes/0/schedule/delay')).toEqual([
      { op: 'replace', path: '/nodes/0/schedule/delay', value: 'PT0M' },
    ]);
  });

  it('writes quiet hours in 24-hour HH:MM: "9pm" -> "21:00", "7:30" -> "07:30"', () => {
    const input = { ...plan(), quietHours: { start: '9pm', end: '7:30' } };
    expect(issueAt(input, '/quietHours/start').code).toBe('invalid_quiet_hours');
    expect(fixAt(input, '/quietHours/start')).toEqual([
      { op: 'replace', path: '/quietHours/start', value: '21:00' },
    ]);
    expect(fixAt(input, '/quietHours/end')).toEqual([
      { op: 'replace', path: '/quietHours/end', value: '07:30' },
    ]);
    expect(
      fixAt({ ...plan(), quietHours: { start: '9', end: '07:30' } }, '/quietHours/start'),
    ).toBeUndefined();
  });

  it('moves a delay written on a send node into its schedule, adding schedule when absent', () => {
    const input = plan();
    Object.assign(input.nodes[1] ?? {}, { delay: 'P1D' });
    expect(issueAt(input, '/nodes/1/delay').code).toBe('schema');
    expect(fixAt(input, '/nodes/1/delay')).toEqual([
      { op: 'add', path: '/nodes/1/schedule', value: {} },
      { op: 'move', from: '/nodes/1/delay', path: '/nodes/1/schedule/delay' },
    ]);
    Object.assign(input.nodes[1] ?? {}, { schedule: {} });
    expect(fixAt(input, '/nodes/1/delay')).toEqual([
      { op: 'move', from: '/nodes/1/delay', path: '/nodes/1/schedule/delay' },
    ]);
  });

  it('offers no move when the schedule already has a delay, or the node is not a send', () => {
    const input = plan();
    Object.assign(input.nodes[0] ?? {}, { delay: 'P1D' });
    expect(fixAt(input, '/nodes/0/delay')).toBeUndefined();
    const wait = plan();
    Object.assign(wait.nodes[2] ?? {}, { delay: 'P1D' });
    expect(fixAt(wait, '/nodes/2/delay')).toBeUndefined();
  });

  it('moves a delay written on a transition to the schedule of the send node it enters', () => {
    const input = plan();
    Object.assign(transitionAt(input, 0, 1), { delay: 'P1D' });
    expect(fixAt(input, '/nodes/0/transitions/1/delay')).toEqual([
      { op: 'add', path: '/nodes/1/schedule', value: {} },
      { op: 'move', from: '/nodes/0/transitions/1/delay', path: '/nodes/1/schedule/delay' },
    ]);
    // Into an end node there is nowhere for it to go.
    const toEnd = plan();
    Object.assign(transitionAt(toEnd, 0, 0), { delay: 'P1D' });
    expect(fixAt(toEnd, '/nodes/0/transitions/0/delay')).toBeUndefined();
  });

  it('offers no move for a transition delay when two transitions with delays enter the same node', () => {
    const input = plan();
    input.nodes.splice(2, 0, {
      id: 'wait',
      action: 'wait',
      transitions: [{ on: 'no_click', to: 'bump', after: 'P1D', delay: 'P2D' }],
    });
    Object.assign(transitionAt(input, 0, 1), { delay: 'P1D' });
    expect(fixAt(input, '/nodes/0/transitions/1/delay')).toBeUndefined();
    expect(fixAt(input, '/nodes/2/transitions/0/delay')).toBeUndefined();
  });

  it('names the IANA zone of an abbreviation with one reading: "PST" -> "America/Los_Angeles"', () => {
    const input = { ...plan(), timezone: 'PST' };
    expect(issueAt(input, '/timezone').code).toBe('invalid_timezone');
    expect(fixAt(input, '/timezone')).toEqual([
      { op: 'replace', path: '/timezone', value: 'America/Los_Angeles' },
    ]);
  });

  it('offers no zone for BST, IST or CST (ambiguous), nor for an unknown zone', () => {
    for (const timezone of ['BST', 'IST', 'CST', 'Mars/Olympus_Mons']) {
      const issue = issueAt({ ...plan(), timezone }, '/timezone');
      expect(issue.code).toBe('invalid_timezone');
      expect(issue.fix).toBeUndefined();
    }
  });
});

describe('repairPlan', () => {
  it('applies every fix and returns the repaired plan, valid, without changing the input', () => {
    const input = { ...plan(), timezone: 'pdt', quietHours: { start: '9pm', end: '7.30am' } };
    const transitions = input.nodes[0]?.transitions as Record<string, unknown>[];
    Object.assign(transitions[1] ?? {}, { on: 'not_opened', after: '3d' });
    Object.assign(input.nodes[1] ?? {}, { delay: '1 day' });
    const before = structuredClone(input);

    const result = repairPlan(input);

    const expected = plan();
    Object.assign(expected.nodes[1] ?? {}, { schedule: { delay: 'P1D' } });
    expect(result.valid).toBe(true);
    expect(result.issues).toEqual([]);
    expect(result.plan).toEqual(expected);
    expect(input).toEqual(before);
    // The delay is moved in one round and written as ISO 8601 in the next, at its new place.
    expect(result.applied.map((fix) => fix.path)).toEqual([
      '/nodes/0/transitions/1/after',
      '/nodes/0/transitions/1/on',
      '/nodes/1/delay',
      '/quietHours/end',
      '/quietHours/start',
      '/timezone',
      '/nodes/1/schedule/delay',
    ]);
  });

  it('returns the input itself, with its issues, when nothing has a fix', () => {
    const input = { ...plan(), startNodeId: 'nope' };
    const result = repairPlan(input);
    expect(result.plan).toBe(input);
    expect(result.applied).toEqual([]);
    expect(result.valid).toBe(false);
    expect(result.issues.map((issue) => issue.code)).toEqual(['unknown_start_node']);
  });

  it('applies one of two fixes that touch the same node per round and re-offers the other against the result', () => {
    // The node's own delay is moved first; the transition's delay then has nowhere to go (no fix).
    const input = plan();
    Object.assign(input.nodes[1] ?? {}, { delay: 'P1D' });
    input.nodes.push({
      id: 'later',
      action: 'wait',
      transitions: [{ on: 'no_reply', to: 'bump', after: 'P1D' }],
    });
    Object.assign(transitionAt(input, 0, 1), { delay: 'P2D' });
    const result = repairPlan(input);
    expect(result.applied.map((fix) => fix.path)).toEqual(['/nodes/0/transitions/1/delay']);
    expect(result.issues.map((issue) => [issue.path, issue.code, issue.fix])).toEqual([
      ['/nodes/1/delay', 'schema', undefined],
      ['/nodes/3', 'unreachable_node', undefined],
    ]);
  });

  it.each([[null], [42], ['plan'], [[]], [{ nodes: 'x' }], [{ nodes: [null, 1, { transitions: [null] }] }]])(
    'never throws on hostile input %j',
    (input: unknown) => {
      const result = repairPlan(input);
      expect(result.valid).toBe(false);
      expect(result.applied).toEqual([]);
    },
  );

  it('never throws on a plan nested too deep to copy: the fix is not applied and its issue stays', () => {
    let deep: unknown = 'bottom';
    for (let level = 0; level < 200_000; level++) deep = { deeper: deep };
    const input = { ...plan(), timezone: 'PST', extra: deep };
    const result = repairPlan(input);
    expect(result.valid).toBe(false);
    expect(result.issues.map((issue) => issue.path)).toContain('/extra');
  });

  it('stops after maxRounds: a chain of two repairs needs two rounds', () => {
    const input = plan();
    Object.assign(input.nodes[1] ?? {}, { delay: '1 day' });
    const one = repairPlan(input, { maxRounds: 1 });
    expect(one.applied).toHaveLength(1);
    expect(one.valid).toBe(false);
    expect(repairPlan(input, { maxRounds: 2 }).valid).toBe(true);
  });

  it('repairs examples/broken-plan.json: only issues without an obvious fix remain', () => {
    const { plan: broken } = JSON.parse(
      readFileSync(new URL('../../../../../examples/broken-plan.json', import.meta.url), 'utf8'),
    ) as { plan: { nodes: Record<string, unknown>[] } };
    const result = repairPlan(broken);
    expect(result.applied.map((fix) => [fix.path, fix.code])).toEqual([
      ['/nodes/3/delay', 'schema'],
      ['/nodes/8/transitions/0/on', 'unknown_event'],
      ['/quietHours/end', 'invalid_quiet_hours'],
    ]);
    const repaired = result.plan as typeof broken & { quietHours: unknown };
    expect(repaired.quietHours).toEqual({ start: '21:00', end: '07:30' });
    expect(repaired.nodes[3]?.schedule).toEqual({ delay: 'P1D' });
    expect(repaired.nodes[3]).not.toHaveProperty('delay');
    expect(transitionAt(repaired, 8, 0).on).toBe('opened');
    expect(result.valid).toBe(false);
    expect(result.issues.filter((issue) => issue.fix !== undefined)).toEqual([]);
    const codes = new Set(result.issues.map((issue) => issue.code));
    for (const code of [
      'unsupported_version',
      'invalid_timezone',
      'unknown_start_node',
      'duplicate_node_id',
    ]) {
      expect(codes).toContain(code);
    }
  });
});

describe('repairPlan: a day listed twice in a send window', () => {
  const withDays = (days: unknown[]) => ({
    version: '1.1',
    timezone: 'UTC',
    sendWindow: { days, start: '09:00', end: '17:00' },
    startNodeId: 'a',
    nodes: [{ id: 'a', action: 'send', subject: 's', body: 'b', transitions: [] }],
  });

  it.each([
    // [days as written, days after the repair, fixes applied]: written out by hand.
    [['mon', 'mon'], ['mon'], 1],
    [['mon', 'Monday'], ['mon'], 1],
    // Round 1 replaces days/0 and days/2; the list fix of days/1 overlaps days/0 and waits for round 2.
    [['Monday', 'monday', 'Fri'], ['mon', 'fri'], 3],
    [['tue', 'mon', 'tue', 'wed', 'mon'], ['tue', 'mon', 'wed'], 1],
  ])('%j repairs to %j, a valid plan, with %i fix(es)', (days, expected, count) => {
    const result = repairPlan(withDays(days));
    expect(result.valid).toBe(true);
    expect(result.issues).toEqual([]);
    expect((result.plan as ReturnType<typeof withDays>).sendWindow.days).toEqual(expected);
    expect(result.applied).toHaveLength(count);
  });

  it('the duplicate carries a fix that changes the plan (never a no-op replace), and an unclear day none', () => {
    const result = validatePlan(withDays(['mon', 'mon', 'xyz', 'xyz']));
    const fixes = result.issues.map((issue) => [issue.path, issue.fix]);
    expect(fixes).toEqual([
      ['/sendWindow/days/1', [{ op: 'replace', path: '/sendWindow/days', value: ['mon', 'xyz'] }]],
      ['/sendWindow/days/2', undefined],
      ['/sendWindow/days/3', undefined],
    ]);
  });
});
