import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan-schema.ts';
import { activate, initialState } from './engine.ts';
import type { CampaignDefinition, ContactFacts, Effect, EngineContext } from './types.ts';

/* DESIGN section 10: branch and split are zero-time nodes, left at the instant they are entered. */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const noHistory: EngineContext = { latestMessage: null, latestMessageEvents: [] };

const plan: Plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'segment',
  nodes: [
    {
      id: 'segment',
      action: 'branch',
      branches: [
        { when: { attribute: 'employees', gte: 200 }, to: 'ab' },
        { when: { engaged: 'opened' }, to: 'engaged_end' },
      ],
      otherwise: 'smb_end',
    },
    {
      id: 'ab',
      action: 'split',
      experiment: 'subject-q4',
      variants: [
        { id: 'A', weight: 60, to: 'a_end' },
        { id: 'B', weight: 40, to: 'b_end' },
      ],
    },
    { id: 'a_end', action: 'end' },
    { id: 'b_end', action: 'end' },
    { id: 'engaged_end', action: 'end' },
    { id: 'smb_end', action: 'end' },
  ],
};

function run(contact: ContactFacts, ctx: EngineContext = noHistory, p: Plan = plan) {
  const def: CampaignDefinition = { plan: p, timezone: 'UTC', contact };
  return activate(def, initialState(), T0, ctx);
}
const enters = (effects: Effect[]) =>
  effects.flatMap((e) =>
    e.type === 'enter' ? [{ from: e.from, to: e.to, on: e.on, variant: e.variant, step: e.step }] : [],
  );

describe('branch and split nodes', () => {
  it('a branch enters the first branch that holds, then a split its variant, all at the entry instant', () => {
    const { state, effects } = run({ key: 'ada@acme.example', attributes: { employees: 250 } });
    // 60/40 for the worked example key (u = 0.599257) is A
    expect(enters(effects)).toEqual([
      { from: null, to: 'segment', on: null, variant: undefined, step: 1 },
      { from: 'segment', to: 'ab', on: 'branch', variant: undefined, step: 2 },
      { from: 'ab', to: 'a_end', on: 'split', variant: 'A', step: 3 },
    ]);
    expect(effects.every((e) => !('at' in e) || e.at.getTime() === T0.getTime())).toBe(true);
    expect(effects).toContainEqual({
      type: 'assign_variant',
      at: T0,
      node: 'ab',
      experiment: 'subject-q4',
      variant: 'A',
    });
    expect(state).toMatchObject({ status: 'completed', currentNodeId: 'a_end', step: 3 });
  });

  it('the activation trigger carries through the zero-time chain', () => {
    const { effects } = run({ key: 'k', attributes: { employees: 250 } });
    for (const e of effects) if (e.type === 'enter') expect(e.trigger).toEqual({ kind: 'activation' });
  });

  it('assign_variant comes before entering the variant target', () => {
    const { effects } = run({ key: 'ada@acme.example', attributes: { employees: 250 } });
    const assign = effects.findIndex((e) => e.type === 'assign_variant');
    const target = effects.findIndex((e) => e.type === 'enter' && e.to === 'a_end');
    expect(assign).toBeGreaterThan(-1);
    expect(assign).toBeLessThan(target);
  });

  it('a split without experiment hashes its node id', () => {
    const p: Plan = {
      ...plan,
      startNodeId: 'ab',
      nodes: plan.nodes.map((n) =>
        n.id === 'ab' && n.action === 'split' ? { ...n, experiment: undefined } : n,
      ),
    };
    const { effects } = run({ key: 'ada@acme.example', attributes: {} }, noHistory, p);
    expect(effects).toContainEqual(expect.objectContaining({ type: 'assign_variant', experiment: 'ab' }));
  });

  it('falls to the next branch, then to otherwise', () => {
    const engaged: EngineContext = { ...noHistory, engagements: [{ type: 'opened', nodeId: 'x' }] };
    expect(run({ key: 'k', attributes: { employees: 10 } }, engaged).state.currentNodeId).toBe('engaged_end');
    expect(run({ key: 'k', attributes: { employees: '250' } }).state.currentNodeId).toBe('smb_end');
    expect(run({ key: 'k', attributes: {} }).state.currentNodeId).toBe('smb_end');
  });

  it('a branch cycle with no exit is stopped by the chained-entry backstop', () => {
    const loop: Plan = {
      version: '1.1',
      timezone: 'UTC',
      startNodeId: 'b1',
      nodes: [
        { id: 'b1', action: 'branch', branches: [], otherwise: 'b2' },
        { id: 'b2', action: 'branch', branches: [], otherwise: 'b1' },
      ],
    };
    expect(() => run({ key: 'k', attributes: {} }, noHistory, loop)).toThrow(/zero-time cycle/);
  });
});
