import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan-schema.ts';
import { applyEffect, applyEffects, inMemoryCampaign, unhandledEffect } from './apply-effects.ts';
import { timelineEntriesOf } from './timeline-entries.ts';
import type { CampaignDefinition, Effect, EffectType, PlannedAction } from './types.ts';

/* The in-memory interpreter of effects (the simulator's) and the per-kind timeline table it shares with the store. */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const plan: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'a',
  nodes: [{ id: 'a', action: 'end' }],
};
const def: CampaignDefinition = { plan, timezone: 'UTC' };

const send: PlannedAction = { kind: 'send', nodeId: 'a', step: 1, dueAt: T0, runAt: T0 };
const timeout: PlannedAction = {
  kind: 'timeout',
  nodeId: 'a',
  step: 1,
  event: 'no_open',
  transitionIndex: 0,
  dueAt: T0,
  runAt: T0,
};

describe('applyEffects', () => {
  it('a plan update adopts the new definition and version and cancels pending timeouts only', () => {
    const campaign = inMemoryCampaign(def);
    applyEffects(campaign, [
      { type: 'schedule', action: send },
      { type: 'schedule', action: timeout },
    ]);
    const next: CampaignDefinition = {
      plan: { ...plan, timezone: 'Europe/Paris' },
      timezone: 'Europe/Paris',
    };
    applyEffect(campaign, { type: 'plan_update', at: T0, version: 2, definition: next, node: 'a' });
    expect(campaign.definition).toBe(next);
    expect(campaign.planVersion).toBe(2);
    expect(campaign.actions.map((a) => [a.id, a.action.kind, a.status])).toEqual([
      ['act_1', 'send', 'pending'],
      ['act_2', 'timeout', 'cancelled'],
    ]);
    expect(campaign.timeline).toEqual([
      { at: '2026-01-05T10:00:00.000Z', kind: 'plan_update', version: 2, node: 'a' },
    ]);
  });

  it('cancel_pending cancels every pending action; reschedule and defer move one', () => {
    const campaign = inMemoryCampaign(def);
    const later = new Date(T0.getTime() + 60_000);
    applyEffects(campaign, [
      { type: 'schedule', action: send },
      { type: 'schedule', action: timeout },
      { type: 'reschedule', actionId: 'act_1', runAt: later },
      { type: 'defer', actionId: 'act_2', node: 'a', at: T0, until: later, reason: 'quiet_hours' },
    ]);
    expect(campaign.actions.map((a) => a.runAt)).toEqual([later, later]);
    applyEffect(campaign, { type: 'cancel_pending' });
    expect(campaign.actions.map((a) => a.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('handles every effect kind (a kind added to Effect without a case fails to compile)', () => {
    // The record's type demands one example per kind: a new kind fails here too until listed.
    const examples: { [K in EffectType]: Extract<Effect, { type: K }> } = {
      enter: {
        type: 'enter',
        at: T0,
        from: null,
        to: 'a',
        step: 1,
        on: null,
        trigger: { kind: 'activation' },
      },
      schedule: { type: 'schedule', action: send },
      cancel_pending: { type: 'cancel_pending' },
      reschedule: { type: 'reschedule', actionId: 'act_1', runAt: T0 },
      pause: { type: 'pause', at: T0 },
      resume: { type: 'resume', at: T0 },
      cancel: { type: 'cancel', at: T0 },
      end: { type: 'end', at: T0, status: 'completed', reason: null },
      defer: { type: 'defer', actionId: 'act_1', node: 'a', at: T0, until: T0, reason: 'quiet_hours' },
      suppress_contact: { type: 'suppress_contact', at: T0, reason: 'unsubscribed' },
      plan_update: { type: 'plan_update', at: T0, version: 2, definition: def, node: 'a' },
      assign_variant: { type: 'assign_variant', at: T0, node: 'a', experiment: 'x', variant: 'A' },
      skip: { type: 'skip', at: T0, node: 'a', step: 1, dueAt: T0, actionId: 'act_1', reason: 'expired' },
    };
    const campaign = inMemoryCampaign(def);
    expect(() => applyEffects(campaign, Object.values(examples))).not.toThrow();
    expect(campaign.timeline.map((e) => e.kind)).toEqual([
      'enter',
      'pause',
      'resume',
      'cancel',
      'end',
      'deferred',
      'plan_update',
      'skipped',
    ]);
    expect(campaign.variants).toEqual([{ node: 'a', experiment: 'x', variant: 'A', at: T0 }]);
    expect(() => unhandledEffect({ type: 'bogus' } as never)).toThrow(/unhandled effect/);
  });
});

describe('timelineEntriesOf', () => {
  it('an entry that moved on an event is preceded by its transition; activation is not', () => {
    expect(timelineEntriesOf({ kind: 'enter', at: T0, from: 'a', to: 'b', step: 2, on: 'opened' })).toEqual([
      { at: '2026-01-05T10:00:00.000Z', kind: 'transition', from: 'a', to: 'b', on: 'opened' },
      { at: '2026-01-05T10:00:00.000Z', kind: 'enter', node: 'b', step: 2 },
    ]);
    expect(timelineEntriesOf({ kind: 'enter', at: T0, from: null, to: 'a', step: 1, on: null })).toEqual([
      { at: '2026-01-05T10:00:00.000Z', kind: 'enter', node: 'a', step: 1 },
    ]);
  });

  it('an end carries its reason only when there is one', () => {
    expect(timelineEntriesOf({ kind: 'end', at: T0, status: 'completed', reason: null })).toEqual([
      { at: '2026-01-05T10:00:00.000Z', kind: 'end', status: 'completed' },
    ]);
    expect(timelineEntriesOf({ kind: 'end', at: T0, status: 'stopped', reason: 'replied' })).toEqual([
      { at: '2026-01-05T10:00:00.000Z', kind: 'end', status: 'stopped', reason: 'replied' },
    ]);
  });

  it('an event carries the provider id only when there is one; a send its due time', () => {
    const event = { kind: 'event', at: T0, type: 'opened', message: 'm1', effect: 'ignored' } as const;
    expect(timelineEntriesOf(event)).toEqual([
      { at: '2026-01-05T10:00:00.000Z', kind: 'event', type: 'opened', message: 'm1', effect: 'ignored' },
    ]);
    expect(timelineEntriesOf({ ...event, id: 'e1' })[0]).toHaveProperty('id', 'e1');
    const due = new Date('2026-01-05T09:00:00.000Z');
    expect(
      timelineEntriesOf({ kind: 'send', at: T0, node: 'a', message: 'm1', dueAt: due, subject: 's' }),
    ).toEqual([
      {
        at: '2026-01-05T10:00:00.000Z',
        kind: 'send',
        node: 'a',
        message: 'm1',
        dueAt: '2026-01-05T09:00:00.000Z',
        subject: 's',
      },
    ]);
  });
});
