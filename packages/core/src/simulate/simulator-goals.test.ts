import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan-schema.ts';
import { simulationEventsSchema } from './simulation-input.ts';
import { simulate } from './simulator.ts';

/* DESIGN section 14 in `campaign simulate`: custom events in the events file. */

const plan: Plan = {
  version: '1.1',
  timezone: 'UTC',
  goals: ['signed_up'],
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hi',
      body: 'Hi',
      transitions: [{ on: 'no_reply', to: 'check', after: 'P1D' }],
    },
    { id: 'check', action: 'branch', branches: [{ when: { event: 'signed_up' }, to: 'a' }], otherwise: 'b' },
    { id: 'a', action: 'end' },
    { id: 'b', action: 'end' },
  ],
};
const start = new Date('2026-03-02T10:00:00Z');
const run = (events: unknown[]) =>
  simulate({
    definition: { plan, timezone: 'UTC' },
    contact: { email: 'ada@example.com' },
    start,
    events: simulationEventsSchema.parse(events),
  });

describe('custom events in the events file', () => {
  it('parses {at, type: custom, name, id?} and refuses a bad name or a stray field', () => {
    const parsed = simulationEventsSchema.parse([
      { at: '2026-03-02T11:00:00Z', type: 'custom', name: 'signed_up' },
    ]);
    expect(parsed).toEqual([{ at: new Date('2026-03-02T11:00:00Z'), type: 'custom', name: 'signed_up' }]);
    for (const bad of [
      { at: '2026-03-02T11:00:00Z', type: 'custom', name: 'signed up' },
      { at: '2026-03-02T11:00:00Z', type: 'custom' },
      { at: '2026-03-02T11:00:00Z', type: 'custom', name: 'x', node: 'intro' },
    ]) {
      expect(simulationEventsSchema.safeParse([bad]).success).toBe(false);
    }
  });

  it('a goal ends the campaign as converted at the event, before activation too', () => {
    const later = run([{ at: '2026-03-02T12:00:00Z', type: 'custom', name: 'signed_up' }]);
    expect([later.status, later.stopReason, later.currentNodeId]).toEqual([
      'completed',
      'goal:signed_up',
      'intro',
    ]);
    expect(later.timeline.at(-1)).toEqual({
      at: '2026-03-02T12:00:00.000Z',
      kind: 'end',
      status: 'completed',
      reason: 'goal:signed_up',
    });
    // Converted before the campaign started: it never sends.
    const before = run([{ at: '2026-03-02T09:00:00Z', type: 'custom', name: 'signed_up' }]);
    expect([before.status, before.stopReason]).toEqual(['completed', 'goal:signed_up']);
    expect(before.timeline.filter((e) => e.kind === 'send')).toEqual([]);
  });

  it('an id seen before is dropped: a repeat of a non-goal event is not counted twice (nor differently)', () => {
    const nonGoal = { ...plan, goals: ['other'] };
    const result = simulate({
      definition: { plan: nonGoal, timezone: 'UTC' },
      contact: { email: 'ada@example.com' },
      start,
      events: simulationEventsSchema.parse([
        { at: '2026-03-02T11:00:00Z', type: 'custom', name: 'signed_up', id: 'x1' },
        // Same id, another name: dropped, so `other` (the goal) never happens.
        { at: '2026-03-02T12:00:00Z', type: 'custom', name: 'other', id: 'x1' },
      ]),
    });
    // no_reply after P1D enters check at 2026-03-03T10:00Z; signed_up occurred before: branch to a.
    expect([result.status, result.stopReason, result.currentNodeId]).toEqual(['completed', null, 'a']);
  });
});
