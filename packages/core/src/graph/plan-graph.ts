import { nodeTransitions, type Plan, type PlanNode, type Transition } from '../plan/plan-schema.ts';

/** Mermaid labels are quoted strings; a double quote must be written as an entity. */
function label(text: string): string {
  return `"${text.replaceAll('"', '#quot;')}"`;
}

function shape(node: PlanNode, id: string): string {
  switch (node.action) {
    case 'send': {
      const delay = node.schedule?.delay;
      const detail = delay && delay !== 'PT0S' ? `send after ${delay}` : 'send';
      const what =
        node.channel === 'sms'
          ? `${detail} sms: ${node.text ?? ''}`
          : `${detail}: ${node.subject ?? 'Re: (thread)'}`;
      return `${id}[${label(`${node.id}<br/>${what}`)}]`;
    }
    case 'wait':
      return `${id}{{${label(`${node.id}<br/>wait`)}}}`;
    case 'end':
      return `${id}([${label(node.id)}])`;
    case 'branch':
      return `${id}{${label(`${node.id}<br/>branch`)}}`;
    case 'split': {
      const experiment = node.experiment ?? node.id;
      return `${id}[/${label(`${node.id}<br/>split: ${experiment}`)}/]`;
    }
  }
}

function edgeLabel(t: Transition): string {
  if (t.after !== undefined) return `${t.on} after ${t.after}`;
  if (t.within !== undefined) return `${t.on} within ${t.within}`;
  return t.on;
}

/** A node's outgoing edges as [target, label]. */
function edges(node: PlanNode): [string, string][] {
  switch (node.action) {
    case 'branch':
      return [
        ...node.branches.map((b, i): [string, string] => [b.to, `when #${i + 1}`]),
        [node.otherwise, 'otherwise'],
      ];
    case 'split':
      return node.variants.map((v): [string, string] => [v.to, `${v.id} (${v.weight})`]);
    default:
      return nodeTransitions(node).map((t): [string, string] => [t.to, edgeLabel(t)]);
  }
}

/**
 * The plan as a Mermaid flowchart: one shape per node (send: box, wait: hexagon, end: stadium), one
 * edge per transition labelled with its event and duration, and a start marker. Node ids are mapped to
 * `n0`, `n1`, ... so any id (spaces, dashes) is safe in Mermaid.
 */
export function planGraph(plan: Plan): string {
  const ids = new Map(plan.nodes.map((n, i) => [n.id, `n${i}`] as const));
  const lines = ['flowchart TD', '  start((start))'];
  for (const node of plan.nodes) lines.push(`  ${shape(node, ids.get(node.id) ?? '')}`);
  const startId = ids.get(plan.startNodeId);
  if (startId) lines.push(`  start --> ${startId}`);
  for (const node of plan.nodes) {
    for (const [target, text] of edges(node)) {
      const to = ids.get(target);
      if (to) lines.push(`  ${ids.get(node.id)} -- ${label(text)} --> ${to}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
