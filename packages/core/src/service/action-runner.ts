import { actionReadiness, onSendExecuted, onTimeout } from '../engine/engine.ts';
import type { CampaignStore } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { ExecutionObserver } from '../ports/execution-observer.ts';
import type { ScheduledActionRecord } from '../ports/records.ts';
import type { DeliveredJob, Scheduler } from '../ports/scheduler.ts';
import {
  type OutboundEmail,
  type OutboundSms,
  type SmsTransport,
  type Transport,
  type TransportErrorKind,
  type TransportResult,
  transportErrorKind,
} from '../ports/transport.ts';
import { definition, errorMessage } from './campaign-record.ts';
import type { EffectApplier } from './effect-applier.ts';
import type { Permits } from './permits.ts';
import type { ExecuteActionResult, SendClaim, SendClaims } from './send-claim.ts';
import type { SendWaits } from './send-waits.ts';
import { type CampaignTransactions, engineContext, lockCampaign } from './transactions.ts';
import { disableOnBadCredentials, refusalIsFinal } from './transport-refusal.ts';

/** Settings of the action runner (see `ExecutionServiceDeps` for what each means and its default). */
export interface ActionRunnerSettings {
  maxSendAttempts: number;
  sendClaimLeaseMs: number;
  retryBaseDelayMs: number;
}

/**
 * Runs due actions (rule 4 for sends, rule 6 for timeouts) as the scheduler delivers them, retries and
 * gives up on failed sends, and re-queues what the queue lost (the reconcile pass).
 */
export class ActionRunner {
  private readonly store: CampaignStore;
  private readonly scheduler: Scheduler;
  private readonly transport: Transport;
  private readonly smsTransport: SmsTransport | undefined;
  private readonly clock: Clock;
  private readonly transactions: CampaignTransactions;
  private readonly applier: EffectApplier;
  private readonly claims: SendClaims;
  private readonly waits: SendWaits;
  private readonly permits: Permits | undefined;
  private readonly observer: ExecutionObserver;
  private readonly smsOptedOut: ((messageId: string) => Promise<unknown>) | undefined;
  private readonly hardBounced: ((messageId: string, error: string) => Promise<unknown>) | undefined;
  private readonly maxSendAttempts: number;
  private readonly sendClaimLeaseMs: number;
  private readonly retryBaseDelayMs: number;

  constructor(
    deps: {
      store: CampaignStore;
      scheduler: Scheduler;
      transport: Transport;
      smsTransport?: SmsTransport | undefined;
      clock: Clock;
      transactions: CampaignTransactions;
      applier: EffectApplier;
      claims: SendClaims;
      waits: SendWaits;
      /** Bounds the actions run at once (`ExecutionServiceDeps.actionConcurrency`); absent: no bound. */
      permits?: Permits | undefined;
      observer?: ExecutionObserver | undefined;
      /**
       * Records that an SMS's number opted out at the carrier (`recipient_opted_out`: `unsubscribed`,
       * the number suppressed for SMS). Absent: such a refusal is retried as any other.
       */
      smsOptedOut?: ((messageId: string) => Promise<unknown>) | undefined;
      /** Records a recipient refused at send time as the message's `bounced` event (`hardBounceEvent`). */
      hardBounced?: ((messageId: string, error: string) => Promise<unknown>) | undefined;
    },
    settings: ActionRunnerSettings,
  ) {
    this.store = deps.store;
    this.scheduler = deps.scheduler;
    this.transport = deps.transport;
    this.smsTransport = deps.smsTransport;
    this.clock = deps.clock;
    this.transactions = deps.transactions;
    this.applier = deps.applier;
    this.claims = deps.claims;
    this.waits = deps.waits;
    this.permits = deps.permits;
    this.observer = deps.observer ?? {};
    this.smsOptedOut = deps.smsOptedOut;
    this.hardBounced = deps.hardBounced;
    this.maxSendAttempts = settings.maxSendAttempts;
    this.sendClaimLeaseMs = settings.sendClaimLeaseMs;
    this.retryBaseDelayMs = settings.retryBaseDelayMs;
  }

