import { expire } from '../engine/send-rules.ts';
import type { Effect } from '../engine/types.ts';
import type { SendNode } from '../plan/plan-schema.ts';
import type { StoreTransaction } from '../ports/campaign-store.ts';
import type { CampaignRecord, ScheduledActionRecord } from '../ports/records.ts';
import type { ContactFrequencyCap } from '../senders/throttle.ts';
import { fixedGapMs } from '../senders/throttle-queue.ts';
import type { EffectApplier } from './effect-applier.ts';
import { capsDecision, retryOf } from './send-caps.ts';
import { type AtHand, atHand, type SendLine } from './send-pace.ts';
import type { AfterCommit } from './transactions.ts';

/**
 * A waiting send is claimed this long before its slot, for the slot (its `claimedAt`), and handed to the
 * transport at the slot: the next send's slot follows from this claim, so the time a worker takes to
 * wake, lock and commit does not add to every gap of a burst (a min gap of 50 ms drains at 20 a second,
 * not at 1 / (50 ms + that time)). Also the most a send may be claimed ahead of the instant it goes: an
 * unsubscribe or an emergency stop committed in between finds it claimed, as one committed while the
 * provider is being called does (see `ActionRunner.executeAction`).
 */
export const THROTTLE_LEAD_MS = 200;

/**
 * How long before its slot a throttled send's job comes back, for a worker that may wait `waitMs`: as
 * early as it may still wait there, less the lead (so the queue's delay or poll interval, up to that,
 * still finds it in a worker before its slot).
 */
export function comeBackEarlyMs(waitMs: number): number {
  return waitMs - Math.min(waitMs, THROTTLE_LEAD_MS);
}

/**
 * A throttled send: moved (`deferred`) or, past its `expiresAt`, skipped with the campaign stopped; or,
 * when the caller may wait (`admit`'s `waitMs`) and the slot is that close, `wait`: only the action's
 * `runAt` moved to `until` (no timeline entry, no job), and the caller asks again then.
 */
export type Throttled =
  | { outcome: 'expired' }
  /** `line`: the sender's line, when sends of it are ahead (its head may need bringing forward). */
  | { outcome: 'deferred'; line?: SendLine }
  /**
   * `ahead`: the sends of the sender before this one in due order, still pending; `line`: the sender's
   * line they are in (absent when only the contact's cap holds the send).
   */
  | { outcome: 'wait'; until: Date; ahead: number; line?: SendLine };

/**
 * Throttling in the claim transaction (DESIGN section 11). `admit` counts the usage of the campaign's
 * sender of the send's channel and the contact's, and either admits the send (decided again under the
 * sender's row lock, which serializes every worker's admission for that sender) at `now` or, with a
 * `leadMs`, at its slot when no send is ahead and the slot is that close (the caller claims it for the
 * slot), or applies the deferral: the action's `runAt` moves to the
 * decision's `until` (its `dueAt` kept, so it keeps its place in due order), with a `deferred` timeline
 * entry only when the reason differs from the action's latest deferral; past `expiresAt` (or with no
 * instant at all) the send is skipped (`expired`) and the campaign stops `send_expired`.
 */
export class SendThrottle {
  private readonly applier: EffectApplier;
  private readonly contactCap: ContactFrequencyCap | undefined;

  constructor(applier: EffectApplier, contactCap: ContactFrequencyCap | undefined) {
    this.applier = applier;
    this.contactCap = contactCap;
  }

