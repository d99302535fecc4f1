import { addDuration, applyQuietHours, calculateScheduleTime } from '@campaign/schedule-utils';
import { InvalidCampaignStateError } from '../errors.ts';
import {
  DEFAULT_EXIT_ON,
  type EngagementEvent,
  isTimeoutEvent,
  type PlanNode,
  SUPPRESSING_EVENTS,
  TIMEOUT_BROKEN_BY,
  type TimeoutEvent,
  type Transition,
} from '../plan/plan-schema.ts';
import type {
  CampaignDefinition,
  CampaignState,
  Decision,
  Effect,
  EngineContext,
  EntryTrigger,
  EventEffect,
  MessageRef,
  PendingActionRef,
  PlannedAction,
  RecordedEvent,
  TimeoutEffect,
} from './types.ts';
import { TERMINAL_STATUSES } from './types.ts';

/*
 * The transition engine: pure functions of (definition, state, input, now) that return the new state and
 * the effects to apply (DESIGN section 4). Nothing here does I/O or reads a clock; the simulator and the
 * database-backed service both drive these same functions.
 */

/** Entering nodes through replayed events can chain; validation refuses zero-time cycles, this is the backstop. */
const MAX_CHAINED_ENTRIES = 256;

/** The state of a campaign that was stored but not activated yet. */
export function initialState(): CampaignState {
  return {
    status: 'pending',
    currentNodeId: null,
    step: 0,
    anchorAt: null,
    stopReason: null,
    pausedAt: null,
  };
}

export function findNode(def: CampaignDefinition, nodeId: string): PlanNode {
  const node = def.plan.nodes.find((n) => n.id === nodeId);
  if (!node) throw new Error(`plan has no node "${nodeId}"`);
  return node;
}

function transitionsOf(node: PlanNode): readonly Transition[] {
  return node.action === 'end' ? [] : (node.transitions ?? []);
}

function exitEvents(def: CampaignDefinition): readonly EngagementEvent[] {
  return def.plan.exitOn ?? DEFAULT_EXIT_ON;
}

/**
 * Rule 1: activation enters `startNodeId` at `at`. Only a `pending` campaign activates; for any other
 * status the decision is empty (re-running activation is a no-op).
 */
export function activate(
  def: CampaignDefinition,
  state: CampaignState,
  at: Date,
  ctx: EngineContext,
): Decision {
  if (state.status !== 'pending') return { state, effects: [] };
  const effects: Effect[] = [];
  const next = enterNode(
    def,
    { ...state, status: 'active' },
    def.plan.startNodeId,
    at,
    null,
    { kind: 'activation' },
    ctx,
    effects,
  );
  return { state: next, effects };
}

/**
 * Rule 2: enter `nodeId` at `at`. `send` schedules its send at calculateScheduleTime(at + delay); `wait`
 * anchors at `at`, replays the events already recorded for its reference message and, if none moves it
 * on, schedules its timeouts; `end` completes the campaign.
 */
function enterNode(
  def: CampaignDefinition,
  state: CampaignState,
  nodeId: string,
  at: Date,
  taken: Transition | null,
  trigger: EntryTrigger,
  ctx: EngineContext,
  effects: Effect[],
  depth = 0,
): CampaignState {
  if (depth > MAX_CHAINED_ENTRIES) {
    throw new Error(
      `more than ${MAX_CHAINED_ENTRIES} node entries at one instant: the plan has a zero-time cycle`,
    );
  }
  const node = findNode(def, nodeId);
  const from = state.currentNodeId;
  if (from !== null) effects.push({ type: 'cancel_pending' });
  const step = state.step + 1;
  let next: CampaignState = { ...state, currentNodeId: node.id, step, anchorAt: null };
  effects.push({ type: 'enter', at, from, to: node.id, step, on: taken?.on ?? null, trigger });

  switch (node.action) {
    case 'end':
      next = { ...next, status: 'completed' };
      effects.push({ type: 'end', at, status: 'completed', reason: null });
      return next;
    case 'send': {
      const { dueAt, runAt } = calculateScheduleTime(
        at,
        node.schedule?.delay ?? 'PT0S',
        def.timezone,
        def.plan.quietHours,
      );
      effects.push({ type: 'schedule', action: { kind: 'send', nodeId: node.id, step, dueAt, runAt } });
      return next;
    }
    case 'wait': {
      next = { ...next, anchorAt: at };
      // An engagement that happened before the wait began is not lost: replay it, oldest first.
      for (const event of inOccurrenceOrder(ctx.latestMessageEvents)) {
        const match = matchTransition(def, next, event, ctx);
        if (match) {
          return enterNode(
            def,
            next,
            match.to,
            at,
            match,
            { kind: 'event', eventId: event.id },
            ctx,
            effects,
            depth + 1,
          );
        }
      }
      scheduleTimeouts(def, next, node, at, effects);
      return next;
    }
  }
}

function scheduleTimeouts(
  def: CampaignDefinition,
  state: CampaignState,
  node: PlanNode,
  anchor: Date,
  effects: Effect[],
): void {
  transitionsOf(node).forEach((t, transitionIndex) => {
    if (!isTimeoutEvent(t.on) || t.after === undefined) return;
    const runAt = addDuration(anchor, t.after, def.timezone);
    effects.push({
      type: 'schedule',
      action: {
        kind: 'timeout',
        nodeId: node.id,
        step: state.step,
        event: t.on,
        transitionIndex,
        dueAt: runAt,
        runAt,
      },
    });
  });
}

