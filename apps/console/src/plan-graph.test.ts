import { describe, expect, it } from 'vitest';
import { exits, NODE_HEIGHT, pathTaken, planGraph } from './plan-graph.ts';

const plan = {
  startNodeId: 'hello',
  nodes: [
    {
      id: 'hello',
      action: 'send',
      transitions: [
        { on: 'opened', to: 'done' },
        { on: 'no_open', to: 'pick' },
      ],
    },
    {
      id: 'pick',
      action: 'split',
      variants: [
        { id: 'a', to: 'done' },
        { id: 'b', to: 'check' },
      ],
    },
    { id: 'check', action: 'branch', branches: [{ to: 'done' }], otherwise: 'done' },
    { id: 'done', action: 'end' },
  ],
};

// The campaign went hello --no_open--> pick --variant b--> check and is at check now.
const timeline = [
  { kind: 'enter', node: 'hello' },
  { kind: 'send', node: 'hello' },
  { kind: 'transition', from: 'hello', to: 'pick' },
  { kind: 'transition', from: 'pick', to: 'check' },
];

describe('exits', () => {
  it('labels transitions by event, branch cases by number then otherwise, splits by variant', () => {
    expect(exits(plan.nodes[0] as never)).toEqual([
      { to: 'done', label: 'opened' },
      { to: 'pick', label: 'no_open' },
    ]);
    expect(exits(plan.nodes[1] as never)).toEqual([
      { to: 'done', label: 'variant a' },
      { to: 'check', label: 'variant b' },
    ]);
    expect(exits(plan.nodes[2] as never)).toEqual([
      { to: 'done', label: 'case 1' },
      { to: 'done', label: 'otherwise' },
    ]);
    expect(exits(plan.nodes[3] as never)).toEqual([]);
  });
});

describe('planGraph', () => {
  const graph = planGraph(plan, timeline, 'check');

  it('has one edge per way out, and marks exactly the moves taken', () => {
    expect(graph.edges.map((e) => `${e.source}->${e.target}:${e.label}:${e.taken}`)).toEqual([
      'hello->done:opened:false',
      'hello->pick:no_open:true',
      'pick->done:variant a:false',
      'pick->check:variant b:true',
      'check->done:case 1:false',
      'check->done:otherwise:false',
    ]);
    expect(new Set(graph.edges.map((e) => e.id)).size).toBe(6);
  });

  it('marks the current node and the nodes visited', () => {
    const flags = Object.fromEntries(graph.nodes.map((n) => [n.id, [n.current, n.visited]]));
    expect(flags).toEqual({
      hello: [false, true],
      pick: [false, true],
      check: [true, true],
      done: [false, false],
    });
    expect(graph.nodes.find((n) => n.id === 'hello')?.label).toBe('hello (send) start');
  });

  it('lays nodes top to bottom along every edge, without overlap', () => {
    const y = Object.fromEntries(graph.nodes.map((n) => [n.id, n.y]));
    for (const e of graph.edges) expect(y[e.target]).toBeGreaterThanOrEqual((y[e.source] ?? 0) + NODE_HEIGHT);
  });

  it('leaves out an edge to a node the plan does not have (a broken plan still draws)', () => {
    const broken = planGraph(
      {
        startNodeId: 'a',
        nodes: [{ id: 'a', action: 'send', transitions: [{ on: 'opened', to: 'nowhere' }] }],
      },
      [],
      null,
    );
    expect(broken.edges).toEqual([]);
    expect(broken.nodes.map((n) => [n.id, n.current, n.visited])).toEqual([['a', false, false]]);
  });
});

describe('pathTaken', () => {
  it('keeps the transitions in order and nothing else', () => {
    expect(pathTaken(timeline)).toEqual([
      ['hello', 'pick'],
      ['pick', 'check'],
    ]);
  });
});
