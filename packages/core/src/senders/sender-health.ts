import type { EngagementEvent } from '../plan/plan-schema.ts';
import type { StoreTransaction } from '../ports/campaign-store.ts';
import type { OutboundMessageRecord } from '../ports/records.ts';
import type { SenderHealthFigures } from './sender.ts';
import { HEALTH_WINDOW_MESSAGES } from './sender-view.ts';

/** A sender is judged only once it has at least this many live sends (DESIGN section 11, issue 12). */
export const HEALTH_MIN_SENDS = 200;
/** Paused above 0.3 % spam complaints (3 per 1,000): mailbox providers' bulk-sender line. */
const COMPLAINTS_PER_1000 = 3;
/** Paused above 5 % hard bounces (5 per 100). */
const HARD_BOUNCES_PER_100 = 5;

/** Why a sender was paused automatically (its `pausedReason`). */
export type HealthPauseReason = 'complaint_rate' | 'hard_bounce_rate';

export type HealthVerdict =
  | { pause: false }
  | { pause: true; reason: HealthPauseReason; figures: SenderHealthFigures };

/**
 * The health rule on a sender's latest live messages (at most HEALTH_WINDOW_MESSAGES sent, with how many
 * of them drew a complaint and a hard bounce): under HEALTH_MIN_SENDS nothing is judged; else a
 * complaint rate strictly above 0.3 %, or a hard-bounce rate strictly above 5 %, pauses it (complaints
 * named first when both do). Compared in integers, so exactly 0.3 % (3 of 1,000) is not above it.
 */
export function healthVerdict(counts: {
  sent: number;
  complaints: number;
  hardBounces: number;
}): HealthVerdict {
  const { sent, complaints, hardBounces } = counts;
  if (sent < HEALTH_MIN_SENDS) return { pause: false };
  const complaintsOver = complaints * 1000 > COMPLAINTS_PER_1000 * sent;
  const bouncesOver = hardBounces * 100 > HARD_BOUNCES_PER_100 * sent;
  if (!complaintsOver && !bouncesOver) return { pause: false };
  return {
    pause: true,
    reason: complaintsOver ? 'complaint_rate' : 'hard_bounce_rate',
    figures: {
      sent,
      complaints,
      hardBounces,
      complaintRate: complaints / sent,
      hardBounceRate: hardBounces / sent,
      complaintRateLimit: COMPLAINTS_PER_1000 / 1000,
      hardBounceRateLimit: HARD_BOUNCES_PER_100 / 100,
    },
  };
}

/**
 * After a complaint or a bounce on a live message is recorded (in the event's transaction, under its
 * campaign's lock, then the sender's: the claim path's lock order), judges the message's sender and pauses
 * it when the rule says so (`pausedAt`, `pausedReason`, the figures in `health`); its sends are then held
 * with reason `sender_paused` until `PATCH {"enabled": true}`. A sender already paused, or a message of the
 * default sender or of a shadow campaign, is left alone. Returns whether it paused the sender.
 */
export async function judgeSenderHealth(
  tx: StoreTransaction,
  message: Pick<OutboundMessageRecord, 'senderId' | 'status'>,
  type: EngagementEvent,
  now: Date,
): Promise<boolean> {
  if (type !== 'complained' && type !== 'bounced') return false;
  if (message.senderId === null || message.status !== 'sent') return false;
  const sender = await tx.senders.lock(message.senderId);
  if (!sender || sender.pausedAt !== null) return false;
  const verdict = healthVerdict(await tx.senders.healthCounts(sender.id, HEALTH_WINDOW_MESSAGES));
  if (!verdict.pause) return false;
  await tx.senders.update(
    sender.id,
    { pausedAt: now, pausedReason: verdict.reason, health: verdict.figures },
    now,
  );
  return true;
}
