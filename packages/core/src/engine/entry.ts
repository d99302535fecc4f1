import { addDuration } from '@campaign/schedule-utils';
import { isTimeoutEvent, type PlanNode, type Transition } from '../plan/plan-schema.ts';
import { conditionHolds } from './conditions.ts';
import { matchTransition } from './matching.ts';
import { findNode, inOccurrenceOrder, transitionsOf } from './nodes.ts';
import { scheduleSend } from './send-rules.ts';
import { splitVariant } from './split.ts';
import type {
  CampaignDefinition,
  CampaignState,
  Decision,
  Effect,
  EngineContext,
  EntryTrigger,
  PlannedAction,
  ZeroTimeMove,
} from './types.ts';

/** How a node was entered: the transition taken, or how a zero-time node was left. */
export type EntryMove = Transition | { on: ZeroTimeMove; variant?: string | undefined };

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
 * Rule 2: enter `nodeId` at `at`. `send` schedules its send at the first allowed instant from at + delay
 * (or expires it, section 10; see scheduleSend); `wait`
 * anchors at `at`, replays the events already recorded for its reference message and, if none moves it
 * on, schedules its timeouts; `end` completes the campaign; `branch` and `split` (section 10) enter their
 * chosen target at the same instant, with the same trigger.
 */
export function enterNode(
  def: CampaignDefinition,
  state: CampaignState,
  nodeId: string,
  at: Date,
  taken: EntryMove | null,
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
  const variant = taken && 'variant' in taken ? taken.variant : undefined;
  effects.push({
    type: 'enter',
    at,
    from,
    to: node.id,
    step,
    on: taken?.on ?? null,
    ...(variant !== undefined ? { variant } : {}),
    trigger,
  });

  switch (node.action) {
    case 'end':
      next = { ...next, status: 'completed' };
      effects.push({ type: 'end', at, status: 'completed', reason: null });
      return next;
    case 'send':
      return scheduleSend(def, next, node, at, effects);
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
    case 'branch': {
      // A zero-time node: the first branch whose condition holds (else `otherwise`) is entered at once.
      const facts = {
        contact: def.contact,
        engagements: ctx.engagements,
        customEvents: ctx.customEvents,
        at,
      };
      const chosen = node.branches.find((b) => conditionHolds(b.when, facts))?.to ?? node.otherwise;
      return enterNode(def, next, chosen, at, { on: 'branch' }, trigger, ctx, effects, depth + 1);
    }
    case 'split': {
      const experiment = node.experiment ?? node.id;
      const chosen = splitVariant(experiment, def.contact?.key ?? null, node.variants);
      effects.push({ type: 'assign_variant', at, node: node.id, experiment, variant: chosen.id });
      const move = { on: 'split' as const, variant: chosen.id };
      return enterNode(def, next, chosen.to, at, move, trigger, ctx, effects, depth + 1);
    }
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