/** The timeouts of the current node, computed from its anchor (rule 9: a new plan version recomputes them). */
export function timeoutsFromAnchor(def: CampaignDefinition, state: CampaignState): PlannedAction[] {
  if (state.currentNodeId === null || state.anchorAt === null) return [];
  const effects: Effect[] = [];
  scheduleTimeouts(def, state, findNode(def, state.currentNodeId), state.anchorAt, effects);
  return effects.flatMap((e) => (e.type === 'schedule' ? [e.action] : []));
}

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
 * Opens flagged as machine or bot opens (Apple MPP, SendGrid `sg_machine_open`, Mailgun
 * `client-info.bot`), bot clicks and auto-replies are recorded but count for nothing (rule 5, DESIGN
 * section 8). The store writes the same test in SQL (kysely-repositories.ts GENUINE_EVENT, migration 0004).
 */
export function isGenuine(event: RecordedEvent): boolean {
  switch (event.type) {
    case 'opened':
      return !event.machine && !event.bot;
    case 'clicked':
      return !event.bot;
    case 'replied':
      return !event.autoReply;
    default:
      return true;
  }
}

/**
 * The events of a message that can decide anything: its earliest genuine event of each type (by
 * occurrence time, ties in the given order), oldest first. A later event of the same type can only
 * satisfy fewer `within` windows and no timeout condition the earliest does not already break, so
 * `EngineContext.latestMessageEvents` reduced to these leads to the same decisions (the store reads only
 * these rows; `context.test.ts` checks the equivalence).
 */
export function decisiveEvents(events: readonly RecordedEvent[]): RecordedEvent[] {
  const seen = new Set<EngagementEvent>();
  return inOccurrenceOrder(events).filter((e) => {
    if (!isGenuine(e) || seen.has(e.type)) return false;
    seen.add(e.type);
    return true;
  });
}

/**
 * The current node's reference message: for a `send` node the message it sent at this step (none before
 * it has sent), for a `wait` node the latest message sent before it was entered.
 */
export function referenceMessage(
  def: CampaignDefinition,
  state: CampaignState,
  ctx: EngineContext,
): MessageRef | null {
  if (state.currentNodeId === null) return null;
  const node = findNode(def, state.currentNodeId);
  const latest = ctx.latestMessage;
  if (!latest) return null;
  if (node.action === 'send') return latest.step === state.step && latest.nodeId === node.id ? latest : null;
  if (node.action === 'wait') return latest.step < state.step ? latest : null;
  return null;
}

function withinWindow(def: CampaignDefinition, t: Transition, anchor: Date, occurredAt: Date): boolean {
  if (t.within === undefined) return true;
  return occurredAt.getTime() <= addDuration(anchor, t.within, def.timezone).getTime();
}

/**
 * Rule 5's matching: the first transition of the current node, in plan order, whose `on` is the event,
 * whose reference message the event concerns, and whose `within` (counted from the anchor) it meets; a
 * click that matches nothing is tried against `opened` transitions (a click implies an open).
 */
export function matchTransition(
  def: CampaignDefinition,
  state: CampaignState,
  event: RecordedEvent,
  ctx: EngineContext,
): Transition | null {
  if (state.currentNodeId === null || state.anchorAt === null || !isGenuine(event)) return null;
  const ref = referenceMessage(def, state, ctx);
  if (!ref || event.messageId !== ref.id) return null;
  const anchor = state.anchorAt;
  const candidates = transitionsOf(findNode(def, state.currentNodeId));
  const find = (on: EngagementEvent) =>
    candidates.find((t) => t.on === on && withinWindow(def, t, anchor, event.occurredAt)) ?? null;
  return find(event.type) ?? (event.type === 'clicked' ? find('opened') : null);
}

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
 * pending action that fell due while paused runs at `at`, sends moved out of quiet hours.
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
      const runAt = action.kind === 'send' ? applyQuietHours(at, def.timezone, def.plan.quietHours) : at;
      effects.push({ type: 'reschedule', actionId: action.id, runAt });
    }
  }
  return { state: current, effects, replayed };
}

/**
 * Rule 3 when a send executes: a retry, a send run late after an outage, by the reconcile loop or after
 * a resume may fall due at a forbidden local time. Then it is not sent now but moved to the next allowed
 * instant (`defer`, recorded in the timeline). Null when `now` is allowed.
 */
export function deferSend(
  def: CampaignDefinition,
  state: CampaignState,
  action: { id: string; nodeId: string },
  now: Date,
): Decision | null {
  const until = applyQuietHours(now, def.timezone, def.plan.quietHours);
  if (until.getTime() <= now.getTime()) return null;
  return {
    state,
    effects: [
      { type: 'defer', actionId: action.id, node: action.nodeId, at: now, until, reason: 'quiet_hours' },
    ],
  };
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

function inOccurrenceOrder(events: readonly RecordedEvent[]): RecordedEvent[] {
  return [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
}
