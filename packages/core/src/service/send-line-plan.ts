import { findNode } from '../engine/engine.ts';
import type { StoreTransaction } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { CampaignRecord, ScheduledActionRecord } from '../ports/records.ts';
import type { ScheduledJob } from '../ports/scheduler.ts';
import type { ContactFrequencyCap } from '../senders/throttle.ts';
import { fixedGapMs } from '../senders/throttle-queue.ts';
import { definition } from './campaign-record.ts';
import { transitionRow } from './effect-applier.ts';
import { capsDecision, retryOf } from './send-caps.ts';
import { comeBackEarlyMs } from './send-throttle.ts';

/** Settings of the line's plan (see `ExecutionServiceDeps`). */
export interface SendLinePlanSettings {
  contactFrequencyCap?: ContactFrequencyCap | undefined;
  /** A slot at most this far from the send's `runAt` is waited for by the worker: not planned. */
  throttleWaitMs?: number | undefined;
}

/**
 * A send stored behind a line of its sender (DESIGN section 11, deferral keeps due order per sender) is
 * deferred when it is stored, not when it falls due: 5,000 campaigns whose quiet hours end at 08:00 on one
 * sender with a min gap, each stored with its send held until 08:00, would otherwise all fall due at 08:00,
 * and each but the first would be deferred then by a whole claim transaction, 5,000 of them competing with
 * the line's own claims for the machine just as the line starts (the 1,000-campaign burst drained at 5 to 9
 * sends a second for its first 20 s on a 2-core machine, 20 after). Here the caps decide for the send's
 * `runAt` in the transaction that stores it, with the sends ahead of it that are held as long counted
 * (its claim counts every send ahead still pending then; the others will have gone); a send the min gap
 * would defer past what a worker waits for is moved as a claim moves it: its `runAt` to its paced retry, a `deferred` entry (`sender_min_gap`, `until` the caps' instant) and its job back early
 * and urgent. Its claim decides again when it comes: a line that went faster brings it forward
 * (`SendLines`), one that went slower defers it again.
 *
 * Only the min gap plans: a daily or hourly cap's instant (the next day, the next hour) is left to the
 * claim, which frees the slot of a send ahead that was cancelled meanwhile; so is a send the caps would
 * expire, a held sender's (disabled or paused), and one on the default sender (no caps). The emergency stop
 * is not read: a send stored while it is on is planned, and its claim holds it (its entry follows).
 *
 * Left as it is: a planned send is a paced retry to its line (`SendLines` may bring it forward), also
 * while its own plan's rules still hold it, when its sender's other sends (other zones, plans without
 * quiet hours) go meanwhile; its claim then moves it back to its allowed instant (a `quiet_hours` entry),
 * and it is no longer brought forward. One claim transaction, nothing sent early.
 */
export class SendLinePlanner {
  private readonly clock: Clock;
  private readonly contactCap: ContactFrequencyCap | undefined;
  private readonly waitMs: number;

  constructor(deps: { clock: Clock }, settings: SendLinePlanSettings) {
    this.clock = deps.clock;
    this.contactCap = settings.contactFrequencyCap;
    this.waitMs = settings.throttleWaitMs ?? 0;
  }

  /**
   * The job of a send just stored for later (`action`, its `runAt` after now: held by its plan's rules, or
   * delayed), moved when its line will not reach it by its `runAt`; else null. A send due now is left to its
   * claim, moments away.
   */
  async plan(
    tx: StoreTransaction,
    campaign: CampaignRecord,
    action: ScheduledActionRecord,
  ): Promise<ScheduledJob | null> {
    const now = this.clock.now();
    const at = action.runAt;
    if (action.kind !== 'send' || action.status !== 'pending' || at.getTime() <= now.getTime()) return null;
    const node = findNode(definition(campaign), action.nodeId);
    if (node.action !== 'send') return null;
    const senderId = campaign.senderIds[node.channel ?? 'email'];
    if (senderId === null) return null;
    const sender = await tx.senders.get(senderId);
    if (!sender?.enabled || sender.pausedAt !== null || sender.caps.minGap == null) return null;
    const gapMs = fixedGapMs(sender.caps.minGap);
    if (gapMs === null) return null;
    // The sends ahead that will still wait at its `runAt`: those held as long (a send ahead due to go
    // before it, as a steady sender's are, is gone by then, its claim counted in the sender's usage).
    const view = await capsDecision(tx, campaign, action, node, at, sender, this.contactCap, at);
    const { decision } = view;
    if (decision.kind !== 'defer' || decision.reason !== 'sender_min_gap' || decision.until === null)
      return null;
    const until = decision.until;
    if (until.getTime() - at.getTime() <= this.waitMs) return null;
    if (action.expiresAt !== null && until.getTime() > action.expiresAt.getTime()) return null;
    const line = { senderId, mode: campaign.mode, actionId: action.id, dueAt: action.dueAt };
    // No recent pace: measured at `at`, a future instant, the time until it would read as a stall. The
    // line assumes half its gap's rate, as at a burst's start.
    const retry = retryOf({ ...view, recent: null }, line, until, at, gapMs, this.waitMs, action.expiresAt);
    await tx.actions.reschedule(action.id, retry);
    await tx.transitions.insertMany([
      transitionRow(campaign, {
        kind: 'deferred',
        at: now,
        step: action.step,
        toNodeId: action.nodeId,
        trigger: 'send',
        reason: decision.reason,
        untilAt: until,
        actionId: action.id,
      }),
    ]);
    const jobAt = Math.max(now.getTime(), retry.getTime() - comeBackEarlyMs(this.waitMs));
    return {
      actionId: action.id,
      contactId: action.contactId,
      runAt: new Date(jobAt),
      ...(this.waitMs > 0 ? { urgent: true } : {}),
    };
  }
}
