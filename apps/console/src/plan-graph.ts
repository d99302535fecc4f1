import dagre from '@dagrejs/dagre';

/*
 * The plan as a graph for the campaign page: one box per node, one arrow per way out (a transition's
 * event, a branch's case or `otherwise`, a split's variant), laid out top to bottom by dagre. The path
 * taken is read from the timeline's transition entries; the current node is the campaign's.
 */

export interface PlanNodeLike {
  id: string;
  action: string;
  subject?: string;
  transitions?: { on: string; to: string; within?: string }[];
  branches?: { to: string }[];
  otherwise?: string;
  variants?: { id: string; to: string }[];
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  taken: boolean;
}

export interface GraphNode {
  id: string;
  label: string;
  x: number;
  y: number;
  current: boolean;
  visited: boolean;
}

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 48;

/** Every way out of a node, in plan order, with its label. */
export function exits(node: PlanNodeLike): { to: string; label: string }[] {
  switch (node.action) {
    case 'branch':
      return [
        ...(node.branches ?? []).map((b, i) => ({ to: b.to, label: `case ${i + 1}` })),
        ...(node.otherwise ? [{ to: node.otherwise, label: 'otherwise' }] : []),
      ];
    case 'split':
      return (node.variants ?? []).map((v) => ({ to: v.to, label: `variant ${v.id}` }));
    default:
      return (node.transitions ?? []).map((t) => ({ to: t.to, label: t.on }));
  }
}

/** The moves the campaign made, in order: `from -> to` pairs from the timeline's transition entries. */
export function pathTaken(
  timeline: readonly { kind: string; from?: string; to?: string }[],
): [string, string][] {
  return timeline
    .filter((e) => e.kind === 'transition' && e.from !== undefined && e.to !== undefined)
    .map((e) => [e.from as string, e.to as string]);
}

export function planGraph(
  plan: { startNodeId: string; nodes: PlanNodeLike[] },
  timeline: readonly { kind: string; from?: string; to?: string; node?: string | null }[],
  currentNodeId: string | null,
): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const moves = pathTaken(timeline);
  const taken = new Set(moves.map(([from, to]) => `${from}\u0000${to}`));
  const visited = new Set<string>(moves.flat());
  for (const e of timeline) if (e.kind === 'enter' && e.node) visited.add(e.node);
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 60 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of plan.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  const edges: GraphEdge[] = [];
  const ids = new Set(plan.nodes.map((n) => n.id));
  for (const n of plan.nodes) {
    exits(n).forEach((exit, i) => {
      if (!ids.has(exit.to)) return;
      g.setEdge(n.id, exit.to);
      edges.push({
        id: `${n.id}->${exit.to}#${i}`,
        source: n.id,
        target: exit.to,
        label: exit.label,
        taken: taken.has(`${n.id}\u0000${exit.to}`),
      });
    });
  }
  dagre.layout(g);
  const nodes = plan.nodes.map((n) => {
    const at = g.node(n.id);
    return {
      id: n.id,
      label: `${n.id} (${n.action})${n.id === plan.startNodeId ? ' start' : ''}`,
      x: at.x - NODE_WIDTH / 2,
      y: at.y - NODE_HEIGHT / 2,
      current: n.id === currentNodeId,
      visited: visited.has(n.id),
    };
  });
  return { nodes, edges };
}
