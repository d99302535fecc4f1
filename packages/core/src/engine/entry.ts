import { addDuration, calculateScheduleTime } from '@campaign/schedule-utils';
import { isTimeoutEvent, type PlanNode, type Transition } from '../plan/plan-schema.ts';
import { matchTransition } from './matching.ts';
import { findNode, inOccurrenceOrder, transitionsOf } from './nodes.ts';
import type {
  CampaignDefinition,
  CampaignState,
  Decision,
  Effect,
  EngineContext,
  EntryTrigger,
  PlannedAction,
} from './types.ts';

/* Rules 1 and 2: activation and entering a node (its send or its timeouts scheduled). */

/** Entering nodes through replayed events can chain; validation refuses zero-time cycles, this is the backstop. */
const MAX_CHAINED_ENTRIES = 256;

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
export function enterNode(
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
    case 'branch':
    case 'split':
      throw new Error(`entering a ${node.action} node is not implemented yet`);
  }
}

export function scheduleTimeouts(
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
