import { type PlanFacts, targetsOf } from '../plan-facts.ts';
import type { ReportIssue } from '../plan-issues.ts';
import { isEngagementEvent } from '../plan-schema.ts';
import { capitalize } from '../raw-value.ts';
import { stronglyConnectedComponents } from './strongly-connected-components.ts';

/*
 * The plan as a graph of nodes linked by transitions: cycles that take no time, and nodes no path
 * reaches.
 */

export function checkGraph(facts: PlanFacts, report: ReportIssue): void {
  if (!facts.hasNodes) return;
  checkZeroTimeCycles(facts, report);
  checkReachability(facts, report);
}

/**
 * Entering a wait node replays the events already recorded for its reference message, so an
 * engagement edge between wait nodes takes no time; a cycle made only of such edges can spin
 * forever. A send needs a new message and event, and a timeout edge waits a positive time.
 */
function checkZeroTimeCycles(facts: PlanFacts, report: ReportIssue): void {
  const { nodes } = facts;
  const successors = nodes.map((node) => {
    if (node.action !== 'wait') return [];
    const next = new Set<number>();
    for (const transition of node.transitions) {
      if (!isEngagementEvent(transition.on)) continue;
      for (const target of targetsOf(facts, transition.to)) {
        if (nodes[target]?.action === 'wait') next.add(target);
      }
    }
    return [...next];
  });
  for (const component of stronglyConnectedComponents(nodes.length, successors)) {
    const [first] = component;
    if (first === undefined) continue;
    const selfLoop = component.length === 1 && (successors[first] ?? []).includes(first);
    if (component.length < 2 && !selfLoop) continue;
    const names = component.map((index) => nodes[index]?.name ?? `/nodes/${index}`);
    const subject = selfLoop
      ? `Wait node ${names.join('')} has an engagement transition to itself`
      : `Wait nodes ${names.slice(0, -1).join(', ')} and ${names.at(-1)} form a cycle linked only by engagement transitions`;
    report(
      `/nodes/${first}`,
      'zero_time_cycle',
      `${subject}. Entering a wait node replays the events already recorded, so one event can drive the campaign around this cycle forever without time passing. Put a send node in the cycle, or leave through a timeout transition (no_open, no_click or no_reply with "after") instead.`,
    );
  }
}

function checkReachability(facts: PlanFacts, report: ReportIssue): void {
  const { nodes } = facts;
  const startNodeId = facts.plan?.startNodeId;
  const start = typeof startNodeId === 'string' ? facts.indicesById.get(startNodeId) : undefined;
  // Without a usable startNodeId, the first node is the likeliest intended start; measuring from it
  // still finds orphans, where skipping would hide them until the start is fixed.
  const firstNode = nodes.find((node) => node.node !== undefined);
  const roots = start ?? (firstNode ? [firstNode.index] : []);
  if (roots.length === 0) return;
  const origin =
    start !== undefined ? `startNodeId ${JSON.stringify(startNodeId)}` : `the first node, ${firstNode?.name}`;
  const note =
    start !== undefined
      ? ''
      : ' (startNodeId names no node, so reachability is measured from the first node.)';
  const reached = new Set<number>(roots);
  const queue = [...roots];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const transition of nodes[next]?.transitions ?? []) {
      for (const target of targetsOf(facts, transition.to)) {
        if (reached.has(target)) continue;
        reached.add(target);
        queue.push(target);
      }
    }
  }
  for (const node of nodes) {
    if (node.node === undefined || reached.has(node.index)) continue;
    report(
      node.path,
      'unreachable_node',
      `${capitalize(node.label)} is unreachable: no chain of transitions from ${origin} leads to it, so it never runs.${note} Point a transition at it, or remove it.`,
    );
  }
}
