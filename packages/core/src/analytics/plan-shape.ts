import { createHash } from 'node:crypto';
import { nodeTargets, nodeTransitions, type Plan, type PlanNode } from '../plan/plan-schema.ts';

/*
 * Plan shapes (issue 14 item 4, DESIGN section 12): which machine-written flows work, whatever their
 * words. Two plans have the same shape when their graphs are the same once ids, texts (subjects, bodies,
 * conditions, experiment names) and durations (delays, `within`, `after`, weights) are left out.
 */

/** One node of the canonical form: [action, channel or null, [[on, target index], ...]]. */
type CanonicalNode = [string, string | null, [string, number][]];

/**
 * The edges of a node as (on, target id) pairs, in plan order: a send's or wait's transitions by their
 * `on`; a branch's branches as `branch` then its `otherwise`; a split's variants as `variant`.
 */
function edges(node: PlanNode): [string, string][] {
  switch (node.action) {
    case 'branch':
      return [...node.branches.map((b): [string, string] => ['branch', b.to]), ['otherwise', node.otherwise]];
    case 'split':
      return node.variants.map((v): [string, string] => ['variant', v.to]);
    default:
      return nodeTransitions(node).map((t): [string, string] => [t.on, t.to]);
  }
}

/**
 * The canonical form of a plan's graph: the nodes reachable from the start node in breadth-first order
 * (each node's targets visited in plan order, see `nodeTargets`), each as its action, its channel (a send
 * without one is `email`, its default; other nodes null) and its edges with targets as BFS indexes.
 * Unreachable nodes are left out: they never run. A target that names no node (an invalid plan) is -1.
 */
export function canonicalPlanShape(plan: Pick<Plan, 'startNodeId' | 'nodes'>): CanonicalNode[] {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const index = new Map<string, number>();
  const order: PlanNode[] = [];
  const visit = (id: string) => {
    const node = byId.get(id);
    if (!node || index.has(id)) return;
    index.set(id, order.length);
    order.push(node);
  };
  visit(plan.startNodeId);
  for (let i = 0; i < order.length; i++) {
    for (const target of nodeTargets(order[i] as PlanNode)) visit(target);
  }
  return order.map((node) => [
    node.action,
    node.action === 'send' ? (node.channel ?? 'email') : null,
    edges(node).map(([on, to]): [string, number] => [on, index.get(to) ?? -1]),
  ]);
}

/**
 * A plan's shape fingerprint: the SHA-256 (lowercase hex, 64 characters) of the JSON of
 * `canonicalPlanShape(plan)`. Invariant to node ids, texts and durations; changes with any action,
 * channel, transition event or target.
 */
export function planShape(plan: Pick<Plan, 'startNodeId' | 'nodes'>): string {
  return createHash('sha256')
    .update(JSON.stringify(canonicalPlanShape(plan)), 'utf8')
    .digest('hex');
}
