import { GOAL_NAME_PATTERN } from '../condition-schema.ts';
import type { PlanFacts } from '../plan-facts.ts';
import type { ReportIssue } from '../plan-issues.ts';
import { describeValue } from '../raw-value.ts';

/*
 * A plan's `goals` (DESIGN section 14): custom event names that stop the campaign as converted. This
 * check is the only judge of `goals`: the validator drops the generic `schema` issues under it when
 * one is reported here. A 1.0 plan with goals is refused by checkVersionFields.
 */

const GOAL_NAME = new RegExp(GOAL_NAME_PATTERN);

/** What a goal or custom event name may be, in words (shared by the `event` condition's check). */
export const GOAL_NAME_RULE =
  'a letter or digit, then up to 99 letters, digits, "_", "-", "." or ":" (such as "signed_up" or "crm:closed_won")';

/** Whether `value` is a well-formed custom event name. */
export function isGoalName(value: unknown): value is string {
  return typeof value === 'string' && GOAL_NAME.test(value);
}

export function checkGoals(facts: PlanFacts, report: ReportIssue): void {
  const goals = facts.plan?.goals;
  if (goals === undefined) return;
  if (!Array.isArray(goals)) {
    report(
      '/goals',
      'invalid_goal',
      `"goals" must be an array of custom event names, such as ["signed_up", "demo_booked"]; got ${describeValue(goals)}.`,
    );
    return;
  }
  const seen = new Map<string, number>();
  goals.forEach((goal: unknown, k) => {
    const path = `/goals/${k}`;
    if (!isGoalName(goal)) {
      report(
        path,
        'invalid_goal',
        `Goal ${path} must be a custom event name: ${GOAL_NAME_RULE}; got ${describeValue(goal)}.`,
      );
      return;
    }
    const first = seen.get(goal);
    if (first !== undefined) {
      report(
        path,
        'invalid_goal',
        `Goal ${JSON.stringify(goal)} at ${path} is already listed at /goals/${first}; list each goal once.`,
        [{ op: 'remove', path }],
      );
      return;
    }
    seen.set(goal, k);
  });
}
