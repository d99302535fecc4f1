import type { Plan } from '../plan/plan-schema.ts';
import { timeoutsFromAnchor } from './entry.ts';
import { findNode, transitionsOf } from './nodes.ts';
import type { CampaignDefinition, CampaignState, Decision, Effect, PlannedAction } from './types.ts';
import { TERMINAL_STATUSES } from './types.ts';

/** Why a new plan version was refused (rule 9); nothing changes. */
export type PlanUpdateRefusalCode =
  /** The campaign is completed, stopped or cancelled (the service's InvalidCampaignStateError, 409 invalid_state). */
  | 'campaign_over'
  /** The new plan has no node with the current node's id (PlanUpdateConflictError, 409 plan_conflict). */
  | 'node_missing'
  /** The current node is in the new plan with another action (PlanUpdateConflictError, 409 plan_conflict). */
  | 'node_kind_changed';

export interface PlanUpdateRefusal {
  accepted: false;
  code: PlanUpdateRefusalCode;
  /** A sentence naming the node (or the status) that refuses the update. */
  reason: string;
}

export interface PlanUpdateAcceptance extends Decision {
  accepted: true;
  /** `plan_update` first, then the recomputed timeouts' `schedule` (or rule 4's completion). */
  effects: Effect[];
  /** The new definition: the new plan, in its own zone or else the campaign's. */
  definition: CampaignDefinition;
  version: number;
  /** Where the campaign continues (its current node); null before activation. */
  node: string | null;
  /** The timeouts it schedules, recomputed from the node's original anchor (also in `effects`). */
  timeouts: PlannedAction[];
}

export type PlanUpdateDecision = PlanUpdateAcceptance | PlanUpdateRefusal;

/**
 * Rule 9: plan version `version` (a validated `plan`) replaces `def` at `at` for a campaign in `state`.
 *
 * Refused (nothing changes) when the campaign is over, when the new plan has no node with the current
 * node's id, or when that node's action differs (a send node cannot become a wait node under a campaign
 * standing on it). Accepted otherwise: the campaign stays at its node, at the same step, and its pending
 * timeouts are recomputed from the node's original anchor (`state.anchorAt`: the send time of a send node,
 * the entry time of a wait node), not from `at`; a pending send keeps its time. A send node that has
 * sent and has no transitions in the new plan completes the campaign (rule 4), as if it had just sent.
 * The new definition's zone is the plan's, else the campaign's current one.
 */
export function decidePlanUpdate(
  def: CampaignDefinition,
  state: CampaignState,
  plan: Plan,
  version: number,
  at: Date,
): PlanUpdateDecision {
  if (TERMINAL_STATUSES.includes(state.status)) {
    return {
      accepted: false,
      code: 'campaign_over',
      reason: `cannot update the plan of a campaign that is ${state.status}`,
    };
  }
  const current = state.currentNodeId;
  const replacement = current === null ? undefined : plan.nodes.find((n) => n.id === current);
  if (current !== null && !replacement) {
    return {
      accepted: false,
      code: 'node_missing',
      reason: `the new plan has no node "${current}", where the campaign is now`,
    };
  }
  if (current !== null && replacement) {
    const was = findNode(def, current).action;
    if (replacement.action !== was) {
      return {
        accepted: false,
        code: 'node_kind_changed',
        reason: `node "${current}", where the campaign is now, is a ${was} node; the new plan makes it a ${replacement.action} node`,
      };
    }
  }
  const definition: CampaignDefinition = { plan, timezone: plan.timezone ?? def.timezone };
  const effects: Effect[] = [{ type: 'plan_update', at, version, definition, node: current }];
  const accepted = { accepted: true as const, definition, version, node: current };
  if (replacement?.action === 'send' && state.anchorAt !== null && transitionsOf(replacement).length === 0) {
    effects.push({ type: 'cancel_pending' }, { type: 'end', at, status: 'completed', reason: null });
    return { ...accepted, state: { ...state, status: 'completed' }, effects, timeouts: [] };
  }
  const timeouts = timeoutsFromAnchor(definition, state);
  for (const action of timeouts) effects.push({ type: 'schedule', action });
  return { ...accepted, state, effects, timeouts };
}
