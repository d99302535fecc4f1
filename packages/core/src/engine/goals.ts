import type {
  CampaignDefinition,
  CampaignState,
  CustomEvent,
  Decision,
  Effect,
  EventEffect,
  GoalReason,
} from './types.ts';

/*
 * Goals (DESIGN section 14): a custom event (not about a message; from the team's CRM or app) whose
 * name the plan lists in `goals` ends the campaign as converted.
 */

/** The stop reason of a goal reached by the custom event `name`. */
export function goalReason(name: string): GoalReason {
  return `goal:${name}`;
}

/**
 * A custom event, already recorded for the campaign's contact, reaches the campaign at `at`. When the
 * plan lists its name in `goals` and the campaign has not ended (pending, active or paused: a contact
 * who converted is not mailed after a resume either), every pending action is cancelled and the
 * campaign ends with status `completed` and reason `goal:<name>` (effect `exit`). Anything else changes
 * nothing (`ignored`): a name that is no goal of this plan, or a campaign that already ended.
 */
export function onCustomEvent(
  def: CampaignDefinition,
  state: CampaignState,
  event: CustomEvent,
  at: Date,
): Decision & { effect: EventEffect } {
  const open = state.status === 'pending' || state.status === 'active' || state.status === 'paused';
  if (!open || !(def.plan.goals ?? []).includes(event.name)) {
    return { state, effects: [], effect: 'ignored' };
  }
  const reason = goalReason(event.name);
  const effects: Effect[] = [{ type: 'cancel_pending' }, { type: 'end', at, status: 'completed', reason }];
  return {
    state: { ...state, status: 'completed', stopReason: reason, pausedAt: null },
    effects,
    effect: 'exit',
  };
}
