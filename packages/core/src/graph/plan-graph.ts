import type { Plan, PlanNode, Transition } from '../plan/plan-schema.ts';

/** Mermaid labels are quoted strings; a double quote must be written as an entity. */
function label(text: string): string {
  return `"${text.replaceAll('"', '#quot;')}"`;
}

function shape(node: PlanNode, id: string): string {
  switch (node.action) {
    case 'send': {
      const delay = node.schedule?.delay;
      const detail = delay && delay !== 'PT0S' ? `send after ${delay}` : 'send';
      return `${id}[${label(`${node.id}<br/>${detail}: ${node.subject}`)}]`;
    }
    case 'wait':
      return `${id}{{${label(`${node.id}<br/>wait`)}}}`;
    case 'end':
      return `${id}([${label(node.id)}])`;
  }
}

function edgeLabel(t: Transition): string {
  if (t.after !== undefined) return `${t.on} after ${t.after}`;
  if (t.within !== undefined) return `${t.on} within ${t.within}`;
  return t.on;
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
    if (node.action === 'end') continue;
    for (const t of node.transitions ?? []) {
      const to = ids.get(t.to);
      if (to) lines.push(`  ${ids.get(node.id)} -- ${label(edgeLabel(t))} --> ${to}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
