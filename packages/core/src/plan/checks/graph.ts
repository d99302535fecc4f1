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
  const components = stronglyConnectedComponents(nodes.length, successors);
  const cyclic = components.some(
    (c) => c.length > 1 || (c[0] !== undefined && (successors[c[0]] ?? []).includes(c[0])),
  );
  // Version 1.1 only: a 1.0 plan means what it meant (its long wait chains, if any, are its own).
  if (!cyclic && facts.plan?.version === '1.1') checkZeroTimeChains(facts, successors, zeroTimeNode, report);
  for (const component of components) {
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

/**
 * The most zero-time nodes one entry may pass through at one instant (the engine refuses more than 256
 * entries in one decision as a runaway; this leaves room for the entries that lead in).
 */
export const MAX_ZERO_TIME_CHAIN = 100;

/**
 * Without cycles, the longest path of zero-time moves (branch and split choices, engagement edges of
 * wait nodes) is what one entry may chain through at one instant: longer than MAX_ZERO_TIME_CHAIN is
 * `zero_time_chain`, reported at the chain's first node. Iterative, so any number of nodes is safe.
 */
function checkZeroTimeChains(
  facts: PlanFacts,
  successors: readonly number[][],
  zeroTimeNode: (index: number) => boolean,
  report: ReportIssue,
): void {
  const longest = new Array<number>(successors.length).fill(0);
  const done = new Array<boolean>(successors.length).fill(false);
  for (let root = 0; root < successors.length; root++) {
    if (done[root] || !zeroTimeNode(root)) continue;
    const stack: { node: number; expanded: boolean }[] = [{ node: root, expanded: false }];
    while (stack.length > 0) {
      const item = stack.pop() as { node: number; expanded: boolean };
      if (done[item.node]) continue;
      const next = successors[item.node] ?? [];
      if (!item.expanded) {
        stack.push({ node: item.node, expanded: true });
        for (const target of next) if (!done[target]) stack.push({ node: target, expanded: false });
        continue;
      }
      longest[item.node] = 1 + next.reduce((most, target) => Math.max(most, longest[target] ?? 0), 0);
      done[item.node] = true;
    }
  }
  const length = longest.reduce((most, value) => Math.max(most, value), 0);
  if (length <= MAX_ZERO_TIME_CHAIN) return;
  const first = longest.indexOf(length);
  const name = facts.nodes[first]?.name ?? `/nodes/${first}`;
  report(
    `/nodes/${first}`,
    'zero_time_chain',
    `From node ${name}, ${length} zero-time nodes (branch and split nodes, wait nodes moved on by engagement transitions) follow one another with no time passing; at most ${MAX_ZERO_TIME_CHAIN} may. Merge branch conditions into fewer nodes (a branch tries its branches in order, and "all"/"any" combine conditions), or put a send or a timeout between them.`,
  );
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
