import { type EngagementEvent, SUPPRESSING_EVENTS } from '../plan/plan-schema.ts';
import { enterNode } from './entry.ts';
import { isGenuine, matchTransition } from './matching.ts';
import { exitEvents } from './nodes.ts';
import type {
  CampaignDefinition,
  CampaignState,
  Decision,
  Effect,
  EngineContext,
  EventEffect,
  RecordedEvent,
} from './types.ts';

/* Rule 5: an engagement event reaches the campaign. */

function stop(state: CampaignState, at: Date, reason: EngagementEvent, effects: Effect[]): CampaignState {
  effects.push({ type: 'cancel_pending' }, { type: 'end', at, status: 'stopped', reason });
  if (SUPPRESSING_EVENTS.includes(reason)) effects.push({ type: 'suppress_contact', at, reason });
  return { ...state, status: 'stopped', stopReason: reason, pausedAt: null };
}

/**
 * Rule 5: an engagement event, already recorded, reaches the campaign at `at`.
 *
 * - Unsubscribes and complaints stop the campaign whatever its status (pending, active or paused) and
 *   suppress the contact.
 * - A campaign that is not active changes no further (a paused one replays the event at resume).
 * - Flagged machine opens, bot clicks and auto-replies are ignored.
 * - An `exitOn` event on any of the campaign's messages stops it.
 * - Otherwise the first matching transition of the current node is taken.
 */
export function onEvent(
  def: CampaignDefinition,
  state: CampaignState,
  event: RecordedEvent,
  ctx: EngineContext,
  at: Date,
): Decision & { effect: EventEffect } {
  const effects: Effect[] = [];
  const unchanged = { state, effects, effect: 'ignored' as const };
  if (SUPPRESSING_EVENTS.includes(event.type)) {
    if (state.status !== 'active' && state.status !== 'paused' && state.status !== 'pending')
      return unchanged;
    return { state: stop(state, at, event.type, effects), effects, effect: 'exit' };
  }
  if (state.status !== 'active' || !isGenuine(event)) return unchanged;
  if (exitEvents(def).includes(event.type)) {
    return { state: stop(state, at, event.type, effects), effects, effect: 'exit' };
  }
  const match = matchTransition(def, state, event, ctx);
  if (!match) return unchanged;
  const next = enterNode(def, state, match.to, at, match, { kind: 'event', eventId: event.id }, ctx, effects);
  return { state: next, effects, effect: 'transition' };
}
