import { durationCovers, isValidIsoDuration } from '@campaign/schedule-utils';
import { someTransitionCanStillFire } from '../../engine/engine.ts';
import { type PlanIssue, planIssue } from '../plan-issues.ts';
import {
  DEFAULT_EXIT_ON,
  type EngagementEvent,
  isTimeoutEvent,
  nodeTransitions,
  type Plan,
  SUPPRESSING_EVENTS,
  TIMEOUT_BROKEN_BY,
  type TimeoutEvent,
  type Transition,
} from '../plan-schema.ts';
import { capitalize, nodeLabel } from '../raw-value.ts';

const EVENT_NOUN: Readonly<Record<string, string>> = {
  opened: 'an open',
  clicked: 'a click',
  replied: 'a reply',
};

/**
 * DESIGN section 4 rule 6's warning `stranded_by_event`: a send or wait node where one genuine event of
 * its message skips a timeout (an open or a click skips `no_open`, a click `no_click`, a reply
 * `no_reply`), no transition takes the event, and then no transition can still fire, so the engine
 * completes the campaign with reason `no_path` when that timeout comes due.
 *
 * The event is supposed early enough to break every timeout it can break, and to match no transition
 * only when none is on it (see `takes`). Whether a transition can
 * still fire is decided by the engine's own rule (someTransitionCanStillFire, the one canStillFire uses),
 * with the facts this event implies: a timeout holds unless the event breaks it; a `within` window is
 * open at the skipped timeout's due time when it covers that timeout's `after` in every zone and on every
 * date. Events that end the campaign first (in `exitOn`, default `replied` and `bounced`; `unsubscribed`
 * and `complained` always) strand nothing. Reported once per node and event, at the first timeout the
 * event skips. Expects a plan that passed the schema; a node with an invalid duration is left to the
 * `invalid_duration` error.
 */
export function strandedByEventIssues(plan: Plan): PlanIssue[] {
  const exits = plan.exitOn ?? DEFAULT_EXIT_ON;
  const issues: PlanIssue[] = [];
  plan.nodes.forEach((node, index) => {
    const transitions = nodeTransitions(node);
    if (transitions.length === 0) return;
    if (!transitions.every(hasValidDurations)) return;
    const reported = new Set<EngagementEvent>();
    transitions.forEach((timeout, j) => {
      if (!isTimeoutEvent(timeout.on) || timeout.after === undefined) return;
      const after = timeout.after;
      const stranding = TIMEOUT_BROKEN_BY[timeout.on].filter(
        (event) =>
          !reported.has(event) &&
          !SUPPRESSING_EVENTS.includes(event) &&
          !exits.includes(event) &&
          !takes(transitions, event) &&
          !someTransitionCanStillFire(transitions, exits, {
            timeoutHolds: (other) => !TIMEOUT_BROKEN_BY[other].includes(event),
            windowOpen: (t) => t.within === undefined || durationCovers(t.within, after),
          }),
      );
      if (stranding.length === 0) return;
      for (const event of stranding) reported.add(event);
      issues.push(
        planIssue(
          `/nodes/${index}/transitions/${j}`,
          'stranded_by_event',
          strandedMessage(capitalize(nodeLabel(node.id, index)), timeout.on, stranding),
        ),
      );
    });
  });
  return issues;
}

function hasValidDurations(t: Transition): boolean {
  return [t.after, t.within].every((d) => d === undefined || isValidIsoDuration(d, { positive: true }));
}

/**
 * Whether a transition takes `event`: one on the event, or on `opened` for a click (a click implies an
 * open). Its `within` is not weighed: an event after a window shorter than its family's timeout is the
 * `window_gap` error's concern.
 */
function takes(transitions: readonly Transition[], event: EngagementEvent): boolean {
  const on: readonly string[] = event === 'clicked' ? ['clicked', 'opened'] : [event];
  return transitions.some((t) => on.includes(t.on));
}

function strandedMessage(label: string, timeout: TimeoutEvent, events: readonly EngagementEvent[]): string {
  const nouns = events.map((event) => EVENT_NOUN[event] ?? event).join(' or ');
  const [first] = events;
  const also = events.length > 1 ? ' (a click takes it too)' : '';
  return `${label}: ${nouns} of its message skips the "${timeout}" timeout and no other transition can fire then, so the campaign would complete with reason no_path and send nothing more. Add a transition on "${first}"${also}, or a timeout that ${nouns} does not cancel.`;
}
