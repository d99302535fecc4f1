import { holidayCalendar, nextAllowedInstant, type SendRules } from '@campaign/schedule-utils';
import { type PlanIssue, planIssue } from '../plan-issues.ts';
import type { Plan } from '../plan-schema.ts';

/** How far ahead an allowed instant must exist (DESIGN section 10). */
const HORIZON_DAYS = 366;

/**
 * The activation-time check `no_send_time` (DESIGN section 10): for every send node, whether any
 * instant within 366 days after `from` is allowed under its rules (its send window, else the plan's;
 * the plan's quiet hours and holidays; its channel's legal hours) in `zone`. One issue per send node
 * that could never go. The plan must be valid (its windows and holidays already checked).
 */
export function sendTimeIssues(plan: Plan, zone: string, from: Date): PlanIssue[] {
  const holidays = plan.holidays !== undefined ? holidayCalendar(plan.holidays) : undefined;
  const issues: PlanIssue[] = [];
  plan.nodes.forEach((node, index) => {
    if (node.action !== 'send') return;
    const sendWindow = node.sendWindow ?? plan.sendWindow;
    const rules: SendRules = {
      zone,
      quietHours: plan.quietHours,
      sendWindow,
      holidays,
      channel: node.channel ?? 'email',
    };
    if (nextAllowedInstant(from, rules) !== null) return;
    const limits = [
      plan.quietHours ? `quiet hours ${plan.quietHours.start}-${plan.quietHours.end}` : undefined,
      sendWindow
        ? `the send window ${sendWindow.days.join(',')} ${sendWindow.start}-${sendWindow.end}${node.sendWindow ? " (the node's own)" : ''}`
        : undefined,
      plan.holidays ? 'the holidays' : undefined,
      node.channel === 'sms' ? 'the SMS legal hours 08:00-21:00' : undefined,
    ].filter((limit) => limit !== undefined);
    issues.push(
      planIssue(
        `/nodes/${index}`,
        'no_send_time',
        `Send node ${JSON.stringify(node.id)} can never go: no instant within ${HORIZON_DAYS} days after ${from.toISOString()} is allowed in ${zone} by ${limits.join(', ') || 'its rules'}. Widen the send window or move it so it overlaps the hours left open.`,
      ),
    );
  });
  return issues;
}
