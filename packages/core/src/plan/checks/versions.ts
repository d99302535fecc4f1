import type { PlanFacts } from '../plan-facts.ts';
import type { ReportIssue } from '../plan-issues.ts';
import { isRecord } from '../raw-value.ts';

/*
 * Version 1.1 fields in a 1.0 plan (DESIGN section 10): each use is a `schema` error at the field,
 * naming the version that enables it, so a plan never silently changes meaning with its version.
 */

export function checkVersionFields(facts: PlanFacts, report: ReportIssue): void {
  const { plan } = facts;
  if (plan === undefined || plan.version !== '1.0') return;
  const refuse = (path: string, what: string): void => {
    report(
      path,
      'schema',
      `${what} is a version 1.1 feature but this plan is version "1.0"; set "version": "1.1" to use ${what.replace(/^"([^"]+)".*$/, '$1')}.`,
    );
  };
  if (plan.sendWindow !== undefined) refuse('/sendWindow', '"sendWindow"');
  if (plan.holidays !== undefined) refuse('/holidays', '"holidays"');
  if (plan.goals !== undefined) refuse('/goals', '"goals"');
  for (const node of facts.nodes) {
    const raw = node.node;
    if (raw === undefined) continue;
    if (node.action === 'branch' || node.action === 'split') {
      refuse(`${node.path}/action`, `"${node.action}" (the action of ${node.label})`);
      continue;
    }
    if (raw.channel === 'sms') refuse(`${node.path}/channel`, `"sms" (the channel of ${node.label})`);
    for (const field of ['text', 'thread', 'sendWindow'] as const) {
      if (raw[field] !== undefined) refuse(`${node.path}/${field}`, `"${field}" (on ${node.label})`);
    }
    if (isRecord(raw.schedule) && raw.schedule.expireAfter !== undefined) {
      refuse(`${node.path}/schedule/expireAfter`, `"expireAfter" (in the schedule of ${node.label})`);
    }
  }
}
