import { enterNode, scheduleTimeouts } from './entry.ts';
import { matchTransition } from './matching.ts';
import { findNode, inOccurrenceOrder, transitionsOf } from './nodes.ts';
import { expire, sendRulesOf, sendTiming } from './send-rules.ts';
import type { CampaignDefinition, CampaignState, Decision, Effect, EngineContext } from './types.ts';
import { TERMINAL_STATUSES } from './types.ts';

/* Rules 3 and 4: whether a due action runs, a send executed, deferred or failed for good. */

export type ActionReadiness = 'run' | 'stale' | 'defer';

/**
 * Whether a due action may run now. `stale`: the campaign is over or has moved past the action's step
 * (or node); `defer`: the campaign is paused, so the action stays pending until resume.
 */
export function actionReadiness(
  state: CampaignState,
  action: { nodeId: string; step: number },
): ActionReadiness {
  if (state.status === 'paused') return 'defer';
  if (state.status !== 'active' || state.step !== action.step || state.currentNodeId !== action.nodeId) {
    return 'stale';
  }
  return 'run';
}

/**
 * Rule 4: the send of the current node went out at `sentAt`. The node anchors at `sentAt`; its timeouts
 * are scheduled from there, or the campaign completes when the node has no transitions. The caller MUST
 * have checked actionReadiness first, inside the same transaction. `ctx` holds the events already
 * recorded for the message (the database records the acceptance before this step runs), replayed at `at`.
 */
export function onSendExecuted(
  def: CampaignDefinition,
  state: CampaignState,
  sentAt: Date,
  ctx: EngineContext = { latestMessage: null, latestMessageEvents: [] },
  at: Date = sentAt,
): Decision {
  const nodeId = state.currentNodeId;
  if (nodeId === null) throw new Error('a send executed for a campaign that has not entered a node');
  const node = findNode(def, nodeId);
  if (node.action !== 'send') throw new Error(`node "${nodeId}" is not a send node`);
  const next: CampaignState = { ...state, anchorAt: sentAt };
  const effects: Effect[] = [];
  if (transitionsOf(node).length === 0) {
    effects.push({ type: 'end', at: sentAt, status: 'completed', reason: null });
    return { state: { ...next, status: 'completed', pausedAt: null }, effects };
  }
  // Events of this message that arrived between the provider's acceptance and now (recorded while the
  // node had no anchor yet, so they matched nothing) are not lost: replay them, oldest first. A paused
  // campaign replays its events at resume instead.
  if (next.status === 'active') {
    for (const event of inOccurrenceOrder(ctx.latestMessageEvents)) {
      const match = matchTransition(def, next, event, ctx);
      if (match) {
        const entered = enterNode(
          def,
          next,
          match.to,
          at,
          match,
          { kind: 'event', eventId: event.id },
          ctx,
          effects,
        );
        return { state: entered, effects };
      }
    }
  }
  scheduleTimeouts(def, next, node, sentAt, effects);
  return { state: next, effects };
}

/**
 * Rule 3 when a send executes, with section 10's rules: a retry, a send run late after an outage, by the
 * reconcile loop or after a resume may fall due at an instant that is not allowed (quiet hours, outside
 * the send window, a holiday, outside SMS hours). Then it is not sent now but moved to the next allowed
 * instant (`defer` with the first failing rule as its reason, recorded in the timeline). A send that can
 * no longer go by its `expiresAt` (now, or at the instant it would be moved to) is not sent at all: the
 * decision is `skip` of the action (reason `expired`), then `end` stopped `send_expired`. Null when the
 * send may go now. `dueAt` is required with `expiresAt` (the skip records it).
 */
export function deferSend(
  def: CampaignDefinition,
  state: CampaignState,
  action: { id: string; nodeId: string; dueAt?: Date | undefined; expiresAt?: Date | null | undefined },
  now: Date,
): Decision | null {
  const node = findNode(def, action.nodeId);
  if (node.action !== 'send') throw new Error(`node "${action.nodeId}" is not a send node`);
  const timing = sendTiming(sendRulesOf(def, node), now, action.expiresAt);
  if (timing.kind === 'go') return null;
  if (timing.kind === 'defer') {
    return {
      state,
      effects: [
        {
          type: 'defer',
          actionId: action.id,
          node: action.nodeId,
          at: now,
          until: timing.until,
          reason: timing.reason,
        },
      ],
    };
  }
  const effects: Effect[] = [];
  const send = { node: action.nodeId, step: state.step, dueAt: action.dueAt ?? now, actionId: action.id };
  return { state: expire(state, send, now, effects), effects };
}

/**
 * A send step that kept failing (the transport refused it, or recording what followed the provider's
 * acceptance failed, `maxAttempts` times): the campaign stops with reason `send_failed` rather than
 * retry forever. A campaign that is already over is left as it is.
 */
export function onSendFailed(state: CampaignState, at: Date): Decision {
  if (TERMINAL_STATUSES.includes(state.status)) return { state, effects: [] };
  return {
    state: { ...state, status: 'stopped', stopReason: 'send_failed', pausedAt: null },
    effects: [{ type: 'cancel_pending' }, { type: 'end', at, status: 'stopped', reason: 'send_failed' }],
  };
}

/**
 * A due send found its address suppressed under another contact id (an unsubscribe or complaint of a
 * contact with the same address): the campaign stops with that reason, as the contact's own
 * unsubscribe would have stopped it, instead of staying active with nothing left to run.
 */
export function onAddressSuppressed(
  state: CampaignState,
  reason: 'unsubscribed' | 'complained',
  at: Date,
): Decision {
  if (TERMINAL_STATUSES.includes(state.status)) return { state, effects: [] };
  return {
    state: { ...state, status: 'stopped', stopReason: reason, pausedAt: null },
    effects: [{ type: 'cancel_pending' }, { type: 'end', at, status: 'stopped', reason }],
  };
}
