import { actionReadiness, deferSend, findNode, onAddressSuppressed, onSendFailed } from '../engine/engine.ts';
import { type ComposedMessage, composeMessage } from '../messages/compose.ts';
import { formatMessageIdHeader } from '../messages/message-id.ts';
import type { CampaignStore, StoreTransaction } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { ExecutionObserver } from '../ports/execution-observer.ts';
import type {
  ActionOutcome,
  CampaignRecord,
  OutboundMessageRecord,
  ScheduledActionRecord,
} from '../ports/records.ts';
import type { OutboundEmail, OutboundSms } from '../ports/transport.ts';
import { campaignSender } from '../senders/campaign-sender.ts';
import type { ContactFrequencyCap } from '../senders/throttle.ts';
import { definition, errorMessage, stableUuid } from './campaign-record.ts';
import type { EffectApplier } from './effect-applier.ts';
import { holdReason, holdSend, senderHold } from './send-holds.ts';
import { type SendLine, SendLines } from './send-lines.ts';
import type { AtHand } from './send-pace.ts';
import { sendRequest } from './send-request.ts';
import { SendThrottle, THROTTLE_LEAD_MS } from './send-throttle.ts';
import { type AfterCommit, type CampaignTransactions, lockCampaign } from './transactions.ts';

/** What step 1's transaction settles: a claim (with the sends its line keeps at hand), a wait, or an outcome. */
type Claimed =
  | SendClaim
  | ExecuteActionResult
  | ThrottleWait
  | { deferredIn: SendLine }
  | { claim: SendClaim; atHand: AtHand };

/** How many sends ahead a deferred send brings forward at most (a waiting one: see `SendWaits`). */
const DEFERRED_PULL_LIMIT = 4;

export type ExecuteActionResult =
  | { outcome: ActionOutcome | 'deferred' | 'not_pending' | 'not_due' | 'retry' }
  | { outcome: 'missing' };

/** A send action as the send path names it: its id, its campaign, and its contact (its transactions' route). */
export interface ActionRef {
  actionId: string;
  campaignId: string;
  contactId: string;
}

/** A send claimed for one attempt (step 1 committed); `request` absent: the provider already has it. */
export interface SendClaim extends ActionRef {
  messageId: string;
  /** The action's `attempts` once claimed: a later step finds it unchanged unless another worker took over. */
  attempt: number;
  request?: OutboundEmail | OutboundSms;
  /** When the provider accepted the message (set once it has). */
  sentAt?: Date;
  /**
   * The slot the send was claimed for, when it is still ahead (at most `THROTTLE_LEAD_MS`): the message
   * is handed to the transport no earlier (`SendClaims.untilSlot`).
   */
  notBefore?: Date;
}

/**
 * A throttled send whose slot is at most `throttleWaitMs` away: only its `runAt` moved (to `wait`, no entry,
 * no job); or a send whose job came at most that long before its `runAt` (a throttle deferral's job comes
 * back early, see `SendThrottle`). Ask again `THROTTLE_LEAD_MS` before `wait`: the send is then claimed
 * for `wait`.
 * `ahead`: the sends of its sender before it in due order, still pending (the worker watches them go).
 */
export interface ThrottleWait {
  wait: Date;
  ahead: number;
  /** The sender's line the send waits in (absent when only the contact's cap holds it). */
  line?: SendLine;
}

/** Settings of the send path (see `ExecutionServiceDeps` for what each means and its default). */
export interface SendClaimSettings {
  maxSendAttempts: number;
  sendClaimLeaseMs: number;
  messageIdDomain: string;
  unsubscribe?: { baseUrl: string; secret: string } | undefined;
  /** `CONTACT_FREQUENCY_CAP` parsed; absent: no contact cap. */
  contactFrequencyCap?: ContactFrequencyCap | undefined;
  /** A cap's slot at most this far away is waited for by the worker (`ThrottleWait`); 0: always deferred. */
  throttleWaitMs?: number | undefined;
}

/**
 * Step 1 of a send (see `ActionRunner.executeAction`) and the claim's life after it: claiming under the
 * campaign's lock, renewing the lease while the provider has the message, taking over a claim whose
 * lease ran out, and giving up after the last attempt.
 */
export class SendClaims {
  private readonly store: CampaignStore;
  private readonly clock: Clock;
  private readonly transactions: CampaignTransactions;
  private readonly applier: EffectApplier;
  private readonly observer: ExecutionObserver;
  private readonly maxSendAttempts: number;
  private readonly sendClaimLeaseMs: number;
  private readonly messageIdDomain: string;
  private readonly unsubscribe: SendClaimSettings['unsubscribe'];
  private readonly throttle: SendThrottle;
  private readonly throttleWaitMs: number;
  /** How long before its slot a waiting send is claimed for it (`THROTTLE_LEAD_MS`, at most the wait). */
  readonly leadMs: number;
  /** Brings forward the head of a line that is late for it (`SendLines`). */
  readonly lines: SendLines;

