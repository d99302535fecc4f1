import { describe, expect, it } from 'vitest';
import { simulate } from '../../simulate/simulator.ts';
import type { EngagementEvent, Plan, Transition } from '../plan-schema.ts';
import { validatePlan } from '../validate-plan.ts';

/*
 * The warning and the engine must agree (DESIGN section 4 rule 6): for every plan built from the pieces
 * below, `stranded_by_event` names an event exactly when that one genuine event, an hour after the send,
 * makes the simulated campaign complete with reason `no_path`.
 */

const START = new Date('2026-01-05T10:00:00.000Z'); // a Monday, far from any DST change
const EVENTS = ['opened', 'clicked', 'replied'] as const;
const NOUN: Record<(typeof EVENTS)[number], string> = {
  opened: 'an open',
  clicked: 'a click',
  replied: 'a reply',
};

/** Transitions a send node may have; each plan takes a subset, in this order. */
const PIECES: readonly Transition[] = [
  { on: 'opened', to: 'done' },
  { on: 'clicked', to: 'done' },
  { on: 'clicked', to: 'done', within: 'PT12H' },
  { on: 'replied', to: 'done' },
  { on: 'bounced', to: 'done' },
  { on: 'no_open', to: 'done', after: 'PT24H' },
  { on: 'no_click', to: 'done', after: 'PT48H' },
  { on: 'no_reply', to: 'done', after: 'PT36H' },
];
const EXIT_ON: readonly (readonly EngagementEvent[] | undefined)[] = [undefined, [], ['bounced']];

function plans(): Plan[] {
  const out: Plan[] = [];
  for (let mask = 1; mask < 1 << PIECES.length; mask++) {
    const transitions = PIECES.filter((_, i) => mask & (1 << i));
    if (!transitions.some((t) => t.on.startsWith('no_'))) continue;
    for (const exitOn of EXIT_ON) {
      out.push({
        version: '1.0',
        timezone: 'UTC',
        startNodeId: 'intro',
        ...(exitOn ? { exitOn: [...exitOn] } : {}),
        nodes: [
          { id: 'intro', action: 'send', subject: 'Hello', body: 'Hi', transitions },
          { id: 'done', action: 'end' },
        ],
      });
    }
  }
  return out;
}

function endsWithNoPath(plan: Plan, type: (typeof EVENTS)[number]): boolean {
  const result = simulate({
    definition: { plan, timezone: 'UTC' },
    contact: { email: 'ada@example.com' },
    start: START,
    events: [{ at: new Date(START.getTime() + 3_600_000), type, node: 'intro' }],
  });
  return result.stopReason === 'no_path';
}

/** The events a warning names: "an open or a click" in `Node ...: an open or a click of its message skips`. */
function strandingNouns(message: string): string[] {
  return /: ([a-z ]+) of its message skips/.exec(message)?.[1]?.split(' or ') ?? [];
}

describe('stranded_by_event agrees with the engine', () => {
  it('warns about an event exactly when that event makes the simulated campaign complete with no_path', () => {
    let checked = 0;
    let stranded = 0;
    for (const plan of plans()) {
      const result = validatePlan(plan);
      if (!result.valid) continue;
      const warnings = result.issues.filter((issue) => issue.code === 'stranded_by_event');
      for (const type of EVENTS) {
        const warned = warnings.some((issue) => strandingNouns(issue.message).includes(NOUN[type]));
        const noPath = endsWithNoPath(plan, type);
        expect(
          warned,
          `${type} on ${JSON.stringify(plan.nodes[0])} exitOn ${JSON.stringify(plan.exitOn)}`,
        ).toBe(noPath);
        checked++;
        if (noPath) stranded++;
      }
    }
    // The pieces give both outcomes many times over; a vacuous run would prove nothing.
    expect(checked).toBeGreaterThan(1000);
    expect(stranded).toBeGreaterThan(30);
    expect(checked - stranded).toBeGreaterThan(50);
    // Thousands of simulations: about a second alone, several on a machine shared with other suites.
  }, 30_000);
});