  /**
   * Claims a due action and applies it (rule 4 for sends, rule 6 for timeouts). A job delivered twice,
   * early, for a cancelled action or for a paused campaign does nothing harmful: the row decides.
   *
   * A send runs in three steps, none of which holds a lock while the provider is called:
   * 1. the claim: under the campaign's lock, status and step are re-checked, the send is moved if it would
   *    go out at a forbidden local time, and the action (`running`, with a lease) and its message
   *    (`sending`) are committed. An unsubscribe or a cancel either commits first (nothing is sent) or
   *    finds the send claimed (that one message cannot be recalled; nothing after it goes);
   * 2. the transport call, then the provider's acceptance recorded in a transaction of its own (the
   *    message is `sent`, its unsubscribe link works);
   * 3. what follows the send (rule 4: anchor, timeouts, completion), under the campaign's lock.
   * An error in step 3 never sends the message again: the step is retried with backoff and, after
   * `maxSendAttempts`, the action fails and the campaign stops (`send_failed`). A refused send (the
   * transport threw) is retried the same way. Only a crash between the provider's acceptance and its
   * record may send it again, once its lease has expired, with the same Message-ID. An urgent `job` (a send
   * back for its slot, or pulled by its line) waits for a permit ahead of the rest (a burst's backlog).
   */
  async executeAction(id: string, contactId?: string, job?: DeliveredJob): Promise<ExecuteActionResult> {
    const run = () => this.execute(id, contactId);
    return this.permits ? this.permits.run(run, job?.urgent === true) : run();
  }

  /**
   * With `contactId` (a job carries it), every statement names the action's contact (routed to its shard,
   * DESIGN section 9); without it only the first read finds the action by id alone, and the rest is routed
   * by the contact it names.
   */
  private async execute(actionId: string, contactId: string | undefined): Promise<ExecuteActionResult> {
    const unlocked = await this.store.read.getAction(actionId, contactId);
    if (!unlocked) return { outcome: 'missing' };
    if (unlocked.status !== 'pending' && !this.claims.claimExpired(unlocked))
      return { outcome: 'not_pending' };
    const result =
      unlocked.kind === 'send' ? await this.executeSend(unlocked) : await this.executeTimeout(unlocked);
    const ran = !['not_pending', 'not_due', 'deferred', 'missing'].includes(result.outcome);
    this.observer.actionExecuted?.(
      unlocked.kind,
      result.outcome,
      ran ? this.clock.now().getTime() - unlocked.runAt.getTime() : null,
    );
    return result;
  }

  private async executeTimeout(unlocked: ScheduledActionRecord): Promise<ExecuteActionResult> {
    const { contactId } = unlocked;
    return this.transactions.run(
      async (tx, pending) => {
        const campaign = await lockCampaign(tx, unlocked.campaignId);
        const action = await tx.actions.lock(unlocked.id);
        if (action?.status !== 'pending') return { outcome: 'not_pending' as const };
        const now = this.clock.now();
        if (action.runAt.getTime() > now.getTime()) {
          pending.jobs.push({ actionId: action.id, contactId, runAt: action.runAt });
          return { outcome: 'not_due' as const };
        }
        const readiness = actionReadiness(campaign.state, action);
        if (readiness === 'defer') return { outcome: 'deferred' as const };
        if (readiness === 'stale') {
          await tx.actions.finish(action.id, 'skipped', 'stale', now);
          return { outcome: 'stale' as const };
        }
        const event = action.event;
        if (event === null || action.transitionIndex === null)
          throw new Error(`timeout action ${action.id} has no event`);
        const decision = onTimeout(
          definition(campaign),
          campaign.state,
          {
            nodeId: action.nodeId,
            step: action.step,
            event,
            transitionIndex: action.transitionIndex,
            dueAt: action.dueAt,
          },
          await engineContext(tx, campaign),
          now,
        );
        if (decision.effect === 'deferred') return { outcome: 'deferred' as const };
        await tx.actions.finish(
          action.id,
          decision.effect === 'transition' ? 'done' : 'skipped',
          decision.effect,
          now,
        );
        await this.applier.apply(tx, pending, campaign, decision, {
          trigger: 'timeout',
          actionId: action.id,
        });
        return { outcome: decision.effect };
      },
      { contactId },
    );
  }

  /** Hands the message to the transport of its channel. */
  private deliver(request: OutboundEmail | OutboundSms): Promise<TransportResult> {
    if (request.channel !== 'sms') return this.transport.send(request);
    if (!this.smsTransport) return Promise.reject(new Error('no SMS transport is configured'));
    return this.smsTransport.send(request);
  }