  constructor(
    deps: {
      store: CampaignStore;
      clock: Clock;
      transactions: CampaignTransactions;
      applier: EffectApplier;
      observer?: ExecutionObserver | undefined;
    },
    settings: SendClaimSettings,
  ) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.transactions = deps.transactions;
    this.applier = deps.applier;
    this.observer = deps.observer ?? {};
    this.maxSendAttempts = settings.maxSendAttempts;
    this.sendClaimLeaseMs = settings.sendClaimLeaseMs;
    this.messageIdDomain = settings.messageIdDomain;
    this.unsubscribe = settings.unsubscribe;
    this.throttle = new SendThrottle(deps.applier, settings.contactFrequencyCap);
    this.throttleWaitMs = settings.throttleWaitMs ?? 0;
    this.leadMs = Math.min(this.throttleWaitMs, THROTTLE_LEAD_MS);
    this.lines = new SendLines(deps);
  }

  /** A send left `running` by a worker whose lease ran out (it died, or its step failed and waits). */
  claimExpired(action: ScheduledActionRecord): boolean {
    return (
      action.status === 'running' &&
      action.claimedUntil !== null &&
      action.claimedUntil.getTime() <= this.clock.now().getTime()
    );
  }

  /**
   * Step 1: claims the send and commits, or settles it without sending (not due, paused, stale,
   * suppressed, moved out of a forbidden local time, a template hole). A takeover of an expired claim
   * whose message the provider already accepted skips to step 3 (`request` absent). With `mayWait`, a
   * send whose caps free a slot within `throttleWaitMs`, or whose `runAt` is that close, is left as it is
   * (`ThrottleWait`); one whose `runAt` is within `THROTTLE_LEAD_MS` is claimed for its `runAt`
   * (`notBefore`): the caps and the plan's send rules are judged at that instant.
   */
  async claimSend(ref: ActionRef, mayWait = false): Promise<SendClaim | ExecuteActionResult | ThrottleWait> {
    const claimed = await this.claimStep(ref, mayWait);
    if ('atHand' in claimed) {
      // Claimed: the sends right behind it that the line will reach before their jobs come back. The claim
      // is committed: a pull that fails must not fail the send (its job's retry would find it claimed and
      // leave it to its lease); the sends behind then bring the line forward as before (`SendWaits`).
      await this.lines.pullBehind(claimed.atHand).catch(() => 0);
      return claimed.claim;
    }
    if (!('deferredIn' in claimed)) return claimed;
    // Deferred behind sends of its sender: when the line's head is away too, nothing would move it.
    await this.lines.pullAhead(claimed.deferredIn, DEFERRED_PULL_LIMIT);
    return { outcome: 'deferred' };
  }

  private async claimStep(ref: ActionRef, mayWait: boolean): Promise<Claimed> {
    const { actionId, campaignId, contactId } = ref;
    return this.transactions.run(
      async (tx, pending): Promise<Claimed> => {
        const campaign = await lockCampaign(tx, campaignId);
        const action = await tx.actions.lock(actionId);
        if (!action) return { outcome: 'not_pending' };
        const takeover = this.claimExpired(action);
        if (action.status !== 'pending' && !takeover) return { outcome: 'not_pending' };
        const now = this.clock.now();
        const node = findNode(definition(campaign), action.nodeId);
        if (node.action !== 'send')
          throw new Error(`send action ${action.id} points at ${node.action} node ${node.id}`);
        const dedupeKey = `${campaign.id}:${node.id}:${action.step}`;
        // Derived from the dedupe key: a send retried after a crash between the provider's acceptance and
        // our record goes out with the same id, hence the same Message-ID, which receivers deduplicate.
        const messageId = stableUuid(`message:${dedupeKey}`);
        const claim = { actionId, campaignId, contactId, messageId, attempt: action.attempts + 1 };
        if (takeover) {
          // Locked: a late acceptance record of the worker that lost the claim waits for this decision.
          const message = await tx.messages.lock(messageId);
          if (message?.status === 'sent' || message?.status === 'shadow')
            return this.takeOverAccepted(tx, pending, campaign, action, claim, message);
        }
        // The instant the send is claimed for: `now`, or its `runAt` when that is at most the lead away.
        let at = takeover || action.runAt.getTime() <= now.getTime() ? now : action.runAt;
        if (!takeover && action.runAt.getTime() - now.getTime() > (mayWait ? this.leadMs : 0)) {
          const early = mayWait && action.runAt.getTime() - now.getTime() <= this.throttleWaitMs;
          // A paced retry (its sender's caps deferred it) is an estimate of when its line reaches it: the
          // caps decide from now, so a line that went faster does not wait for it (`SendLines`).
          if (early && (await this.lines.pacedRetryDue(tx, campaign, action, now))) at = now;
          else if (early) return { wait: action.runAt, ahead: 0 };
          else {
            pending.jobs.push({ actionId: action.id, contactId, runAt: action.runAt });
            return { outcome: 'not_due' };
          }
        }
        const readiness = actionReadiness(campaign.state, action);
        if (readiness === 'defer') {
          // Paused since its worker died: the send waits for resume like any other.
          if (takeover) await this.abandonClaim(tx, action.id, messageId, action.runAt);
          return { outcome: 'deferred' };
        }
        if (readiness === 'stale') {
          if (takeover) await tx.messages.markFailed(messageId, 'claim expired; the campaign moved on');
          await tx.actions.finish(action.id, 'skipped', 'stale', now);
          return { outcome: 'stale' };
        }
        const contact = await tx.contacts.get(campaign.contactId);
        if (!contact) throw new Error(`campaign ${campaign.id} has no contact`);
        // Suppression is per channel (DESIGN section 10): an SMS goes unless its number is suppressed for
        // SMS; an email unless its address (or the contact, by an email event) is suppressed for email.
        const suppressedAs =
          node.channel === 'sms'
            ? contact.phone
              ? await tx.contacts.phoneSuppressed(contact.phone)
              : null
            : contact.suppressedAt
              ? (contact.suppressionReason ?? 'suppressed')
              : contact.email === null
                ? null
                : await tx.contacts.emailSuppressed(contact.email);
        if (suppressedAs !== null) {
          // Suppression stops campaigns in the same transaction; this is the backstop for an address
          // suppressed under another contact id, which stops this campaign too (never left idling).
          if (takeover) await tx.messages.markFailed(messageId, 'claim expired; the contact is suppressed');
          await tx.actions.finish(action.id, 'skipped', 'stale', now, 'contact suppressed');
          const reason = suppressedAs === 'complained' ? 'complained' : 'unsubscribed';
          await this.applier.apply(tx, pending, campaign, onAddressSuppressed(campaign.state, reason, now), {
            trigger: 'send',
            actionId: action.id,
          });
          return { outcome: 'stale' };
        }
        if (takeover && action.attempts >= this.maxSendAttempts) {
          await tx.messages.markFailed(messageId, 'the claim expired on the last attempt');
          const error = action.lastError ?? 'the claim expired (the worker stopped during the send)';
          return this.giveUp(tx, pending, campaign, action.id, 'transport', error);
        }
        // Held without an end (the emergency stop; a paused, disabled or deleted sender): pending at its due
        // time until the hold is lifted.
        const hold = await holdReason(tx, () => senderHold(tx, campaign, node.channel ?? 'email'));
        if (hold) {
          if (takeover) await this.abandonClaim(tx, action.id, messageId, action.runAt);
          await holdSend(tx, pending, this.applier, campaign, action, hold, now);
          return { outcome: 'deferred' };
        }
        const deferral = deferSend(definition(campaign), campaign.state, action, at);
        if (deferral) {
          if (takeover) await this.abandonClaim(tx, action.id, messageId, action.runAt);
          await this.applier.apply(tx, pending, campaign, deferral, { trigger: 'send', actionId: action.id });
          // Past its expiresAt (1.1 expireAfter) the send is skipped and the campaign stopped, not moved.
          return { outcome: deferral.effects.some((e) => e.type === 'skip') ? 'expired' : 'deferred' };
        }
        let composed: ComposedMessage;
        try {
          const parent = node.thread === true ? await tx.messages.latestSentEmail(campaign.id) : null;
          composed = composeMessage(node, contact, parent, this.messageIdDomain);
        } catch (error) {
          // The contact lost an attribute (or its phone) since activation: never send a hole, fail visibly.
          if (takeover) await tx.messages.markFailed(messageId, errorMessage(error));
          await tx.actions.finish(action.id, 'failed', 'failed', now, errorMessage(error));
          return { outcome: 'failed' };
        }
        const sender = await campaignSender(tx, campaign, composed.channel);
        // Caps (DESIGN section 11), last: an admission holds the sender's lock until this transaction
        // commits, so nothing that can be done before it is done under it. A takeover retries the slot its
        // first claim reserved.
        let behind: AtHand | undefined;
        if (!takeover) {
          const waitMs = mayWait ? this.throttleWaitMs : 0;
          const lead = mayWait ? this.leadMs : 0;
          const throttled = await this.throttle.admit(tx, pending, campaign, action, node, at, waitMs, lead);
          if (throttled.outcome === 'wait') {
            const line = throttled.line ? { line: throttled.line } : {};
            return { wait: throttled.until, ahead: throttled.ahead, ...line };
          }
          if (throttled.outcome === 'deferred' && throttled.line) return { deferredIn: throttled.line };
          if (throttled.outcome !== 'send') return { outcome: throttled.outcome };
          ({ at, behind } = throttled);
        }
        const message = await tx.messages.claim(
          {
            id: messageId,
            contactId: campaign.contactId,
            campaignId: campaign.id,
            actionId: action.id,
            nodeId: node.id,
            step: action.step,
            dedupeKey,
            toEmail: composed.to,
            senderId: sender?.id ?? null,
            claimedAt: at,
            // Shadow mode (DESIGN section 11): recorded as if sent now, never handed to a transport.
            ...(campaign.mode === 'shadow' ? { shadowAt: at } : {}),
            ...(composed.channel === 'sms'
              ? { channel: 'sms', subject: '', body: composed.text }
              : {
                  channel: 'email',
                  subject: composed.subject,
                  body: composed.body,
                  inReplyTo: composed.thread?.inReplyTo ?? null,
                  references: composed.thread?.references ?? null,
                  messageIdHeader: formatMessageIdHeader(messageId, this.messageIdDomain, campaign.contactId),
                }),
          },
          { takeOver: takeover },
        );
        if (!message) {
          await tx.actions.finish(action.id, 'skipped', 'stale', now, 'message already claimed');
          return { outcome: 'stale' };
        }
        await tx.actions.claim(action.id, new Date(at.getTime() + this.sendClaimLeaseMs));
        const slot = at.getTime() > now.getTime() ? { notBefore: at } : {};
        // A shadow message is already recorded: only step 3 is left, as after a provider's acceptance.
        const claimed: SendClaim =
          message.status === 'shadow'
            ? { ...claim, ...slot, sentAt: at }
            : {
                ...claim,
                ...slot,
                request: sendRequest(
                  { messageId: message.id, campaignId: campaign.id, contactId: contact.id },
                  composed,
                  sender,
                  { messageIdDomain: this.messageIdDomain, unsubscribe: this.unsubscribe },
                ),
              };
        return behind ? { claim: claimed, atHand: behind } : claimed;
      },
      { contactId },
    );
  }

  /**
   * A takeover of a send whose acceptance was recorded (its worker died, or its step 3 failed and waits
   * for another try): only step 3 is left, as one more attempt. After the last, the action fails.
   */
  private async takeOverAccepted(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
    action: ScheduledActionRecord,
    claim: SendClaim,
    message: OutboundMessageRecord,
  ): Promise<SendClaim | ExecuteActionResult> {
    const now = this.clock.now();
    if (action.attempts >= this.maxSendAttempts) {
      const error = action.lastError ?? 'the claim expired after the provider accepted the message';
      return this.giveUp(tx, pending, campaign, action.id, 'after_acceptance', error);
    }
    await tx.actions.claim(action.id, new Date(now.getTime() + this.sendClaimLeaseMs));
    return { ...claim, sentAt: message.sentAt ?? now };
  }

  /** Keeps a live worker's claim from expiring while the provider has the message. */
  async renewClaim(claim: SendClaim): Promise<void> {
    const until = new Date(this.clock.now().getTime() + this.sendClaimLeaseMs);
    await this.store.transaction((tx) => tx.actions.renewClaim(claim.actionId, claim.attempt, until), {
      contactId: claim.contactId,
    });
  }

  /** A taken-over claim that must not send now goes back to pending; its message may be claimed again. */
  private async abandonClaim(tx: StoreTransaction, actionId: string, messageId: string, runAt: Date) {
    await tx.messages.markFailed(messageId, 'claim expired before the provider accepted it');
    await tx.actions.release(actionId, runAt, 'claim expired');
  }

  /** The last attempt failed: the action fails and the campaign stops with reason `send_failed`. */
  async giveUp(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
    actionId: string,
    stage: 'transport' | 'after_acceptance',
    error: string,
  ): Promise<ExecuteActionResult> {
    const now = this.clock.now();
    await tx.actions.finish(actionId, 'failed', 'failed', now, error);
    const decision = onSendFailed(campaign.state, now);
    await this.applier.apply(tx, pending, campaign, decision, { trigger: 'send', actionId });
    // Reported only when it stopped the campaign (one that was already over lost nothing).
    if (decision.state !== campaign.state) {
      this.observer.sendFailed?.(stage, { actionId, campaignId: campaign.id, error });
    }
    return { outcome: 'failed' };
  }
}
