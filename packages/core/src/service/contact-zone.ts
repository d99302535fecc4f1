import { nextAllowedInstant } from '@campaign/schedule-utils';
import { findNode } from '../engine/nodes.ts';
import { sendRulesOf } from '../engine/send-rules.ts';
import type { CampaignDefinition, Effect } from '../engine/types.ts';
import type { ScheduledActionRecord } from '../ports/records.ts';

/**
 * A contact's zone changed and the campaign follows it (its plan has no zone of its own): each pending
 * send runs at the first instant from its due time (or from `now`, when that has passed) that plan 1.1's
 * rules (quiet hours, send window, holidays, SMS hours) allow in the new zone. Timeouts are absolute
 * durations from their anchor and do not move. The due time and `expiresAt` stay as they were computed at
 * entry; a send that has no allowed instant by then is due at `now`, so that it expires when it runs (as
 * at resume) instead of waiting for an instant that never comes.
 */
export function sendsInNewZone(
  def: CampaignDefinition,
  pending: readonly ScheduledActionRecord[],
  now: Date,
): Effect[] {
  const effects: Effect[] = [];
  for (const action of pending) {
    if (action.kind !== 'send' || action.status !== 'pending') continue;
    const node = findNode(def, action.nodeId);
    if (node.action !== 'send') continue;
    const from = action.dueAt.getTime() > now.getTime() ? action.dueAt : now;
    const next = nextAllowedInstant(from, sendRulesOf(def, node));
    const late = next === null || (action.expiresAt !== null && next.getTime() > action.expiresAt.getTime());
    const runAt = late ? from : next;
    if (runAt.getTime() !== action.runAt.getTime())
      effects.push({ type: 'reschedule', actionId: action.id, runAt });
  }
  return effects;
}
