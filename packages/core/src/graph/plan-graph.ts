import { nodeTransitions, type Plan, type PlanNode, type Transition } from '../plan/plan-schema.ts';

/**
 * Text from the plan (ids, subjects, SMS texts) as Mermaid reads it literally: Mermaid renders a label
 * as HTML and decodes its own `#code;` entities, so a subject holding `<b>` or `#1;` would be markup.
 * `#` goes first (every other escape writes one); `&`, `<`, `>`, quotes and the backtick (a markdown
 * string) become numeric entities, which Mermaid turns back into those characters as text.
 */
export function mermaidText(text: string): string {
  return text
    .replaceAll('#', '#35;')
    .replaceAll('&', '#38;')
    .replaceAll('<', '#60;')
    .replaceAll('>', '#62;')
    .replaceAll('"', '#quot;')
    .replaceAll('`', '#96;');
}

/** A quoted Mermaid label; `text` is already escaped (it may hold our own `<br/>`). */
function label(text: string): string {
  return `"${text}"`;
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
      return `${id}[${label(`${mermaidText(node.id)}<br/>${mermaidText(what)}`)}]`;
    }
    case 'wait':
      return `${id}{{${label(`${mermaidText(node.id)}<br/>wait`)}}}`;
    case 'end':
      return `${id}([${label(mermaidText(node.id))}])`;
    case 'branch':
      return `${id}{${label(`${mermaidText(node.id)}<br/>branch`)}}`;
    case 'split': {
      const experiment = node.experiment ?? node.id;
      return `${id}[/${label(`${mermaidText(node.id)}<br/>split: ${mermaidText(experiment)}`)}/]`;
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
      if (to) lines.push(`  ${ids.get(node.id)} -- ${label(mermaidText(text))} --> ${to}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
