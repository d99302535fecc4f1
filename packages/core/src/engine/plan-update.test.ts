import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan-schema.ts';
import { activate, initialState, onEvent, onSendExecuted } from './engine.ts';
import { decidePlanUpdate } from './plan-update.ts';
import type { CampaignDefinition, CampaignState, EngineContext, RecordedEvent } from './types.ts';

/* Rule 9 in the pure engine: which plan updates are accepted, and what the timeouts become. */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);

const plan: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'intro',
  exitOn: ['replied'],
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 's',
      body: 'b',
      transitions: [
        { on: 'opened', to: 'wait', within: 'PT72H' },
        { on: 'no_open', to: 'done', after: 'PT72H' },
      ],
    },
    { id: 'wait', action: 'wait', transitions: [{ on: 'no_click', to: 'done', after: 'PT48H' }] },
    { id: 'done', action: 'end' },
  ],
};
const def: CampaignDefinition = { plan, timezone: 'UTC' };
const noHistory: EngineContext = { latestMessage: null, latestMessageEvents: [] };

/** Sent at T0, opened at T0+1h: standing on `wait`, anchored at T0+1h. */
function atWait(): CampaignState {
  const sent = onSendExecuted(def, activate(def, initialState(), T0, noHistory).state, T0).state;
  const open: RecordedEvent = { id: 'o1', messageId: 'm1', type: 'opened', occurredAt: hours(1) };
  const ctx: EngineContext = {
    latestMessage: { id: 'm1', nodeId: 'intro', step: 1, sentAt: T0 },
    latestMessageEvents: [open],
  };
  return onEvent(def, sent, open, ctx, hours(1)).state;
}

function withNodes(nodes: Plan['nodes'], extra: Partial<Plan> = {}): Plan {
  return { ...plan, nodes, ...extra };
}

describe('decidePlanUpdate (rule 9)', () => {
  it('keeps the campaign at its node and recomputes the timeouts from the original anchor, not from now', () => {
    const state = atWait();
    expect(state).toMatchObject({ currentNodeId: 'wait', step: 2, anchorAt: hours(1) });
    const next = withNodes([
      plan.nodes[0] as Plan['nodes'][number],
      { id: 'wait', action: 'wait', transitions: [{ on: 'no_click', to: 'done', after: 'PT24H' }] },
      { id: 'done', action: 'end' },
    ]);
    const decision = decidePlanUpdate(def, state, next, 2, hours(10));
    if (!decision.accepted) throw new Error(decision.reason);
    expect(decision.node).toBe('wait');
    expect(decision.state).toBe(state);
    // anchor T0+1h + 24h, although the update happens at T0+10h
    expect(decision.timeouts).toEqual([
      {
        kind: 'timeout',
        nodeId: 'wait',
        step: 2,
        event: 'no_click',
        transitionIndex: 0,
        dueAt: hours(25),
        runAt: hours(25),
      },
    ]);
    expect(decision.effects).toEqual([
      {
        type: 'plan_update',
        at: hours(10),
        version: 2,
        definition: { plan: next, timezone: 'UTC' },
        node: 'wait',
      },
      { type: 'schedule', action: decision.timeouts[0] },
    ]);
  });

  it('refuses a plan without the current node, naming it, and changes nothing', () => {
    const next = withNodes([plan.nodes[0] as Plan['nodes'][number], { id: 'done', action: 'end' }]);
    expect(decidePlanUpdate(def, atWait(), next, 2, hours(10))).toEqual({
      accepted: false,
      code: 'node_missing',
      reason: 'the new plan has no node "wait", where the campaign is now',
    });
  });

  it('refuses a plan that turns the current node into another action', () => {
    const next = withNodes([
      plan.nodes[0] as Plan['nodes'][number],
      { id: 'wait', action: 'end' },
      { id: 'done', action: 'end' },
    ]);
    expect(decidePlanUpdate(def, atWait(), next, 2, hours(10))).toMatchObject({
      accepted: false,
      code: 'node_kind_changed',
      reason: 'node "wait", where the campaign is now, is a wait node; the new plan makes it a end node',
    });
  });

  it.each(['completed', 'stopped', 'cancelled'] as const)('refuses any update of a %s campaign', (status) => {
    const over: CampaignState = { ...atWait(), status };
    expect(decidePlanUpdate(def, over, plan, 2, hours(10))).toEqual({
      accepted: false,
      code: 'campaign_over',
      reason: `cannot update the plan of a campaign that is ${status}`,
    });
  });

  it('accepts a plan for a campaign not yet activated: no node, no timeouts', () => {
    const decision = decidePlanUpdate(def, initialState(), withNodes([{ id: 'x', action: 'end' }]), 2, T0);
    expect(decision).toMatchObject({ accepted: true, node: null, timeouts: [] });
    expect(decision.accepted && decision.effects.map((e) => e.type)).toEqual(['plan_update']);
  });

  it('schedules nothing for a send node that has not sent yet (its send keeps its time)', () => {
    const state = activate(def, initialState(), T0, noHistory).state;
    const decision = decidePlanUpdate(def, state, plan, 2, hours(1));
    expect(decision).toMatchObject({ accepted: true, node: 'intro', timeouts: [] });
    expect(decision.accepted && decision.effects.map((e) => e.type)).toEqual(['plan_update']);
  });

  it('completes a send node that has sent when the new plan gives it no transitions (rule 4)', () => {
    const sent = onSendExecuted(def, activate(def, initialState(), T0, noHistory).state, T0).state;
    const next = withNodes([{ id: 'intro', action: 'send', subject: 's', body: 'b' }]);
    const decision = decidePlanUpdate(def, sent, next, 2, hours(5));
    if (!decision.accepted) throw new Error(decision.reason);
    expect(decision.state.status).toBe('completed');
    expect(decision.effects.map((e) => e.type)).toEqual(['plan_update', 'cancel_pending', 'end']);
    expect(decision.effects[2]).toEqual({
      type: 'end',
      at: hours(5),
      status: 'completed',
      reason: null,
    });
  });

  it("takes the new plan's zone, else keeps the campaign's", () => {
    const ny: CampaignDefinition = { plan: { ...plan, timezone: undefined }, timezone: 'America/New_York' };
    const state = atWait();
    const keeps = decidePlanUpdate(ny, state, { ...plan, timezone: undefined }, 2, hours(2));
    const takes = decidePlanUpdate(ny, state, { ...plan, timezone: 'Europe/Paris' }, 2, hours(2));
    expect(keeps.accepted && keeps.definition.timezone).toBe('America/New_York');
    expect(takes.accepted && takes.definition.timezone).toBe('Europe/Paris');
  });
});
