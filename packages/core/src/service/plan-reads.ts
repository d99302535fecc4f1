import type { Condition, Plan } from '../plan/plan-schema.ts';

/** What a plan's decisions read besides the campaign's state and latest message. */
export interface PlanReads {
  /** A branch or split node: decisions read the contact (attributes, split key). */
  contact: boolean;
  /** An `engaged` condition: decisions read the campaign's genuine engagements. */
  engagements: boolean;
  /** An `event` condition: decisions read the contact's custom events (DESIGN section 14). */
  customEvents: boolean;
}

const cache = new WeakMap<Plan, PlanReads>();

/**
 * Whether the plan needs the contact, the campaign's engagements or the contact's custom events to decide, so a 1.0 plan (and a 1.1
 * plan without branches) costs no extra read. Memoized per plan object.
 */
export function planReads(plan: Plan): PlanReads {
  const known = cache.get(plan);
  if (known) return known;
  let contact = false;
  let engagements = false;
  let customEvents = false;
  for (const node of plan.nodes) {
    if (node.action === 'split') contact = true;
    if (node.action === 'branch') {
      contact = true;
      if (node.branches.some((b) => reads(b.when, 'engaged'))) engagements = true;
      if (node.branches.some((b) => reads(b.when, 'event'))) customEvents = true;
    }
  }
  const result = { contact, engagements, customEvents };
  cache.set(plan, result);
  return result;
}

/** Whether the condition has a leaf of that kind (`engaged` or `event`), however deeply combined. */
function reads(condition: Condition, leaf: 'engaged' | 'event'): boolean {
  if (leaf in condition) return true;
  if ('all' in condition) return condition.all.some((c) => reads(c, leaf));
  if ('any' in condition) return condition.any.some((c) => reads(c, leaf));
  if ('not' in condition) return reads(condition.not, leaf);
  return false;
}

/**
 * Whether every send of the plan is an SMS (and it has one): email suppression (an email unsubscribe or
 * complaint) does not concern it (DESIGN section 10).
 */
export function smsOnly(plan: Plan): boolean {
  const sends = plan.nodes.filter((node) => node.action === 'send');
  return sends.length > 0 && sends.every((node) => node.channel === 'sms');
}
