import {
  durationCovers,
  fractionalCalendarProblem,
  isValidIsoDuration,
  isWithinMaxDuration,
  MAX_DURATION_DAYS,
  nominalDurationMs,
} from '@campaign/schedule-utils';
import type { NodeFacts, PlanFacts, TransitionFacts } from '../plan-facts.ts';
import type { ReportIssue } from '../plan-issues.ts';
import {
  familyTimeout,
  isEngagementEvent,
  isTimeoutEvent,
  TIMEOUT_EVENTS,
  type TimeoutEvent,
} from '../plan-schema.ts';
import { capitalize, describeValue, isRecord } from '../raw-value.ts';
import { obviousDuration } from '../repair/obvious-values.ts';

/*
 * Durations and timeouts: every duration (a send's delay, a transition's after and within), which
 * events take which (after on a timeout, within on an engagement), a node that could wait forever, and
 * an engagement window that closes before its family's timeout fires (window_gap).
 */

/** A valid duration as written, with its nominal length in milliseconds. */
interface Duration {
  text: string;
  ms: number;
}

/** A transition with the durations that passed the check. */
interface TimedTransition {
  facts: TransitionFacts;
  after: Duration | undefined;
  within: Duration | undefined;
}

const DURATION_EXAMPLES = 'such as PT72H (72 elapsed hours), P3D (3 calendar days) or PT30M';
const TIMEOUT_EXAMPLE = '{"on": "no_open", "to": "<node id>", "after": "P3D"}';

export function checkTimeouts(facts: PlanFacts, report: ReportIssue): void {
  for (const node of facts.nodes) {
    if (node.node === undefined) continue;
    const timed = node.transitions.map((transition) => checkTransition(transition, report));
    checkSchedule(node, report);
    checkWaitForever(node, report);
    checkWindowGaps(node, timed, report);
  }
}

function checkTransition(transition: TransitionFacts, report: ReportIssue): TimedTransition {
  const { path, where, on, to, after, within } = transition;
  if (isTimeoutEvent(on)) {
    if (after === undefined) {
      report(
        path,
        'timeout_without_after',
        `${capitalize(where)} is the timeout event "${on}" but has no "after", so it would never fire. Add "after" with a positive ISO 8601 duration, e.g. {"on": "${on}", "to": ${JSON.stringify(typeof to === 'string' ? to : '<node id>')}, "after": "P3D"}.`,
      );
    }
    if (within !== undefined) {
      report(
        `${path}/within`,
        'within_on_timeout',
        `"within" bounds engagement events only, but ${where} is the timeout event "${on}", which fires "after" a duration instead. Remove "within"${after === undefined ? ', or rename it to "after"' : ''}.`,
      );
    }
  }
  if (isEngagementEvent(on) && after !== undefined) {
    const family = familyTimeout(on);
    const alternative = family
      ? ` For a timeout when "${on}" does not happen, use {"on": "${family}", "after": ...}.`
      : '';
    report(
      `${path}/after`,
      'within_on_timeout',
      `"after" sets when a timeout event (${TIMEOUT_EVENTS.join(', ')}) fires, but ${where} is the engagement event "${on}", which takes "within" to bound the time it counts in.${alternative}`,
    );
  }
  return {
    facts: transition,
    after:
      after === undefined
        ? undefined
        : checkDuration(
            after,
            `${path}/after`,
            `"after" of ${where}`,
            'a timeout must fire some time after the node starts waiting.',
            report,
          ),
    within:
      within === undefined
        ? undefined
        : checkDuration(
            within,
            `${path}/within`,
            `"within" of ${where}`,
            'an empty window would never let the event count.',
            report,
          ),
  };
}

function checkSchedule(node: NodeFacts, report: ReportIssue): void {
  const schedule = node.node?.schedule;
  if (!isRecord(schedule) || schedule.delay === undefined) return;
  checkDuration(
    schedule.delay,
    `${node.path}/schedule/delay`,
    `schedule.delay of ${node.label}`,
    undefined,
    report,
  );
}

/**
 * Validates a duration; returns it when valid. Zero is refused when `zeroProblem` (why zero makes no
 * sense) is given: for after and within, not for a send delay. An invalid one written as a person
 * would ("3 days", "72h", "P0.5D") carries the ISO duration it means as its fix, when that passes.
 */
