import { addDuration } from '@campaign/schedule-utils';
import {
  type EngagementEvent,
  isTimeoutEvent,
  type PlanNode,
  SUPPRESSING_EVENTS,
  TIMEOUT_BROKEN_BY,
  type TimeoutEvent,
  type Transition,
} from '../plan/plan-schema.ts';
import { enterNode } from './entry.ts';
import { isGenuine, referenceMessage, withinWindow } from './matching.ts';
import { exitEvents, findNode, transitionsOf } from './nodes.ts';
import { actionReadiness } from './sends.ts';
import type {
  CampaignDefinition,
  CampaignState,
  Decision,
  Effect,
  EngineContext,
  MessageRef,
  RecordedEvent,
  TimeoutEffect,
} from './types.ts';

/* Rule 6: a timeout fires, is skipped, or leaves the node stranded (no_path). */

/**
 * Whether a timeout's condition still holds: nothing genuine of its family happened to the reference
 * message by the timeout's due time. An engagement after the due time does not count: the timeout was
 * already owed (it only ran late, after a pause or an outage), and the late event matched no `within`,
 * so counting it would leave the campaign with nowhere to go.
 */
export function timeoutConditionHolds(
  event: TimeoutEvent,
  reference: MessageRef | null,
  events: readonly RecordedEvent[],
  dueAt: Date,
): boolean {
  if (!reference) return true;
  const breaks = TIMEOUT_BROKEN_BY[event];
  return !events.some(
    (e) =>
      e.messageId === reference.id &&
      breaks.includes(e.type) &&
      isGenuine(e) &&
      e.occurredAt.getTime() <= dueAt.getTime(),
  );
}

/**
 * Rule 6's "none of the node's transitions can still fire", decided at `at` (when a timeout of the node
 * was just skipped). A transition of the current node can still fire when:
 * - it is a timeout whose condition still holds for its own due time (anchor + `after`): it is pending and
 *   will be taken when it runs (a timeout whose condition is broken now stays broken: events are never
 *   removed, and the breaking event occurred before this timeout's due time, so before any later one's);
 * - it is an engagement transition on an event that does not end the campaign first (not in `exitOn`,
 *   not `unsubscribed` or `complained`), with no `within` or with a `within` window still open at `at`
 *   (`at <= anchor + within`, the bound `matchTransition` uses). Another event of the same type can
 *   always come (a second open, a later click), so an event already recorded does not close it.
 * An engagement transition whose window closes later is counted as able to fire; nothing re-checks the
 * node when that window closes (`stranded_by_event` warns about the plainly stranded nodes only).
 */
function canStillFire(
  def: CampaignDefinition,
  state: CampaignState,
  node: PlanNode,
  reference: MessageRef | null,
  events: readonly RecordedEvent[],
  at: Date,
): boolean {
  const anchor = state.anchorAt;
  if (anchor === null) return true;
  return someTransitionCanStillFire(transitionsOf(node), exitEvents(def), {
    timeoutHolds: (event, after) =>
      timeoutConditionHolds(event, reference, events, addDuration(anchor, after, def.timezone)),
    windowOpen: (t) => withinWindow(def, t, anchor, at),
  });
}

/** The facts rule 6 reads about a node's transitions, from recorded events or from a supposed one. */
export interface FiringFacts {
  /** Whether a timeout's condition still holds at its own due time (anchor + `after`). */
  timeoutHolds(event: TimeoutEvent, after: string): boolean;
  /** Whether an engagement transition's `within` window (anchor + `within`) is still open. */
  windowOpen(t: Transition): boolean;
}

/**
 * The rule behind canStillFire, shared with validation's `stranded_by_event` warning so the engine and
 * the validator cannot disagree on which transitions can still fire: a timeout with `after` whose
 * condition holds, or an engagement transition on an event that does not end the campaign first (not in
 * `exits`, not `unsubscribed` or `complained`) whose window is open.
 */
export function someTransitionCanStillFire(
  transitions: readonly Transition[],
  exits: readonly EngagementEvent[],
  facts: FiringFacts,
): boolean {
  return transitions.some((t) => {
    if (isTimeoutEvent(t.on)) return t.after !== undefined && facts.timeoutHolds(t.on, t.after);
    if (SUPPRESSING_EVENTS.includes(t.on) || exits.includes(t.on)) return false;
    return facts.windowOpen(t);
  });
}

/**
 * Rule 6: a timeout of node `action.nodeId` at step `action.step` fires at `at`. Stale when the campaign
 * is not active at that step; skipped when its condition no longer holds; otherwise its transition is
 * taken. A paused campaign defers it (effect `stale` is not used for that: the caller keeps it pending).
 * A skipped timeout that leaves the node with no transition that can still fire (`canStillFire`)
 * completes the campaign with reason `no_path` instead of leaving it active forever.
 */
export function onTimeout(
  def: CampaignDefinition,
  state: CampaignState,
  action: { nodeId: string; step: number; event: TimeoutEvent; transitionIndex: number; dueAt: Date },
  ctx: EngineContext,
  at: Date,
): Decision & { effect: TimeoutEffect | 'deferred' } {
  const readiness = actionReadiness(state, action);
  if (readiness === 'defer') return { state, effects: [], effect: 'deferred' };
  if (readiness === 'stale') return { state, effects: [], effect: 'stale' };
  const node = findNode(def, action.nodeId);
  const transitions = transitionsOf(node);
  const indexed = transitions[action.transitionIndex];
  const transition = indexed?.on === action.event ? indexed : transitions.find((t) => t.on === action.event);
  if (!transition) return { state, effects: [], effect: 'stale' };
  const reference = referenceMessage(def, state, ctx);
  if (!timeoutConditionHolds(action.event, reference, ctx.latestMessageEvents, action.dueAt)) {
    if (canStillFire(def, state, node, reference, ctx.latestMessageEvents, at)) {
      return { state, effects: [], effect: 'skipped' };
    }
    return {
      state: { ...state, status: 'completed', stopReason: 'no_path', pausedAt: null },
      effects: [{ type: 'cancel_pending' }, { type: 'end', at, status: 'completed', reason: 'no_path' }],
      effect: 'skipped',
    };
  }
  const effects: Effect[] = [];
  const next = enterNode(
    def,
    state,
    transition.to,
    at,
    transition,
    { kind: 'timeout', event: action.event },
    ctx,
    effects,
  );
  return { state: next, effects, effect: 'transition' };
}