  private async executeSend(unlocked: ScheduledActionRecord): Promise<ExecuteActionResult> {
    const { id: actionId, campaignId, contactId } = unlocked;
    const claim = await this.waits.claim({ actionId, campaignId, contactId });
    if ('outcome' in claim) return claim;
    await this.waits.untilSlot(claim);
    if (claim.request) {
      // Renewed while this worker lives: the reconcile loop takes over a dead worker's send, not a slow one.
      const renewal = setInterval(
        () => void this.claims.renewClaim(claim).catch(() => {}),
        Math.max(1_000, Math.floor(this.sendClaimLeaseMs / 3)),
      );
      try {
        let providerMessageId: string | null;
        try {
          ({ providerMessageId } = await this.deliver(claim.request));
        } catch (error) {
          if (this.smsOptedOut && transportErrorKind(error) === 'recipient_opted_out')
            return await this.recipientOptedOut(claim, errorMessage(error));
          if (this.hardBounced && transportErrorKind(error) === 'recipient_rejected')
            return await this.recipientRejected(claim, errorMessage(error));
          return await this.sendRefused(claim, errorMessage(error), transportErrorKind(error));
        }
        const sentAt = this.clock.now();
        await this.recordAcceptance(claim, sentAt, providerMessageId);
        claim.sentAt = sentAt;
      } finally {
        clearInterval(renewal);
      }
    }
    try {
      return await this.completeSend(claim);
    } catch (error) {
      return this.stepFailed(claim, errorMessage(error));
    }
  }

  /**
   * The transport threw: the provider did not take the message. Retry with backoff, or give up (at once
   * when the refusal is final); bad credentials disable the sender and hold the send (transport-refusal).
   */
  private async sendRefused(
    claim: SendClaim,
    error: string,
    kind: TransportErrorKind = 'retryable',
  ): Promise<ExecuteActionResult> {
    return this.transactions.run(async (tx, pending): Promise<ExecuteActionResult> => {
      const campaign = await lockCampaign(tx, claim.campaignId);
      const action = await tx.actions.lock(claim.actionId);
      // Another worker took the claim over meanwhile: that attempt decides.
      if (action?.status !== 'running' || action.attempts !== claim.attempt)
        return { outcome: 'not_pending' };
      await tx.messages.markFailed(claim.messageId, error);
      const held = await disableOnBadCredentials(tx, claim.request, kind, error, this.clock.now());
      if (!held && (refusalIsFinal(kind) || claim.attempt >= this.maxSendAttempts)) {
        return this.claims.giveUp(tx, pending, campaign, action.id, 'transport', error);
      }
      const runAt = this.backoff(claim.attempt);
      await tx.actions.release(action.id, runAt, error);
      pending.jobs.push({ actionId: action.id, contactId: claim.contactId, runAt });
      return { outcome: 'retry' };
    }, routed(claim));
  }

  /**
   * The provider refused the recipient itself: a hard bounce at send time, handled as a provider's
   * bounce report of a sent message is (never retried): the attempt is recorded as the message sent
   * (without a provider id), then its `bounced` event (the campaign exits if exitOn says so; the sender's
   * hard-bounce rate counts it), then rule 4 completes the step and replays the bounce into the node's
   * `bounced` transition if it has one. A crash after the first record leaves only rule 4 to the lease.
   */
  private async recipientRejected(claim: SendClaim, error: string): Promise<ExecuteActionResult> {
    const sentAt = this.clock.now();
    await this.recordAcceptance(claim, sentAt, null);
    claim.sentAt = sentAt;
    await this.hardBounced?.(claim.messageId, error);
    return this.completeSend(claim).catch((e: unknown) => this.stepFailed(claim, errorMessage(e)));
  }

  /**
   * The SMS provider refused the message because its number opted out at the carrier: never retried. The
   * opt-out is recorded first (an `unsubscribed` event of the message: the campaign stops, the number is
   * suppressed for SMS), then the message is `failed` and the action `skipped`. A crash between the two
   * leaves the claim to expire; the reconcile pass then finds the campaign stopped.
   */
  private async recipientOptedOut(claim: SendClaim, error: string): Promise<ExecuteActionResult> {
    await this.smsOptedOut?.(claim.messageId);
    return this.transactions.run(async (tx): Promise<ExecuteActionResult> => {
      await lockCampaign(tx, claim.campaignId);
      const action = await tx.actions.lock(claim.actionId);
      await tx.messages.markFailed(claim.messageId, error);
      if (action?.status !== 'running' || action.attempts !== claim.attempt)
        return { outcome: 'not_pending' };
      await tx.actions.finish(action.id, 'skipped', 'skipped', this.clock.now(), error);
      return { outcome: 'skipped' };
    }, routed(claim));
  }