  async admit(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
    action: ScheduledActionRecord,
    node: SendNode,
    now: Date,
    waitMs = 0,
    leadMs = 0,
  ): Promise<Throttled | { outcome: 'send'; at: Date; behind?: AtHand }> {
    const senderId = campaign.senderIds[node.channel ?? 'email'];
    if (senderId === null && this.contactCap === undefined) return { outcome: 'send', at: now };
    // First without the sender's lock: a send that waits or is deferred reserves nothing, and what it
    // reads without the lock can only be short of claims being committed (so it never defers later than
    // the locked decision would). Only an admission takes the lock and decides again: in a burst the
    // lock is queued for by the sends about to go, not by every one that will wait.
    const unlocked = senderId === null ? null : await tx.senders.get(senderId);
    const cap = this.contactCap;
    let { decision, ahead, recent, allowed } = await capsDecision(
      tx,
      campaign,
      action,
      node,
      now,
      unlocked,
      cap,
    );
    // The instant to admit the send for: now, or its slot when no send is ahead and the slot is within the
    // lead (claimed now for the slot, handed to the transport at it; see `SendClaims`).
    const at =
      decision.kind === 'send'
        ? now
        : decision.until !== null && ahead === 0 && decision.until.getTime() - now.getTime() <= leadMs
          ? decision.until
          : null;
    if (at !== null && senderId !== null)
      ({ decision, ahead, recent, allowed } = await capsDecision(
        tx,
        campaign,
        action,
        node,
        at,
        await tx.senders.lock(senderId),
        cap,
      ));
    const gapMs = unlocked?.caps.minGap == null ? null : fixedGapMs(unlocked.caps.minGap);
    const ownLine =
      senderId === null ? null : { senderId, mode: campaign.mode, actionId: action.id, dueAt: action.dueAt };
    if (decision.kind === 'send') {
      const admitted = at ?? now;
      const behind = ownLine && atHand(ownLine, admitted, gapMs, recent, waitMs);
      return { outcome: 'send', at: admitted, ...(behind ? { behind } : {}) };
    }
    // The sender's line, when sends of it are ahead of this one.
    const { dueAt } = action;
    const line =
      senderId === null || ahead === 0 || decision.until === null
        ? {}
        : { line: { senderId, mode: campaign.mode, actionId: action.id, dueAt, until: decision.until } };
    // A slot this close is waited for by the worker, not recorded: a deferral would cost a write and a
    // trip through the queue (whose delay, or poll interval, exceeds a short gap).
    if (decision.until !== null && decision.until.getTime() - now.getTime() <= waitMs) {
      // The row says when the send is next tried (no entry, no job: its job is this worker's), so the
      // reconcile pass does not take a waiting send for one the queue lost and queue it a second time.
      if (decision.until.getTime() > action.runAt.getTime())
        await tx.actions.reschedule(action.id, decision.until);
      return { outcome: 'wait', until: decision.until, ahead, ...line };
    }
    const effects: Effect[] = [];
    const late =
      decision.until === null ||
      (action.expiresAt !== null && decision.until.getTime() > action.expiresAt.getTime());
    if (late) {
      const send = { node: action.nodeId, step: action.step, dueAt: action.dueAt, actionId: action.id };
      const state = expire(campaign.state, send, now, effects);
      await this.applier.apply(
        tx,
        pending,
        campaign,
        { state, effects },
        { trigger: 'send', actionId: action.id },
      );
      return { outcome: 'expired' };
    }
    const until = decision.until as Date;
    // When it is tried again: its slot, or later when the sends ahead go slower than the caps allow.
    const retry = retryOf({ ahead, recent, allowed }, ownLine, until, now, gapMs, waitMs, action.expiresAt);
    // A worker that may wait gets the job back before that (`comeBackEarlyMs`, never before now): it
    // waits there and is claimed for the slot (`SendClaims`). At the slot itself, the queue's delay (or
    // poll interval) would make the send late, and every later slot of the sender with it.
    const jobAt = new Date(Math.max(now.getTime(), retry.getTime() - comeBackEarlyMs(waitMs)));
    // And ahead of the jobs due meanwhile (see `ScheduledJob.urgent`).
    const urgent = waitMs > 0 ? { urgent: true } : {};
    const previous = await tx.throttle.lastDeferralReason(campaign.id, action.id);
    if (previous === decision.reason) {
      // Same reason as last time: the send moves, the timeline already says why.
      await tx.actions.reschedule(action.id, retry);
      pending.jobs.push({ actionId: action.id, contactId: action.contactId, runAt: jobAt, ...urgent });
      return { outcome: 'deferred', ...line };
    }
    const defer: Effect = {
      type: 'defer',
      actionId: action.id,
      node: action.nodeId,
      at: now,
      until,
      reason: decision.reason,
    };
    await this.applier.apply(
      tx,
      pending,
      campaign,
      { state: campaign.state, effects: [defer] },
      { trigger: 'send', actionId: action.id },
    );
    // The entry says the caps' instant; the row when it is tried again.
    if (retry.getTime() > until.getTime()) await tx.actions.reschedule(action.id, retry);
    for (const job of pending.jobs)
      if (job.actionId === action.id) Object.assign(job, { runAt: jobAt, ...urgent });
    return { outcome: 'deferred', ...line };
  }
}
