import {
  localDayNumber,
  localDayStart,
  longestDurationMs,
  nextAllowedInstant,
} from '@campaign/schedule-utils';
import { sendRulesOf } from '../engine/send-rules.ts';
import type { SendNode } from '../plan/plan-schema.ts';
import type { StoreTransaction } from '../ports/campaign-store.ts';
import type { CampaignMode, CampaignRecord, ScheduledActionRecord } from '../ports/records.ts';
import type { Sender } from '../senders/sender.ts';
import {
  type ContactFrequencyCap,
  type SenderUsage,
  type ThrottleDecision,
  type ThrottledSender,
  usageDayStart,
} from '../senders/throttle.ts';
import { decideAfter } from '../senders/throttle-queue.ts';
import { definition } from './campaign-record.ts';
import { assumedPace, atHand, PACE_CLAIMS, pacedRetry, type SenderPace, senderPace } from './send-pace.ts';

const HOUR_MS = 3_600_000;
/** Claims stamped on the local days after `now`'s that still count (see `senderUsage`). */
const LATER_DAYS_COUNTED = 1;

/**
 * The caps' decision for a send (DESIGN section 11) at `now`, on the sender's and the contact's usage as read
 * now: the decision, the sends of its sender ahead of it in due order (`ahead`), the sender's recent pace,
 * and whether the send's plan allows an instant (a paced retry must fall on one).
 */
export interface CapsView {
  decision: ThrottleDecision;
  ahead: number;
  recent: Omit<SenderPace, 'allowed'> | null;
  allowed: SenderPace['allowed'];
}

/** The caps' decision for the send on the sender's and the contact's usage as read now (see `CapsView`). */
export async function capsDecision(
  tx: StoreTransaction,
  campaign: CampaignRecord,
  action: ScheduledActionRecord,
  node: SendNode,
  now: Date,
  sender: Sender | null,
  contactCap: ContactFrequencyCap | undefined,
  /** Counts only the sends ahead whose `runAt` is at or after it (`ThrottleUsageRepository.senderState`). */
  heldFrom?: Date,
): Promise<CapsView> {
  // A shadow campaign is throttled against shadow counters, a live one against live ones (DESIGN 11).
  // `ahead`: sends of the same sender ahead in due order take the next slots first; the decision counts
  // them as phantom claims at the instants they will get, then decides for this one.
  const { usage, ahead, pace } = sender
    ? await senderUsage(tx, sender, action, now, campaign.mode, heldFrom)
    : { usage: { today: 0, lastHour: [], last: null }, ahead: 0, pace: null };
  const contactSends = contactCap
    ? await tx.throttle.contactClaims(
        campaign.contactId,
        windowStart(now, contactCap),
        new Date(now.getTime() + 1),
        campaign.mode,
      )
    : [];
  const rules = sendRulesOf(definition(campaign), node);
  const input = {
    sender: sender as ThrottledSender | null,
    usage,
    contactCap,
    contactSends,
    now,
    nextAllowed: (t: Date) => nextAllowedInstant(t, rules),
  };
  const decision = decideAfter(input, ahead);
  return {
    decision,
    ahead,
    recent: pace,
    allowed: (t) => input.nextAllowed(t)?.getTime() === t.getTime(),
  };
}

/**
 * When a send the caps defer to `until` (behind `ahead` sends of its sender) is tried again: its slot, or
 * later when the sends ahead go slower than the caps allow (`pacedRetry`). Before the sender has a pace, a
 * line that keeps its sends at hand (a worker may wait `waitMs`) assumes half its gap's rate.
 */
export function retryOf(
  view: Pick<CapsView, 'ahead' | 'recent' | 'allowed'>,
  line: { actionId: string; dueAt: Date; senderId: string; mode: CampaignMode } | null,
  until: Date,
  now: Date,
  gapMs: number | null,
  waitMs: number,
  expiresAt: Date | null,
): Date {
  const keptAtHand = line !== null && gapMs !== null && atHand(line, now, gapMs, null, waitMs) !== null;
  const pace = view.recent ?? (keptAtHand && gapMs !== null ? assumedPace(gapMs) : null);
  return pacedRetry(until, now, view.ahead, pace && { ...pace, allowed: view.allowed }, expiresAt);
}

async function senderUsage(
  tx: StoreTransaction,
  sender: ThrottledSender & { id: string },
  action: ScheduledActionRecord,
  now: Date,
  mode: CampaignMode,
  heldFrom: Date | undefined,
): Promise<{ usage: SenderUsage; ahead: number; pace: Omit<SenderPace, 'allowed'> | null }> {
  const dayStart = usageDayStart(sender, now);
  const nextDayStart = localDayStart(now, sender.timezone, 1);
  // Not only up to `now`: in a claim, `now` was read before this worker got the sender's lock, and a worker
  // that read its clock later may have claimed (and committed) meanwhile, its claim stamped after `now`.
  // Every claim holds its slot, so count them all: today's in `today`, a later day's (a clock read
  // just before a local midnight) as used on that day. Today's are counted, not fetched (a sender sends
  // thousands a day), in one round trip with the latest claim and the sends ahead; instants are read
  // only for an hourly cap and when the latest claim is on a later day.
  const { today, last, ahead, paceFrom } = await tx.throttle.senderState(
    sender.id,
    { start: dayStart, next: nextDayStart },
    action,
    now,
    mode,
    PACE_CLAIMS,
    heldFrom,
  );
  const until = new Date(localDayStart(now, sender.timezone, LATER_DAYS_COUNTED + 1).getTime() - 1);
  const byDay = new Map<number, number>();
  if (last !== null && last.getTime() >= nextDayStart.getTime()) {
    for (const c of await tx.throttle.senderClaims(sender.id, nextDayStart, until, mode)) {
      const day = localDayNumber(c, sender.timezone);
      byDay.set(day, (byDay.get(day) ?? 0) + 1);
    }
  }
  const hourStart = new Date(now.getTime() - HOUR_MS);
  const lastHour =
    sender.caps.hourly == null
      ? []
      : (await tx.throttle.senderClaims(sender.id, hourStart, until, mode)).filter(
          (c) => c.getTime() > hourStart.getTime(),
        );
  return { usage: { today, lastHour, last, byDay }, ahead, pace: senderPace(last, paceFrom, now) };
}

/** A bound on the start of the contact cap's window ending at `now` (the decision filters exactly). */
function windowStart(now: Date, cap: ContactFrequencyCap): Date {
  return new Date(now.getTime() - longestDurationMs(cap.window));
}
