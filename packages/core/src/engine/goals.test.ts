import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan-schema.ts';
import { conditionHolds } from './conditions.ts';
import { onCustomEvent } from './goals.ts';
import { initialState } from './nodes.ts';
import type { CampaignState, CampaignStatus } from './types.ts';

/* DESIGN section 14: goals end the campaign as converted; `event` conditions read earlier custom events. */

const plan: Plan = {
  version: '1.1',
  timezone: 'UTC',
  goals: ['signed_up', 'crm:closed_won'],
  startNodeId: 'a',
  nodes: [{ id: 'a', action: 'send', subject: 's', body: 'b' }],
};
const def = { plan, timezone: 'UTC' };
const at = new Date('2026-03-02T12:00:00Z');
const event = (name: string) => ({ id: 'e1', name, occurredAt: new Date('2026-03-02T11:00:00Z') });
const state = (status: CampaignStatus): CampaignState => ({
  ...initialState(),
  status,
  currentNodeId: status === 'pending' ? null : 'a',
  step: 1,
  pausedAt: status === 'paused' ? new Date('2026-03-01T00:00:00Z') : null,
});

describe('onCustomEvent', () => {
  it.each(['pending', 'active', 'paused'] as const)(
    'a goal ends a %s campaign: completed, goal:<name>, pending actions cancelled',
    (status) => {
      const decision = onCustomEvent(def, state(status), event('crm:closed_won'), at);
      expect(decision.effect).toBe('exit');
      expect(decision.state.status).toBe('completed');
      expect(decision.state.stopReason).toBe('goal:crm:closed_won');
      expect(decision.state.pausedAt).toBeNull();
      expect(decision.effects).toEqual([
        { type: 'cancel_pending' },
        { type: 'end', at, status: 'completed', reason: 'goal:crm:closed_won' },
      ]);
    },
  );

  it('a name the plan does not list, or one differing only in case, changes nothing', () => {
    for (const name of ['webinar_joined', 'Signed_Up']) {
      const decision = onCustomEvent(def, state('active'), event(name), at);
      expect(decision).toEqual({ state: state('active'), effects: [], effect: 'ignored' });
    }
  });

  it('a plan without goals ignores every custom event', () => {
    const noGoals = { plan: { ...plan, goals: undefined }, timezone: 'UTC' };
    expect(onCustomEvent(noGoals, state('active'), event('signed_up'), at).effect).toBe('ignored');
  });

  it.each(['completed', 'stopped', 'cancelled'] as const)(
    'a %s campaign is not reopened or re-ended',
    (status) => {
      const decision = onCustomEvent(def, state(status), event('signed_up'), at);
      expect(decision.effect).toBe('ignored');
      expect(decision.effects).toEqual([]);
    },
  );
});

describe('the event condition', () => {
  const when = { event: 'demo_booked' };
  const booked = [{ name: 'demo_booked', occurredAt: new Date('2026-03-02T10:00:00Z') }];
  const facts = (customEvents: typeof booked, entered: Date | undefined) => ({
    contact: undefined,
    engagements: [],
    customEvents,
    at: entered,
  });

  it('holds when the event occurred before the branch was entered, or at that very instant', () => {
    expect(conditionHolds(when, facts(booked, new Date('2026-03-02T10:00:01Z')))).toBe(true);
    expect(conditionHolds(when, facts(booked, new Date('2026-03-02T10:00:00Z')))).toBe(true);
  });

  it('does not hold for an event after the entry, another name, or none', () => {
    expect(conditionHolds(when, facts(booked, new Date('2026-03-02T09:59:59.999Z')))).toBe(false);
    expect(conditionHolds({ event: 'demo' }, facts(booked, at))).toBe(false);
    expect(conditionHolds(when, facts([], at))).toBe(false);
    expect(conditionHolds(when, { contact: undefined, engagements: [] })).toBe(false);
  });

  it('combines under not / any like any other condition', () => {
    expect(conditionHolds({ not: when }, facts(booked, at))).toBe(false);
    expect(conditionHolds({ any: [{ event: 'x' }, when] }, facts(booked, at))).toBe(true);
  });
});
