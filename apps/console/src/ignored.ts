import type { PlanNodeLike } from './plan-graph.ts';

/*
 * Why an event the campaign recorded did nothing (timeline `effect: 'ignored'`). The engine records only
 * that it was ignored; the reason is read back from the timeline and the plan: where the campaign was
 * when the event came, and what that node waits for.
 */

export interface EntryLike {
  at: string;
  kind: string;
  node?: string | null;
  to?: string;
  type?: string;
  message?: string | null;
  effect?: string;
}

export function ignoredReason(
  entries: readonly EntryLike[],
  index: number,
  plan: { nodes: PlanNodeLike[] },
): string {
  const event = entries[index];
  if (event?.kind !== 'event' || event.effect !== 'ignored') return '';
  let node: string | null = null;
  let state: 'active' | 'paused' | 'ended' = 'active';
  for (const e of entries.slice(0, index)) {
    if (e.kind === 'enter' && e.node) node = e.node;
    else if (e.kind === 'transition' && e.to) node = e.to;
    else if (e.kind === 'pause') state = 'paused';
    else if (e.kind === 'resume') state = 'active';
    else if (e.kind === 'end' || e.kind === 'cancel') state = 'ended';
  }
  if (state === 'ended') return 'the campaign had already ended';
  if (state === 'paused') return 'the campaign was paused';
  if (node === null) return 'the campaign had not started yet';
  const current = plan.nodes.find((n) => n.id === node);
  const waits = (current?.transitions ?? []).filter((t) => t.on === event.type);
  if (waits.length === 0) return `node ${node} has no transition on ${event.type}`;
  const sentHere = entries
    .slice(0, index)
    .some((e) => e.kind === 'send' && e.node === node && e.message === event.message);
  if (!sentHere) return `it is not about the message node ${node} sent`;
  if (waits.every((t) => t.within !== undefined))
    return `node ${node} takes ${event.type} only within ${waits.map((t) => t.within).join(' / ')}, which had passed`;
  return `a repeat: node ${node} had already counted this ${event.type}`;
}