  /**
   * Step 2's record: the provider accepted the message. In a transaction of its own, so the message is
   * `sent` (and its unsubscribe link works) whatever happens to the rest of the step. A database that is
   * briefly unavailable is waited for (backoff, for up to half the claim's lease, which the renewal keeps
   * alive meanwhile); only if it stays unavailable does the error propagate, and the lease decides (the
   * one resend window).
   */
  private async recordAcceptance(claim: SendClaim, sentAt: Date, providerMessageId: string | null) {
    const budgetMs = Math.floor(this.sendClaimLeaseMs / 2);
    let waitedMs = 0;
    for (let delayMs = 50; ; delayMs *= 2) {
      try {
        await this.store.transaction(
          (tx) => tx.messages.markSent(claim.messageId, sentAt, providerMessageId),
          routed(claim),
        );
        return;
      } catch (error) {
        if (waitedMs + delayMs > budgetMs) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        waitedMs += delayMs;
      }
    }
  }

  /** Step 3: the send is done; rule 4 anchors the node, schedules its timeouts or completes the campaign. */
  private async completeSend(claim: SendClaim): Promise<ExecuteActionResult> {
    return this.transactions.run(async (tx, pending): Promise<ExecuteActionResult> => {
      const campaign = await lockCampaign(tx, claim.campaignId);
      const action = await tx.actions.lock(claim.actionId);
      if (action?.status !== 'running' || action.attempts !== claim.attempt)
        return { outcome: 'not_pending' };
      const now = this.clock.now();
      const sentAt = claim.sentAt ?? now;
      await tx.actions.finish(action.id, 'done', 'sent', sentAt);
      const { state } = campaign;
      // A campaign that moved on while the message was in flight (an unsubscribe, a cancel) keeps its
      // state: the message went, nothing after it will.
      if (
        (state.status === 'active' || state.status === 'paused') &&
        state.step === action.step &&
        state.currentNodeId === action.nodeId
      ) {
        const ctx = await engineContext(tx, campaign);
        const decision = onSendExecuted(definition(campaign), state, sentAt, ctx, now);
        await this.applier.apply(tx, pending, campaign, decision, { trigger: 'send', actionId: action.id });
        // An event replayed here (it arrived while the step was under way) took the transition.
        const replayed = decision.effects.flatMap((e) =>
          e.type === 'enter' && e.trigger.kind === 'event' ? [e.trigger.eventId] : [],
        );
        if (replayed.length > 0) await tx.events.setEffect(replayed, 'transition');
      }
      return { outcome: 'sent' };
    }, routed(claim));
  }

  /**
   * Step 3 failed after the provider accepted the message. It is never sent again: the action stays
   * `running` and step 3 is tried again after a backoff (a job, and the lease for the reconcile loop),
   * until `maxSendAttempts`; then the action fails and the campaign stops (`send_failed`).
   */
  private async stepFailed(claim: SendClaim, error: string): Promise<ExecuteActionResult> {
    return this.transactions.run(async (tx, pending): Promise<ExecuteActionResult> => {
      const campaign = await lockCampaign(tx, claim.campaignId);
      const action = await tx.actions.lock(claim.actionId);
      if (action?.status !== 'running' || action.attempts !== claim.attempt)
        return { outcome: 'not_pending' };
      if (action.attempts >= this.maxSendAttempts) {
        return this.claims.giveUp(tx, pending, campaign, action.id, 'after_acceptance', error);
      }
      const until = this.backoff(action.attempts);
      await tx.actions.retryClaimed(action.id, until, error);
      pending.jobs.push({ actionId: action.id, contactId: claim.contactId, runAt: until });
      return { outcome: 'retry' };
    }, routed(claim));
  }

  /** When attempt `attempt` (1-based) is followed by the next: the base delay, doubled per attempt. */
  private backoff(attempt: number): Date {
    return new Date(this.clock.now().getTime() + this.retryBaseDelayMs * 2 ** (attempt - 1));
  }

  /**
   * The reconcile pass: pending actions of active campaigns that are overdue by more than `graceMs`
   * (a crash between commit and enqueue, a flushed Redis), and sends whose claim expired (their worker
   * died mid-send, or their step after the provider's acceptance waits for another try), are queued
   * again, due now. Safe to run from any number of workers at once: scheduling is idempotent per action
   * id and the row decides. Returns how many were queued.
   */
  async reconcileOverdue(graceMs: number, limit = 500): Promise<number> {
    const now = this.clock.now();
    const [overdue, expired] = await Promise.all([
      this.store.read.duePending(new Date(now.getTime() - graceMs), limit),
      this.store.read.expiredClaims(now, limit),
    ]);
    const jobs = [...overdue, ...expired].map((a) => ({
      actionId: a.id,
      contactId: a.contactId,
      runAt: now,
    }));
    if (jobs.length > 0) await this.scheduler.schedule(jobs);
    return jobs.length;
  }
}

/** The transaction options of a claimed send's steps: its contact's (`TransactionOptions.contactId`). */
const routed = (claim: SendClaim) => ({ contactId: claim.contactId });
