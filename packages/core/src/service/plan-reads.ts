import type { Condition, Plan } from '../plan/plan-schema.ts';

/** What a plan's decisions read besides the campaign's state and latest message. */
export interface PlanReads {
  /** A branch or split node: decisions read the contact (attributes, split key). */
  contact: boolean;
  /** An `engaged` condition: decisions read the campaign's genuine engagements. */
  engagements: boolean;
}

const cache = new WeakMap<Plan, PlanReads>();

/**
 * Whether the plan needs the contact or the campaign's engagements to decide, so a 1.0 plan (and a 1.1
 * plan without branches) costs no extra read. Memoized per plan object.
 */
export function planReads(plan: Plan): PlanReads {
  const known = cache.get(plan);
  if (known) return known;
  let contact = false;
  let engagements = false;
  for (const node of plan.nodes) {
    if (node.action === 'split') contact = true;
    if (node.action === 'branch') {
      contact = true;
      if (node.branches.some((b) => readsEngagements(b.when))) engagements = true;
    }
  }
  const reads = { contact, engagements };
  cache.set(plan, reads);
  return reads;
}

function readsEngagements(condition: Condition): boolean {
  if ('engaged' in condition) return true;
  if ('all' in condition) return condition.all.some(readsEngagements);
  if ('any' in condition) return condition.any.some(readsEngagements);
  if ('not' in condition) return readsEngagements(condition.not);
  return false;
}
