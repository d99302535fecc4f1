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
 * engagement edge from a wait node takes no time; so does every move of a branch or split node
 * (version 1.1). A cycle made only of such moves can spin forever. A send needs a new message and
 * event, and a timeout edge waits a positive time, so a cycle through either is fine.
 */
function checkZeroTimeCycles(facts: PlanFacts, report: ReportIssue): void {
  const { nodes } = facts;
  const zeroTimeNode = (index: number): boolean => {
    const action = nodes[index]?.action;
    return action === 'wait' || action === 'branch' || action === 'split';
  };
  const successors = nodes.map((node) => {
    const next = new Set<number>();
    const targets =
      node.action === 'wait'
        ? node.transitions.filter((transition) => isEngagementEvent(transition.on)).map((t) => t.to)
        : node.action === 'branch' || node.action === 'split'
          ? node.choices.map((choice) => choice.to)
          : [];
    for (const to of targets) {
      for (const target of targetsOf(facts, to)) if (zeroTimeNode(target)) next.add(target);
    }
    return [...next];
  });
  for (const component of stronglyConnectedComponents(nodes.length, successors)) {
    const [first] = component;
    if (first === undefined) continue;
    const selfLoop = component.length === 1 && (successors[first] ?? []).includes(first);
    if (component.length < 2 && !selfLoop) continue;
    const names = component.map((index) => nodes[index]?.name ?? `/nodes/${index}`);
    const onlyWaits = component.every((index) => nodes[index]?.action === 'wait');
    let subject: string;
    if (onlyWaits) {
      subject = selfLoop
        ? `Wait node ${names.join('')} has an engagement transition to itself`
        : `Wait nodes ${names.slice(0, -1).join(', ')} and ${names.at(-1)} form a cycle linked only by engagement transitions`;
    } else {
      subject = selfLoop
        ? `Node ${names.join('')} leads straight back to itself`
        : `Nodes ${names.slice(0, -1).join(', ')} and ${names.at(-1)} form a cycle of zero-time moves (branch and split choices, engagement transitions of wait nodes)`;
    }
    const replay = onlyWaits
      ? 'Entering a wait node replays the events already recorded'
      : 'Branch and split nodes move on at once and entering a wait node replays the events already recorded';
    report(
      `/nodes/${first}`,
      'zero_time_cycle',
      `${subject}. ${replay}, so one event can drive the campaign around this cycle forever without time passing. Put a send node in the cycle, or leave through a timeout transition (no_open, no_click or no_reply with "after") instead.`,
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
    const node = nodes[next];
    const targets = [...(node?.transitions ?? []), ...(node?.choices ?? [])].map((edge) => edge.to);
    for (const to of targets) {
      for (const target of targetsOf(facts, to)) {
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
