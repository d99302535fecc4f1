import { addDuration } from '@campaign/schedule-utils';
import type { EngagementEvent, Transition } from '../plan/plan-schema.ts';
import { findNode, inOccurrenceOrder, transitionsOf } from './nodes.ts';
import type { CampaignDefinition, CampaignState, EngineContext, MessageRef, RecordedEvent } from './types.ts';

/* Rule 5's matching: which events count (genuine, decisive) and which transition an event takes. */

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

export function withinWindow(
  def: CampaignDefinition,
  t: Transition,
  anchor: Date,
  occurredAt: Date,
): boolean {
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
