import { nextAllowedInstant } from '@campaign/schedule-utils';
import { InvalidCampaignStateError } from '../errors.ts';
import { onEvent } from './events.ts';
import { findNode, inOccurrenceOrder } from './nodes.ts';
import { sendRulesOf } from './send-rules.ts';
import type {
  CampaignDefinition,
  CampaignState,
  Decision,
  Effect,
  EngineContext,
  EventEffect,
  PendingActionRef,
  RecordedEvent,
} from './types.ts';

/* Rule 8: pause, resume, cancel. */

/** Rule 8: pause an active campaign. Pending actions stay pending and none executes until resume. */
export function pause(state: CampaignState, at: Date): Decision {
  if (state.status !== 'active') throw new InvalidCampaignStateError('pause', state.status);
  return { state: { ...state, status: 'paused', pausedAt: at }, effects: [{ type: 'pause', at }] };
}

/**
 * Rule 8: resume a paused campaign at `at`.
 *
 * Events recorded while it was paused (`pausedEvents`, any order) are applied first, oldest first, exactly
 * as if they had arrived now (with their own occurrence times for `within`): a reply during a pause still
 * stops the campaign and an open still moves it, instead of a bump going out at resume. Then every
 * pending action that fell due while paused runs at `at`, sends moved to their next allowed instant
 * (section 10; see resumedRunAt).
 */
export function resume(
  def: CampaignDefinition,
  state: CampaignState,
  at: Date,
  ctx: EngineContext,
  pausedEvents: readonly RecordedEvent[],
  pending: readonly PendingActionRef[],
): Decision & { replayed: { eventId: string; effect: EventEffect }[] } {
  if (state.status !== 'paused') throw new InvalidCampaignStateError('resume', state.status);
  const replayed: { eventId: string; effect: EventEffect }[] = [];
  let current: CampaignState = { ...state, status: 'active', pausedAt: null };
  const effects: Effect[] = [{ type: 'resume', at }];
  const stepAtResume = current.step;
  for (const event of inOccurrenceOrder(pausedEvents)) {
    if (current.status !== 'active') {
      replayed.push({ eventId: event.id, effect: 'ignored' });
      continue;
    }
    const decision = onEvent(def, current, event, ctx, at);
    replayed.push({ eventId: event.id, effect: decision.effect });
    current = decision.state;
    effects.push(...decision.effects);
  }
  if (current.status === 'active' && current.step === stepAtResume) {
    for (const action of pending) {
      if (action.runAt.getTime() > at.getTime()) continue;
      effects.push({
        type: 'reschedule',
        actionId: action.id,
        runAt: resumedRunAt(def, current, action, at),
      });
    }
  }
  return { state: current, effects, replayed };
}

/**
 * When a send that fell due while paused runs: the first allowed instant from `at`, unless that is past
 * its `expiresAt` or there is none, then `at` itself, so that it expires at resume (deferSend decides
 * it at execution) instead of the campaign staying active until a send that can never go.
 */
function resumedRunAt(
  def: CampaignDefinition,
  state: CampaignState,
  action: PendingActionRef,
  at: Date,
): Date {
  if (action.kind !== 'send' || state.currentNodeId === null) return at;
  const node = findNode(def, state.currentNodeId);
  if (node.action !== 'send') return at;
  const next = nextAllowedInstant(at, sendRulesOf(def, node));
  if (next === null) return at;
  if (action.expiresAt != null && next.getTime() > action.expiresAt.getTime()) return at;
  return next;
}

/** Rule 8: cancel a pending, active or paused campaign; every pending action is cancelled. */
export function cancel(state: CampaignState, at: Date): Decision {
  if (state.status !== 'active' && state.status !== 'paused' && state.status !== 'pending') {
    throw new InvalidCampaignStateError('cancel', state.status);
  }
  return {
    state: { ...state, status: 'cancelled', pausedAt: null },
    effects: [
      { type: 'cancel', at },
      { type: 'cancel_pending' },
      { type: 'end', at, status: 'cancelled', reason: null },
    ],
  };
}
