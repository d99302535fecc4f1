import { type PlanFacts, targetsOf } from '../plan-facts.ts';
import type { ReportIssue } from '../plan-issues.ts';
import { isSmsNode } from './channels.ts';

/*
 * Threaded follow-ups (DESIGN section 10): an email step with "thread": true takes "Re: " + the
 * subject of the campaign's latest email, so it may omit its subject only when every path from the
 * start to it sends an email first. With no earlier email, `thread` is ignored and it needs a subject.
 */

export function checkThreads(facts: PlanFacts, report: ReportIssue): void {
  const threaded = facts.nodes.filter(
    (node) =>
      node.action === 'send' &&
      !isSmsNode(node) &&
      node.node?.thread === true &&
      node.node.subject === undefined,
  );
  if (threaded.length === 0) return;
  const startNodeId = facts.plan?.startNodeId;
  const starts = typeof startNodeId === 'string' ? (facts.indicesById.get(startNodeId) ?? []) : [];
  const emailless = nodesReachedWithoutEmail(facts, starts);
  for (const node of threaded) {
    if (!emailless.has(node.index)) continue;
    report(
      `${node.path}/subject`,
      'missing_content',
      `Email ${node.label} has "thread": true and no subject, but some path from the start reaches it before any email is sent, and with no earlier email there is no thread to follow, so it needs its own subject. Add a "subject", e.g. "Quick question, {{name|there}}".`,
    );
  }
}

/**
 * The nodes some path from a start node enters before any email send has run: a search over
 * (node, an email was sent on the way) states, which also handles cycles.
 */
function nodesReachedWithoutEmail(facts: PlanFacts, starts: readonly number[]): Set<number> {
  const reached = new Set<number>(starts);
  const queue = [...starts];
  for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
    const node = facts.nodes[index];
    // Past an email send, every later node has an earlier email on this path.
    if (node === undefined || (node.action === 'send' && !isSmsNode(node))) continue;
    for (const edge of [...node.transitions, ...node.choices]) {
      for (const target of targetsOf(facts, edge.to)) {
        if (reached.has(target)) continue;
        reached.add(target);
        queue.push(target);
      }
    }
  }
  return reached;
}
