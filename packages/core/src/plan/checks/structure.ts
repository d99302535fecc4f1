import type { PlanFacts } from '../plan-facts.ts';
import type { ReportIssue } from '../plan-issues.ts';
import { ENGAGEMENT_EVENTS, isEngagementEvent, isTimeoutEvent, TIMEOUT_EVENTS } from '../plan-schema.ts';
import { capitalize, describeValue, quoteList } from '../raw-value.ts';

/*
 * The plan's structure: its version, the events it names (exitOn and each transition's "on"), node ids,
 * and the references between nodes (startNodeId and each transition's "to").
 */

export function checkStructure(facts: PlanFacts, report: ReportIssue): void {
  const { plan } = facts;
  if (plan === undefined) return;
  checkVersion(plan.version, report);
  checkExitOn(plan.exitOn, report);
  if (!facts.hasNodes) return;
  const idChoices = checkNodeIds(facts, report);
  for (const node of facts.nodes) {
    for (const transition of node.transitions) {
      checkTransitionEvent(transition.on, transition.path, transition.where, report);
      checkTransitionTarget(facts, transition.to, transition.path, transition.where, idChoices, report);
    }
    for (const choice of node.choices) {
      if (typeof choice.to !== 'string' || facts.indicesById.has(choice.to)) continue;
      report(
        choice.path,
        'unknown_target',
        `${choice.path} of ${node.label} names ${JSON.stringify(choice.to)}, which is no node; it must be the id of a node${idChoices}.`,
      );
    }
  }
}

function checkVersion(version: unknown, report: ReportIssue): void {
  // A missing version is a plain schema error, reported by the zod mapping.
  if (version === undefined || version === '1.0' || version === '1.1') return;
  report(
    '/version',
    'unsupported_version',
    `Plan version ${describeValue(version)} is not supported: this engine reads versions "1.0" and "1.1". Set "version": "1.1" (a string) to use send windows, holidays, expiry, branch, split or SMS, else "1.0".`,
  );
}

const ALL_EVENTS: readonly string[] = [...ENGAGEMENT_EVENTS, ...TIMEOUT_EVENTS];

/** `open` -> `opened`, `not_opened` -> `no_open`: the near misses an LLM writes. */
function suggestEvent(value: string, candidates: readonly string[]): string | undefined {
  const stem = (text: string): string =>
    text
      .toLowerCase()
      .replace(/[^a-z]/g, '')
      .replace(/^not/, 'no')
      .replace(/(ies|ied|ed|es|e|d|s|y)$/, '');
  const matches = candidates.filter((candidate) => stem(candidate) === stem(value));
  return matches.length === 1 ? matches[0] : undefined;
}

function checkExitOn(exitOn: unknown, report: ReportIssue): void {
  if (!Array.isArray(exitOn)) return;
  exitOn.forEach((event: unknown, k) => {
    if (isEngagementEvent(event)) return;
    const path = `/exitOn/${k}`;
    if (isTimeoutEvent(event)) {
      report(
        path,
        'unknown_event',
        `exitOn lists engagement events that stop the campaign; "${event}" is a timeout event and belongs in a transition with "after". Use only ${quoteList(ENGAGEMENT_EVENTS)}.`,
      );
      return;
    }
    const suggestion = typeof event === 'string' ? suggestEvent(event, ENGAGEMENT_EVENTS) : undefined;
    report(
      path,
      'unknown_event',
      `exitOn item ${describeValue(event)} is not an engagement event.${suggestion ? ` Did you mean "${suggestion}"?` : ''} Use only ${quoteList(ENGAGEMENT_EVENTS)}.`,
      suggestion !== undefined ? [{ op: 'replace', path, value: suggestion }] : undefined,
    );
  });
}

/**
 * Duplicate ids and an unknown startNodeId. Returns the ids a reference may name, as the end of a
 * sentence: ` (one of "a", "b")`.
 */
function checkNodeIds(facts: PlanFacts, report: ReportIssue): string {
  for (const [id, indices] of facts.indicesById) {
    const [first, ...duplicates] = indices;
    for (const index of duplicates) {
      report(
        `/nodes/${index}/id`,
        'duplicate_node_id',
        `Node id "${id}" is already used by /nodes/${first}; node ids must be unique. Rename this node and point the transitions meant for it at the new id.`,
      );
    }
  }
  const idChoices =
    facts.indicesById.size > 0
      ? ` (one of ${quoteList([...facts.indicesById.keys()])})`
      : ' (no node has a valid id yet)';
  const startNodeId = facts.plan?.startNodeId;
  if (typeof startNodeId === 'string' && !facts.indicesById.has(startNodeId)) {
    report(
      '/startNodeId',
      'unknown_start_node',
      `startNodeId ${JSON.stringify(startNodeId)} names no node; set it to the id of the node to run first${idChoices}.`,
    );
  }
  return idChoices;
}

function checkTransitionEvent(on: unknown, path: string, where: string, report: ReportIssue): void {
  if (on === undefined || isEngagementEvent(on) || isTimeoutEvent(on)) return;
  const suggestion = typeof on === 'string' ? suggestEvent(on, ALL_EVENTS) : undefined;
  report(
    `${path}/on`,
    'unknown_event',
    `The event ${describeValue(on)} of ${where} is not known.${suggestion ? ` Did you mean "${suggestion}"?` : ''} Use an engagement event (${ENGAGEMENT_EVENTS.join(', ')}) or a timeout event with "after" (${TIMEOUT_EVENTS.join(', ')}).`,
    suggestion !== undefined ? [{ op: 'replace', path: `${path}/on`, value: suggestion }] : undefined,
  );
}

function checkTransitionTarget(
  facts: PlanFacts,
  to: unknown,
  path: string,
  where: string,
  idChoices: string,
  report: ReportIssue,
): void {
  if (typeof to !== 'string' || facts.indicesById.has(to)) return;
  report(
    `${path}/to`,
    'unknown_target',
    `${capitalize(where)} goes to ${JSON.stringify(to)}, which names no node; "to" must be the id of a node${idChoices}.`,
  );
}