function checkDuration(
  value: unknown,
  path: string,
  label: string,
  zeroProblem: string | undefined,
  report: ReportIssue,
): Duration | undefined {
  const problem = durationProblem(value, label, zeroProblem);
  if (problem === undefined) return { text: value as string, ms: nominalDurationMs(value as string) };
  const meant = obviousDuration(value);
  const fix =
    meant !== undefined && durationProblem(meant, label, zeroProblem) === undefined
      ? [{ op: 'replace' as const, path, value: meant }]
      : undefined;
  const hint = fix !== undefined && !problem.includes(`: ${meant}`) ? ` Did you mean "${meant}"?` : '';
  report(path, 'invalid_duration', `${problem}${hint}`, fix);
  return undefined;
}

/** Why `value` is not a duration this field accepts, as a sentence; undefined when it is. */
function durationProblem(value: unknown, label: string, zeroProblem: string | undefined): string | undefined {
  const expectation =
    zeroProblem === undefined ? 'an ISO 8601 duration of zero or more' : 'a positive ISO 8601 duration';
  if (typeof value !== 'string') {
    return `${label} must be ${expectation} written as a string, ${DURATION_EXAMPLES}; got ${describeValue(value)}.`;
  }
  const fraction = fractionalCalendarProblem(value);
  if (fraction !== undefined) return `${label} is ${JSON.stringify(value)}: ${fraction}.`;
  if (!isValidIsoDuration(value)) {
    // parseIsoDuration refuses every '-', so a minus sign means a negative duration was meant.
    const problem = value.includes('-') ? 'negative' : 'not an ISO 8601 duration';
    return `${label} is ${JSON.stringify(value)}, which is ${problem}; write ${expectation} ${DURATION_EXAMPLES}.`;
  }
  if (zeroProblem !== undefined && !isValidIsoDuration(value, { positive: true })) {
    return `${label} is ${JSON.stringify(value)}, which is zero: ${zeroProblem} Write ${expectation} ${DURATION_EXAMPLES}.`;
  }
  if (!isWithinMaxDuration(value)) {
    // Nothing in a campaign needs longer, and a far larger one cannot be scheduled at all.
    return `${label} is ${describeValue(value)}, which is longer than the limit: every duration in a plan must be at most ${MAX_DURATION_DAYS} days; P1Y counts as 366 days, P1M as 31, P1W as 7 and P1D as 24 hours. Write a shorter one such as P30D, P6M or PT72H.`;
  }
  return undefined;
}

function checkWaitForever(node: NodeFacts, report: ReportIssue): void {
  const { action, transitions, label, path } = node;
  const waits = action === 'wait' || (action === 'send' && transitions.length > 0);
  // A timeout without `after` still counts: that defect is reported as timeout_without_after.
  if (!waits || transitions.some((transition) => isTimeoutEvent(transition.on))) return;
  if (action === 'wait') {
    report(
      path,
      'wait_forever',
      `Wait ${label} has no timeout transition, so a contact who never engages keeps the campaign waiting forever. Add a timeout transition (no_open, no_click or no_reply with "after"), e.g. ${TIMEOUT_EXAMPLE}.`,
    );
    return;
  }
  report(
    path,
    'wait_forever',
    `Send ${label} has transitions but no timeout transition, so if none of its events happens the campaign waits forever. Add a timeout transition such as ${TIMEOUT_EXAMPLE}, or remove all transitions so the campaign completes after this send.`,
  );
}

/** The family timeout of the node with the shortest valid `after`: the one that leaves the node. */
function earliestTimeout(timed: readonly TimedTransition[], family: TimeoutEvent): Duration | undefined {
  let earliest: Duration | undefined;
  for (const { facts, after } of timed) {
    if (facts.on !== family || after === undefined) continue;
    if (earliest === undefined || after.ms < earliest.ms) earliest = after;
  }
  return earliest;
}

function checkWindowGaps(node: NodeFacts, timed: readonly TimedTransition[], report: ReportIssue): void {
  for (const { facts, within } of timed) {
    const { on } = facts;
    if (!isEngagementEvent(on) || within === undefined) continue;
    const family = familyTimeout(on);
    if (family === undefined) continue;
    const earliest = earliestTimeout(timed, family);
    // Compared in real time, not nominally: P1D is 23 h on a spring-forward day and PT24H is not.
    if (earliest === undefined || durationCovers(within.text, earliest.text)) continue;
    report(
      `${facts.path}/within`,
      'window_gap',
      `In ${node.label}, "${on}" counts only within ${within.text} but the "${family}" timeout fires after ${earliest.text}: an event "${on}" arriving between the two matches neither transition and strands the campaign. Make "within" at least ${earliest.text}, or remove "within" so the event counts until the timeout.`,
    );
  }
}
