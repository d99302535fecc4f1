import { createHash } from 'node:crypto';
import {
  actionReadiness,
  activate,
  cancel,
  deferSend,
  findNode,
  onAddressSuppressed,
  onEvent,
  onSendExecuted,
  onSendFailed,
  onTimeout,
  pause,
  resume,
  timeoutsFromAnchor,
} from '../engine/engine.ts';
import { implausibleEventTime } from '../engine/event-time.ts';
import type {
  CampaignDefinition,
  CampaignState,
  Decision,
  EngineContext,
  PlannedAction,
  RecordedEvent,
  StopReason,
} from '../engine/types.ts';
import { TERMINAL_STATUSES } from '../engine/types.ts';
import {
  CampaignNotFoundError,
  ContactSuppressedError,
  IdempotencyConflictError,
  InvalidCampaignStateError,
  InvalidTimelineLimitError,
  PlanUpdateConflictError,
} from '../errors.ts';
import { type EngagementEvent, SUPPRESSING_EVENTS } from '../plan/plan-schema.ts';
import { assertValidPlan } from '../plan/validate-plan.ts';
import type { CampaignStore, CampaignView, ContactInput, StoreTransaction } from '../ports/campaign-store.ts';
import { formatMessageIdHeader } from '../messages/message-id.ts';
import type { Clock } from '../ports/clock.ts';
import type { ExecutionObserver } from '../ports/execution-observer.ts';
import {
  type ActionOutcome,
  type CampaignRecord,
  type MessageEventRecord,
  type NewScheduledAction,
  type NewTransition,
  type OutboundMessageRecord,
  type ScheduledActionRecord,
  type StoredEventEffect,
  UNKNOWN_EVENT_TYPE,
} from '../ports/records.ts';
import type { ScheduledJob, Scheduler } from '../ports/scheduler.ts';
import type { OutboundEmail, Transport } from '../ports/transport.ts';
import type { TimelineEntry } from '../simulate/timeline.ts';
import { renderMessage } from '../template/template.ts';
import {
  listUnsubscribeHeaders,
  signUnsubscribeToken,
  verifyUnsubscribeToken,
} from '../unsubscribe/unsubscribe-token.ts';
import { echoHeaders } from './echo-headers.ts';
import { campaignRequestHash } from './request-fingerprint.ts';
import { decodeTimelineCursor, encodeTimelineCursor } from './timeline-cursor.ts';

export interface ExecutionServiceDeps {
  store: CampaignStore;
  scheduler: Scheduler;
  transport: Transport;
  clock: Clock;
  /**
   * Attempts at a send step (a refused send, or the step after the provider's acceptance) before the
   * action fails and the campaign stops with reason `send_failed`. Default 5.
   */
  maxSendAttempts?: number;
  /**
   * How long a claimed send stays `running` before the reconcile loop may take it over (its worker died),
   * in milliseconds. Longer than any transport call. Default 300 000.
   */
  sendClaimLeaseMs?: number;
  /** Delay before the first send retry, doubled per attempt, in milliseconds. Default 30 000. */
  retryBaseDelayMs?: number;
  /** Domain of generated Message-ID headers. Default `campaign-engine.invalid`. */
  messageIdDomain?: string;
  /**
   * One-click unsubscribe (RFC 8058): every message gets `List-Unsubscribe` with
   * `${baseUrl}/${signed token}` and `List-Unsubscribe-Post`. Absent: no such headers (tests only).
   * Links are signed with `secret`; `previousSecrets` (a rotated-out secret) are accepted when
   * verifying only, so links already delivered keep working across a rotation.
   */
  unsubscribe?: { baseUrl: string; secret: string; previousSecrets?: string[] };
  /** Metrics hooks. */
  observer?: ExecutionObserver;
}

export interface PersistPlanInput {
  contact: ContactInput;
  plan: unknown;
  /** Activate at once (default true); false stores the campaign `pending`. */
  activate?: boolean;
  /**
   * Same key for the same contact and the same request (contact, plan, activate, compared as canonical
   * JSON) returns the same campaign and creates nothing; with a different request it throws
   * IdempotencyConflictError.
   */
  idempotencyKey?: string | null;
}

export interface CampaignSummary {
  id: string;
  contactId: string;
  status: CampaignState['status'];
  currentNodeId: string | null;
  stopReason: StopReason | null;
  planVersion: number;
  step: number;
}

/** A campaign as `getCampaign` returns it. */
export interface CampaignDetails extends CampaignView {
  /** Pass it to `getTimeline` for the entries after `timeline`; null when `timeline` is whole. */
  timelineNextCursor: string | null;
}

/** A page of a campaign's timeline (`getTimeline`). */
export interface TimelinePageResult {
  entries: TimelineEntry[];
  /** Pass it back for the next page; null when the timeline has no more entries (for now). */
  nextCursor: string | null;
}

/** Timeline pages: the size when none is asked for, and the largest a caller may ask for. */
export const TIMELINE_PAGE_SIZE = { default: 100, max: 1000 } as const;

export interface EventInput {
  /** Source of the event (`api`, `sendgrid`, ...); provider event ids are unique per provider and contact. */
  provider: string;
  providerEventId: string;
  /**
   * Our message id as the provider echoed it back from the message's echo field (see `echoHeaders`):
   * tried first. One that names no message of ours falls back to `messageId`, then `providerMessageId`.
   */
  echoedMessageId?: string | undefined;
  /** Our message id (for a provider event: from our Message-ID header). */
  messageId?: string | undefined;
  /** The provider's id for the message, as the Transport returned it. */
  providerMessageId?: string | undefined;
  /** null: an event type the engine does not act on; it is stored (with `rawType`) and ignored. */
  type: EngagementEvent | null;
  /** The provider's own name for the event. */
  rawType?: string | undefined;
  occurredAt: Date;
  machine?: boolean | undefined;
  bot?: boolean | undefined;
  autoReply?: boolean | undefined;
  payload?: unknown;
}

export type RecordEventResult =
  | { status: 'accepted'; eventId: string; effect: StoredEventEffect }
  | { status: 'duplicate' }
  | { status: 'unknown_message' }
  /** Dated too far before its message was sent or ahead of the clock (implausibleEventTime): stored nowhere. */
  | { status: 'implausible_time' };

export type ExecuteActionResult =
  | { outcome: ActionOutcome | 'deferred' | 'not_pending' | 'not_due' | 'retry' }
  | { outcome: 'missing' };

/** A send claimed for one attempt (step 1 committed); `request` absent: the provider already has it. */
interface SendClaim {
  actionId: string;
  campaignId: string;
  messageId: string;
  /** The action's `attempts` once claimed: a later step finds it unchanged unless another worker took over. */
  attempt: number;
  request?: OutboundEmail;
  /** When the provider accepted the message (set once it has). */
  sentAt?: Date;
}

/** What to tell the scheduler once a transaction commits. */
export interface AfterCommit {
  jobs: ScheduledJob[];
  cancelled: string[];
}

/**
 * Runs campaign plans on a database (DESIGN section 4): materializes a plan's actions, advances
 * campaigns as events and due actions arrive, and records every step. Each state change of a campaign
 * runs in one transaction that holds the campaign's row lock, and every entry point is idempotent.
 * All decisions come from the pure engine; this class only loads, applies and records them.
 */
export class CampaignPlanExecutionService {
  private readonly store: CampaignStore;
  private readonly scheduler: Scheduler;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly maxSendAttempts: number;
  private readonly sendClaimLeaseMs: number;
  private readonly retryBaseDelayMs: number;
  private readonly messageIdDomain: string;
  private readonly unsubscribe: ExecutionServiceDeps['unsubscribe'];
  private readonly observer: ExecutionObserver;

  constructor(deps: ExecutionServiceDeps) {
    this.store = deps.store;
    this.scheduler = deps.scheduler;
    this.transport = deps.transport;
    this.clock = deps.clock;
    this.maxSendAttempts = deps.maxSendAttempts ?? 5;
    this.sendClaimLeaseMs = deps.sendClaimLeaseMs ?? 300_000;
    this.retryBaseDelayMs = deps.retryBaseDelayMs ?? 30_000;
    this.messageIdDomain = deps.messageIdDomain ?? 'campaign-engine.invalid';
    this.unsubscribe = deps.unsubscribe;
    this.observer = deps.observer ?? {};
  }

  /**
   * Stores a contact's plan and, unless `activate` is false, activates it (the seed's
   * `contactCampaignPlan.service.persistPlan`). The plan is validated against the contact first; an
   * invalid plan throws PlanValidationError and stores nothing. A suppressed contact throws
   * ContactSuppressedError.
   */
  async persistPlan(input: PersistPlanInput): Promise<{ campaign: CampaignSummary; created: boolean }> {
    const contactId = input.contact.id ?? contactIdForEmail(input.contact.email);
    const plan = assertValidPlan(input.plan, {
      contact: {
        email: input.contact.email,
        name: input.contact.name ?? null,
        attributes: input.contact.attributes ?? null,
      },
      contactTimezone: input.contact.timezone ?? null,
    });
    const timezone = plan.timezone ?? input.contact.timezone;
    if (!timezone) throw new Error('validation accepted a plan without a zone');
    const now = this.clock.now();
    return this.inTransaction(async (tx, pending) => {
      const contact = await tx.contacts.upsertAndLock({ ...input.contact, id: contactId });
      if (contact.suppressedAt) throw new ContactSuppressedError(contact.id, contact.suppressionReason);
      // Suppression holds per address: a new contact id for a suppressed address is refused too.
      const byEmail = await tx.contacts.emailSuppressed(contact.email);
      if (byEmail) throw new ContactSuppressedError(contact.id, byEmail);
      const key = input.idempotencyKey ?? null;
      const requestHash = key === null ? null : campaignRequestHash(input);
      if (key !== null) {
        // The contact's lock serializes requests with one key: the second sees the first's campaign.
        const existing = await tx.campaigns.findByIdempotencyKey(contactId, key);
        if (existing && existing.requestHash !== null && existing.requestHash !== requestHash) {
          throw new IdempotencyConflictError(contactId, key, existing.id);
        }
        if (existing) return { campaign: summary(existing), created: false };
      }
      let campaign = await tx.campaigns.insert({
        contactId,
        plan,
        timezone,
        idempotencyKey: key,
        requestHash,
        createdAt: now,
      });
      if (input.activate ?? true) campaign = await this.activateLocked(tx, pending, campaign, now);
      return { campaign: summary(campaign), created: true };
    });
  }

  /**
   * Rule 1: activates a stored campaign, entering its start node now. Running it again, or on a campaign
   * that is already active or over, changes nothing.
   */
  async initializeCampaignExecution(campaignId: string): Promise<CampaignSummary> {
    return this.inTransaction(async (tx, pending) => {
      const campaign = await this.lockCampaign(tx, campaignId);
      if (campaign.state.status !== 'pending') return summary(campaign);
      const contact = await tx.contacts.get(campaign.contactId);
      if (contact?.suppressedAt) throw new ContactSuppressedError(contact.id, contact.suppressionReason);
      return summary(await this.activateLocked(tx, pending, campaign, this.clock.now()));
    });
  }

  private async activateLocked(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
    at: Date,
  ): Promise<CampaignRecord> {
    const decision = activate(definition(campaign), campaign.state, at, await this.context(tx, campaign));
    return this.apply(tx, pending, campaign, decision, { trigger: 'activation' });
  }

  /**
   * Rule 5: records an engagement event once (by provider event id) and applies it to its campaign in
   * the same transaction. Unsubscribes and complaints stop every campaign of the contact and suppress
   * it, also when the event names no message we know but a contact. An event dated more than
   * EVENT_TIME_TOLERANCE_MS before its message was sent, or ahead of the clock by more, is stored
   * nowhere (`implausible_time`); one with no message is checked against the future bound only.
   * An unsubscribe or complaint that names no message and no contact but an `email` is applied to
   * every contact with that address (see `recordByAddress`).
   */
  async recordEvent(
    input: EventInput & { contactId?: string | undefined; email?: string | undefined },
  ): Promise<RecordEventResult> {
    const message = await this.eventMessage(input);
    const contactId = message?.contactId ?? input.contactId;
    if (!contactId) return this.recordByAddress(input);
    // An open dated years before its message must not satisfy that message's `within` window.
    if (implausibleEventTime(input.occurredAt, message?.sentAt ?? null, this.clock.now()) !== null) {
      return { status: 'implausible_time' };
    }
    const type = input.type;
    const suppressing = type !== null && SUPPRESSING_EVENTS.includes(type);
    return this.inTransaction(async (tx, pending) => {
      // Lock order: contact before campaigns, whenever more than one campaign may change.
      if (suppressing) await tx.contacts.lock(contactId);
      const campaign = message && type !== null ? await tx.campaigns.lock(message.campaignId) : null;
      const event = await tx.events.insert({
        contactId,
        campaignId: message?.campaignId ?? null,
        messageId: message?.id ?? null,
        provider: input.provider,
        providerEventId: input.providerEventId,
        type: type ?? UNKNOWN_EVENT_TYPE,
        rawType: input.rawType ?? null,
        occurredAt: input.occurredAt,
        machine: input.machine ?? false,
        bot: input.bot ?? false,
        autoReply: input.autoReply ?? false,
        payload: input.payload ?? null,
      });
      if (!event) return { status: 'duplicate' as const };
      let effect: StoredEventEffect = 'ignored';
      if (campaign && isEngagement(event)) effect = await this.applyEvent(tx, pending, campaign, event);
      else if (suppressing && isEngagement(event)) {
        effect = (await this.suppressContact(tx, pending, contactId, event, null)) ? 'exit' : 'ignored';
      }
      if (!campaign) await tx.events.setEffect([event.id], effect);
      return { status: 'accepted' as const, eventId: event.id, effect };
    });
  }

  /**
   * Rule 5 holds per address: a suppression that names no message (Postmark's SubscriptionChange for an
   * address suppressed by hand or by import has no MessageID) is recorded for each contact with that
   * address, in id order, each in its own transaction, which suppresses it and stops its campaigns as
   * an unsubscribe does. A redelivery is a duplicate for each, and one cut short completes the rest.
   * Only suppressing events go by address: an open or a bounce means something only for its message.
   * An address no contact has stays `unknown_message` (nothing from an unknown sender creates a contact).
   */
  private async recordByAddress(
    input: EventInput & { email?: string | undefined },
  ): Promise<RecordEventResult> {
    const namesMessage =
      input.echoedMessageId !== undefined ||
      input.messageId !== undefined ||
      input.providerMessageId !== undefined;
    const suppressing = input.type !== null && SUPPRESSING_EVENTS.includes(input.type);
    if (namesMessage || !suppressing || input.email === undefined) return { status: 'unknown_message' };
    const results: RecordEventResult[] = [];
    for (const contactId of await this.store.read.contactIdsByEmail(input.email)) {
      results.push(await this.recordEvent({ ...input, email: undefined, contactId }));
    }
    const accepted = results.filter((r) => r.status === 'accepted');
    return (
      accepted.find((r) => r.effect === 'exit') ?? accepted[0] ?? results[0] ?? { status: 'unknown_message' }
    );
  }

  /**
   * The message an event names, trying in order (DESIGN section 7): the id the provider echoed back,
   * our Message-ID, the provider's own id. An echoed id that names no message of ours (a tag of the
   * same name set by someone else, a message from another deployment) is passed over, not trusted.
   */
  private async eventMessage(input: EventInput): Promise<OutboundMessageRecord | null> {
    if (input.echoedMessageId !== undefined) {
      const echoed = await this.store.read.findMessage({ messageId: input.echoedMessageId });
      if (echoed) return echoed;
    }
    if (input.messageId === undefined && input.providerMessageId === undefined) return null;
    return this.store.read.findMessage({
      messageId: input.messageId,
      providerMessageId: input.providerMessageId,
    });
  }

  /**
   * Applies an already recorded event to its campaign (the seed's `processTransition`). Idempotent: an
   * event that was applied before changes nothing, and of any number of concurrent calls for one
   * campaign each sees the state the previous one left.
   */
  async processTransition(eventId: string): Promise<StoredEventEffect | null> {
    return this.inTransaction(async (tx, pending) => {
      const unlocked = await tx.events.get(eventId);
      if (!unlocked?.campaignId || !isEngagement(unlocked)) return null;
      if (SUPPRESSING_EVENTS.includes(unlocked.type)) await tx.contacts.lock(unlocked.contactId);
      const campaign = await this.lockCampaign(tx, unlocked.campaignId);
      const event = await tx.events.get(eventId);
      if (!event || !isEngagement(event) || event.effect !== null) return event?.effect ?? null;
      return this.applyEvent(tx, pending, campaign, event);
    });
  }

  private async applyEvent(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
    event: EngagementRecord,
  ): Promise<StoredEventEffect> {
    const now = this.clock.now();
    const decision = onEvent(
      definition(campaign),
      campaign.state,
      toRecorded(event),
      await this.context(tx, campaign),
      now,
    );
    let effect: StoredEventEffect =
      decision.effect === 'ignored' && campaign.state.status === 'paused' ? 'deferred' : decision.effect;
    await this.apply(tx, pending, campaign, decision, { trigger: 'event', eventId: event.id });
    // Unsubscribes and complaints suppress the contact whatever this campaign's state: the one-click
    // link of a completed campaign's last email must still stop the contact's other campaigns.
    if (SUPPRESSING_EVENTS.includes(event.type)) {
      const stoppedOthers = await this.suppressContact(tx, pending, campaign.contactId, event, campaign.id);
      if (stoppedOthers && effect === 'ignored') effect = 'exit';
    }
    await tx.events.setEffect([event.id], effect);
    return effect;
  }

  /** Suppresses the contact and stops its other open campaigns, locked in id order. */
  private async suppressContact(
    tx: StoreTransaction,
    pending: AfterCommit,
    contactId: string,
    event: EngagementRecord,
    alreadyStopped: string | null,
  ): Promise<boolean> {
    const now = this.clock.now();
    await tx.contacts.suppress(contactId, event.type, now);
    let stoppedAny = false;
    for (const id of await tx.campaigns.openCampaignIds(contactId)) {
      if (id === alreadyStopped) continue;
      const other = await tx.campaigns.lock(id);
      if (!other) continue;
      const decision = onEvent(
        definition(other),
        other.state,
        { ...toRecorded(event), messageId: null },
        EMPTY_CONTEXT,
        now,
      );
      if (decision.effect === 'exit') stoppedAny = true;
      await this.apply(tx, pending, other, decision, { trigger: 'event', eventId: event.id });
    }
    return stoppedAny;
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
   * record may send it again, once its lease has expired, with the same Message-ID.
   */
  async executeAction(actionId: string): Promise<ExecuteActionResult> {
    const unlocked = await this.store.read.getAction(actionId);
    if (!unlocked) return { outcome: 'missing' };
    if (unlocked.status !== 'pending' && !this.claimExpired(unlocked)) return { outcome: 'not_pending' };
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

  /** A send left `running` by a worker whose lease ran out (it died, or its step failed and waits). */
  private claimExpired(action: ScheduledActionRecord): boolean {
    return (
      action.status === 'running' &&
      action.claimedUntil !== null &&
      action.claimedUntil.getTime() <= this.clock.now().getTime()
    );
  }

  private async executeTimeout(unlocked: ScheduledActionRecord): Promise<ExecuteActionResult> {
    return this.inTransaction(async (tx, pending) => {
      const campaign = await this.lockCampaign(tx, unlocked.campaignId);
      const action = await tx.actions.lock(unlocked.id);
      if (action?.status !== 'pending') return { outcome: 'not_pending' as const };
      const now = this.clock.now();
      if (action.runAt.getTime() > now.getTime()) {
        pending.jobs.push({ actionId: action.id, runAt: action.runAt });
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
        await this.context(tx, campaign),
        now,
      );
      if (decision.effect === 'deferred') return { outcome: 'deferred' as const };
      await tx.actions.finish(
        action.id,
        decision.effect === 'transition' ? 'done' : 'skipped',
        decision.effect,
        now,
      );
      await this.apply(tx, pending, campaign, decision, { trigger: 'timeout', actionId: action.id });
      return { outcome: decision.effect };
    });
  }

  private async executeSend(unlocked: ScheduledActionRecord): Promise<ExecuteActionResult> {
    const claim = await this.claimSend(unlocked.id, unlocked.campaignId);
    if ('outcome' in claim) return claim;
    if (claim.request) {
      // While this worker is alive its claim is renewed, so the reconcile loop takes over only a send
      // whose worker died, never one that is merely slow.
      const renewal = setInterval(
        () => void this.renewClaim(claim).catch(() => {}),
        Math.max(1_000, Math.floor(this.sendClaimLeaseMs / 3)),
      );
      try {
        let providerMessageId: string | null;
        try {
          ({ providerMessageId } = await this.transport.send(claim.request));
        } catch (error) {
          return await this.sendRefused(claim, errorMessage(error));
        }
        const sentAt = this.clock.now();
        await this.recordAcceptance(claim.messageId, sentAt, providerMessageId);
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
   * Step 1: claims the send and commits, or settles it without sending (not due, paused, stale,
   * suppressed, moved out of a forbidden local time, a template hole). A takeover of an expired claim
   * whose message the provider already accepted skips to step 3 (`request` absent).
   */
  private async claimSend(actionId: string, campaignId: string): Promise<SendClaim | ExecuteActionResult> {
    return this.inTransaction(async (tx, pending): Promise<SendClaim | ExecuteActionResult> => {
      const campaign = await this.lockCampaign(tx, campaignId);
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
      const claim = { actionId, campaignId, messageId, attempt: action.attempts + 1 };
      if (takeover) {
        // Locked: a late acceptance record of the worker that lost the claim waits for this decision.
        const message = await tx.messages.lock(messageId);
        if (message?.status === 'sent')
          return this.takeOverAccepted(tx, pending, campaign, action, claim, message);
      } else if (action.runAt.getTime() > now.getTime()) {
        pending.jobs.push({ actionId: action.id, runAt: action.runAt });
        return { outcome: 'not_due' };
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
      const suppressedAs = contact.suppressedAt
        ? (contact.suppressionReason ?? 'suppressed')
        : await tx.contacts.emailSuppressed(contact.email);
      if (suppressedAs !== null) {
        // Suppression stops campaigns in the same transaction; this is the backstop for an address
        // suppressed under another contact id, which stops this campaign too (never left idling).
        if (takeover) await tx.messages.markFailed(messageId, 'claim expired; the contact is suppressed');
        await tx.actions.finish(action.id, 'skipped', 'stale', now, 'contact suppressed');
        const reason = suppressedAs === 'complained' ? 'complained' : 'unsubscribed';
        await this.apply(tx, pending, campaign, onAddressSuppressed(campaign.state, reason, now), {
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
      const deferral = deferSend(definition(campaign), campaign.state, action, now);
      if (deferral) {
        if (takeover) await this.abandonClaim(tx, action.id, messageId, action.runAt);
        await this.apply(tx, pending, campaign, deferral, { trigger: 'send', actionId: action.id });
        return { outcome: 'deferred' };
      }
      let rendered: { subject: string; body: string };
      try {
        rendered = renderMessage(node, contact);
      } catch (error) {
        // The contact lost an attribute since activation: never send a hole, fail the action visibly.
        if (takeover) await tx.messages.markFailed(messageId, errorMessage(error));
        await tx.actions.finish(action.id, 'failed', 'failed', now, errorMessage(error));
        return { outcome: 'failed' };
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
          toEmail: contact.email,
          subject: rendered.subject,
          body: rendered.body,
        },
        { takeOver: takeover },
      );
      if (!message) {
        await tx.actions.finish(action.id, 'skipped', 'stale', now, 'message already claimed');
        return { outcome: 'stale' };
      }
      await tx.actions.claim(action.id, new Date(now.getTime() + this.sendClaimLeaseMs));
      return {
        ...claim,
        request: {
          messageId: message.id,
          messageIdHeader: formatMessageIdHeader(message.id, this.messageIdDomain),
          campaignId: campaign.id,
          contactId: contact.id,
          to: contact.email,
          subject: rendered.subject,
          html: rendered.body,
          headers: {
            // Every message, whatever the transport: the providers echo it back in their events.
            ...echoHeaders(message.id),
            ...(this.unsubscribe
              ? listUnsubscribeHeaders(
                  `${this.unsubscribe.baseUrl.replace(/\/$/, '')}/${signUnsubscribeToken(message.id, this.unsubscribe.secret)}`,
                )
              : {}),
          },
        },
      };
    });
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
  private async renewClaim(claim: SendClaim): Promise<void> {
    const until = new Date(this.clock.now().getTime() + this.sendClaimLeaseMs);
    await this.store.transaction((tx) => tx.actions.renewClaim(claim.actionId, claim.attempt, until));
  }

  /** A taken-over claim that must not send now goes back to pending; its message may be claimed again. */
  private async abandonClaim(tx: StoreTransaction, actionId: string, messageId: string, runAt: Date) {
    await tx.messages.markFailed(messageId, 'claim expired before the provider accepted it');
    await tx.actions.release(actionId, runAt, 'claim expired');
  }

  /** The transport threw: the provider did not take the message. Retry with backoff, or give up. */
  private async sendRefused(claim: SendClaim, error: string): Promise<ExecuteActionResult> {
    return this.inTransaction(async (tx, pending): Promise<ExecuteActionResult> => {
      const campaign = await this.lockCampaign(tx, claim.campaignId);
      const action = await tx.actions.lock(claim.actionId);
      // Another worker took the claim over meanwhile: that attempt decides.
      if (action?.status !== 'running' || action.attempts !== claim.attempt)
        return { outcome: 'not_pending' };
      await tx.messages.markFailed(claim.messageId, error);
      if (claim.attempt >= this.maxSendAttempts) {
        return this.giveUp(tx, pending, campaign, action.id, 'transport', error);
      }
      const runAt = this.backoff(claim.attempt);
      await tx.actions.release(action.id, runAt, error);
      pending.jobs.push({ actionId: action.id, runAt });
      return { outcome: 'retry' };
    });
  }

  /**
   * Step 2's record: the provider accepted the message. In a transaction of its own, so the message is
   * `sent` (and its unsubscribe link works) whatever happens to the rest of the step. A database that is
   * briefly unavailable is waited for (backoff, for up to half the claim's lease, which the renewal keeps
   * alive meanwhile); only if it stays unavailable does the error propagate, and the lease decides (the
   * one resend window).
   */
  private async recordAcceptance(messageId: string, sentAt: Date, providerMessageId: string | null) {
    const budgetMs = Math.floor(this.sendClaimLeaseMs / 2);
    let waitedMs = 0;
    for (let delayMs = 50; ; delayMs *= 2) {
      try {
        await this.store.transaction((tx) => tx.messages.markSent(messageId, sentAt, providerMessageId));
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
    return this.inTransaction(async (tx, pending): Promise<ExecuteActionResult> => {
      const campaign = await this.lockCampaign(tx, claim.campaignId);
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
        const ctx = await this.context(tx, campaign);
        const decision = onSendExecuted(definition(campaign), state, sentAt, ctx, now);
        await this.apply(tx, pending, campaign, decision, { trigger: 'send', actionId: action.id });
        // An event replayed here (it arrived while the step was under way) took the transition.
        const replayed = decision.effects.flatMap((e) =>
          e.type === 'enter' && e.trigger.kind === 'event' ? [e.trigger.eventId] : [],
        );
        if (replayed.length > 0) await tx.events.setEffect(replayed, 'transition');
      }
      return { outcome: 'sent' };
    });
  }

  /**
   * Step 3 failed after the provider accepted the message. It is never sent again: the action stays
   * `running` and step 3 is tried again after a backoff (a job, and the lease for the reconcile loop),
   * until `maxSendAttempts`; then the action fails and the campaign stops (`send_failed`).
   */
  private async stepFailed(claim: SendClaim, error: string): Promise<ExecuteActionResult> {
    return this.inTransaction(async (tx, pending): Promise<ExecuteActionResult> => {
      const campaign = await this.lockCampaign(tx, claim.campaignId);
      const action = await tx.actions.lock(claim.actionId);
      if (action?.status !== 'running' || action.attempts !== claim.attempt)
        return { outcome: 'not_pending' };
      if (action.attempts >= this.maxSendAttempts) {
        return this.giveUp(tx, pending, campaign, action.id, 'after_acceptance', error);
      }
      const until = this.backoff(action.attempts);
      await tx.actions.retryClaimed(action.id, until, error);
      pending.jobs.push({ actionId: action.id, runAt: until });
      return { outcome: 'retry' };
    });
  }

  /** The last attempt failed: the action fails and the campaign stops with reason `send_failed`. */
  private async giveUp(
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
    await this.apply(tx, pending, campaign, decision, { trigger: 'send', actionId });
    // Reported only when it stopped the campaign (one that was already over lost nothing).
    if (decision.state !== campaign.state) {
      this.observer.sendFailed?.(stage, { actionId, campaignId: campaign.id, error });
    }
    return { outcome: 'failed' };
  }

  /** When attempt `attempt` (1-based) is followed by the next: the base delay, doubled per attempt. */
  private backoff(attempt: number): Date {
    return new Date(this.clock.now().getTime() + this.retryBaseDelayMs * 2 ** (attempt - 1));
  }

  /** Rule 8: pause an active campaign; its pending actions stay pending and none runs. */
  async pause(campaignId: string): Promise<CampaignSummary> {
    return this.control(campaignId, (campaign, _ctx, now) => pause(campaign.state, now));
  }

  /**
   * Rule 8: resume a paused campaign. Events recorded while paused are applied first; then what fell due
   * runs now (sends still obey quiet hours).
   */
  async resume(campaignId: string): Promise<CampaignSummary> {
    return this.inTransaction(async (tx, pending) => {
      const campaign = await this.lockCampaign(tx, campaignId);
      if (campaign.state.status !== 'paused')
        throw new InvalidCampaignStateError('resume', campaign.state.status);
      const deferred = await tx.events.deferred(campaign.id);
      const pendingActionRows = await tx.actions.listPending(campaign.id);
      const decision = resume(
        definition(campaign),
        campaign.state,
        this.clock.now(),
        await this.context(tx, campaign),
        deferred.filter(isEngagement).map(toRecorded),
        pendingActionRows.map((a) => ({ id: a.id, kind: a.kind, runAt: a.runAt })),
      );
      // Each event recorded while paused keeps the effect it had at resume (unknown types stay ignored).
      for (const effect of ['transition', 'exit', 'ignored'] as const) {
        const ids = deferred
          .map((e) => e.id)
          .filter((id) => (decision.replayed.find((r) => r.eventId === id)?.effect ?? 'ignored') === effect);
        if (ids.length > 0) await tx.events.setEffect(ids, effect);
      }
      return summary(await this.apply(tx, pending, campaign, decision, { trigger: 'api' }));
    });
  }

  /** Rule 8: cancel a campaign; every pending action is cancelled. */
  async cancel(campaignId: string): Promise<CampaignSummary> {
    return this.control(campaignId, (campaign, _ctx, now) => cancel(campaign.state, now));
  }

  private async control(
    campaignId: string,
    decide: (campaign: CampaignRecord, ctx: EngineContext, now: Date) => Decision,
  ): Promise<CampaignSummary> {
    return this.inTransaction(async (tx, pending) => {
      const campaign = await this.lockCampaign(tx, campaignId);
      const decision = decide(campaign, await this.context(tx, campaign), this.clock.now());
      return summary(await this.apply(tx, pending, campaign, decision, { trigger: 'api' }));
    });
  }

  /**
   * Rule 9: store a new plan version for a campaign that is not over. The campaign stays at its current
   * node, which the new plan must have (else PlanUpdateConflictError and nothing changes); the node's
   * pending timeouts are recomputed from its original anchor.
   */
  async updatePlan(campaignId: string, planInput: unknown): Promise<CampaignSummary> {
    return this.inTransaction(async (tx, pending) => {
      const campaign = await this.lockCampaign(tx, campaignId);
      if (TERMINAL_STATUSES.includes(campaign.state.status)) {
        throw new InvalidCampaignStateError('update the plan of', campaign.state.status);
      }
      const contact = await tx.contacts.get(campaign.contactId);
      const plan = assertValidPlan(planInput, {
        contact: contact
          ? { email: contact.email, name: contact.name, attributes: contact.attributes }
          : undefined,
        contactTimezone: contact?.timezone ?? null,
      });
      const current = campaign.state.currentNodeId;
      const replacement = current === null ? undefined : plan.nodes.find((n) => n.id === current);
      if (current !== null && !replacement) {
        throw new PlanUpdateConflictError(`the new plan has no node "${current}", where the campaign is now`);
      }
      if (current !== null && replacement) {
        const was = findNode(definition(campaign), current).action;
        if (replacement.action !== was) {
          throw new PlanUpdateConflictError(
            `node "${current}", where the campaign is now, is a ${was} node; the new plan makes it a ${replacement.action} node`,
          );
        }
      }
      const now = this.clock.now();
      const planVersion = campaign.planVersion + 1;
      await tx.campaigns.savePlan(campaign.id, plan, planVersion, now);
      const updated: CampaignRecord = {
        ...campaign,
        plan,
        planVersion,
        timezone: plan.timezone ?? campaign.timezone,
      };
      pending.cancelled.push(...(await tx.actions.cancelPending(campaign.id, 'timeout')));
      await tx.transitions.insertMany([
        transitionRow(updated, { kind: 'plan_update', at: now, step: updated.state.step, trigger: 'api' }),
      ]);
      const node = current === null ? undefined : findNode(definition(updated), current);
      if (
        node?.action === 'send' &&
        updated.state.anchorAt !== null &&
        (node.transitions ?? []).length === 0
      ) {
        // Rule 4: a send node that has sent and has no transitions left completes the campaign.
        const done: Decision = {
          state: { ...updated.state, status: 'completed' },
          effects: [{ type: 'cancel_pending' }, { type: 'end', at: now, status: 'completed', reason: null }],
        };
        return summary(await this.apply(tx, pending, updated, done, { trigger: 'api' }));
      }
      await this.scheduleNodeTimeouts(tx, pending, updated);
      return summary(updated);
    });
  }

  /**
   * RFC 8058 one-click unsubscribe: the token from a message's List-Unsubscribe URL is checked against
   * the secret (or a previous one) and recorded as an `unsubscribed` event of that message (once: the
   * provider event id is derived from the message). Null when the token is forged or names no message.
   */
  async unsubscribeByToken(token: string): Promise<RecordEventResult | null> {
    const messageId = this.unsubscribeMessageId(token);
    if (!messageId) return null;
    const result = await this.recordEvent({
      provider: 'list-unsubscribe',
      providerEventId: `unsubscribe:${messageId}`,
      messageId,
      type: 'unsubscribed',
      occurredAt: this.clock.now(),
    });
    return result.status === 'unknown_message' ? null : result;
  }

  /**
   * Whether an unsubscribe link is good (signed, naming a message we know) without acting on it: the
   * confirmation page a GET shows asks this, and link scanners fetch that page unasked.
   */
  async unsubscribeLinkValid(token: string): Promise<boolean> {
    const messageId = this.unsubscribeMessageId(token);
    return messageId !== null && (await this.store.read.findMessage({ messageId })) !== null;
  }

  /** The message id a token was signed for, with the secret or a previous one; null when forged. */
  private unsubscribeMessageId(token: string): string | null {
    if (!this.unsubscribe) return null;
    const { secret, previousSecrets = [] } = this.unsubscribe;
    return verifyUnsubscribeToken(token, [secret, ...previousSecrets]);
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
    const ids = [...overdue, ...expired].map((a) => a.id);
    if (ids.length > 0) await this.scheduler.schedule(ids.map((actionId) => ({ actionId, runAt: now })));
    return ids.length;
  }

  /**
   * The campaign with its contact, pending actions and timeline: the whole timeline, or with
   * `timelineLimit` (1 to 1000) only its oldest entries and the cursor `getTimeline` continues from.
   */
  async getCampaign(campaignId: string, options: { timelineLimit?: number } = {}): Promise<CampaignDetails> {
    if (options.timelineLimit !== undefined) checkTimelineLimit(options.timelineLimit);
    const view = await this.store.read.view(campaignId, options);
    if (!view) throw new CampaignNotFoundError(campaignId);
    const next = view.timelineNext;
    return { ...view, timelineNextCursor: next ? encodeTimelineCursor(view.campaign.id, next) : null };
  }

  /**
   * Stores planned actions (the seed's `scheduleAction`), idempotently per idempotency key, and queues
   * them: in the transaction when the scheduler can, else after commit.
   */
  async scheduleAction(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
    action: PlannedAction,
  ): Promise<void> {
    await this.scheduleActions(tx, pending, campaign, [action]);
  }

  /** Schedules the current node's timeouts from its anchor (the seed's `scheduleNodeTimeouts`). */
  async scheduleNodeTimeouts(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
  ): Promise<void> {
    await this.scheduleActions(
      tx,
      pending,
      campaign,
      timeoutsFromAnchor(definition(campaign), campaign.state),
    );
  }

  private async scheduleActions(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
    actions: readonly PlannedAction[],
  ): Promise<void> {
    if (actions.length === 0) return;
    const rows: NewScheduledAction[] = actions.map((action) => ({
      contactId: campaign.contactId,
      campaignId: campaign.id,
      action,
      idempotencyKey: actionKey(campaign, action),
    }));
    const inserted = await tx.actions.insertMany(rows);
    for (const kind of ['send', 'timeout'] as const) {
      const count = inserted.filter((a) => a.kind === kind).length;
      if (count > 0) this.observer.actionsScheduled?.(kind, count);
    }
    const jobs = inserted.map((a) => ({ actionId: a.id, runAt: a.runAt }));
    if (this.scheduler.enqueuesInTransaction) await this.scheduler.schedule(jobs, { transaction: tx.handle });
    else pending.jobs.push(...jobs);
  }

  /** Applies a decision's effects in order and saves the new state. */
  private async apply(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
    decision: Decision,
    cause: { trigger: NewTransition['trigger']; eventId?: string; actionId?: string },
  ): Promise<CampaignRecord> {
    const rows: NewTransition[] = [];
    let toSchedule: PlannedAction[] = [];
    const base = { eventId: cause.eventId ?? null, actionId: cause.actionId ?? null };
    const next: CampaignRecord = { ...campaign, state: decision.state };
    const flush = async () => {
      await this.scheduleActions(tx, pending, next, toSchedule);
      toSchedule = [];
    };
    for (const effect of decision.effects) {
      switch (effect.type) {
        case 'enter':
          if (effect.from !== null) this.observer.transition?.(effect.trigger.kind);
          rows.push(
            transitionRow(next, {
              kind: 'enter',
              at: effect.at,
              step: effect.step,
              fromNodeId: effect.from,
              toNodeId: effect.to,
              on: effect.on,
              trigger: effect.trigger.kind,
              ...base,
              // a replayed event (wait entry, resume) is the cause of its own transition
              ...(effect.trigger.kind === 'event' ? { eventId: effect.trigger.eventId } : {}),
            }),
          );
          break;
        case 'schedule':
          toSchedule.push(effect.action);
          break;
        case 'cancel_pending':
          toSchedule = [];
          pending.cancelled.push(...(await tx.actions.cancelPending(campaign.id)));
          break;
        case 'reschedule':
          await tx.actions.reschedule(effect.actionId, effect.runAt);
          pending.jobs.push({ actionId: effect.actionId, runAt: effect.runAt });
          break;
        case 'defer':
          await tx.actions.reschedule(effect.actionId, effect.until);
          pending.jobs.push({ actionId: effect.actionId, runAt: effect.until });
          rows.push(
            transitionRow(next, {
              kind: 'deferred',
              at: effect.at,
              step: decision.state.step,
              toNodeId: effect.node,
              trigger: cause.trigger,
              reason: effect.reason,
              untilAt: effect.until,
              ...base,
            }),
          );
          break;
        case 'pause':
        case 'resume':
        case 'cancel':
          rows.push(
            transitionRow(next, {
              kind: effect.type,
              at: effect.at,
              step: decision.state.step,
              trigger: 'api',
            }),
          );
          break;
        case 'end':
          rows.push(
            transitionRow(next, {
              kind: 'end',
              at: effect.at,
              step: decision.state.step,
              trigger: cause.trigger,
              status: effect.status,
              reason: effect.reason,
              ...base,
            }),
          );
          break;
        case 'suppress_contact':
          // Applied by the caller, which holds the contact lock.
          break;
      }
    }
    // Audit rows first, so the timeline orders an entry before the actions it scheduled.
    if (rows.length > 0) await tx.transitions.insertMany(rows);
    await flush();
    if (decision.effects.length > 0 || decision.state !== campaign.state) {
      await tx.campaigns.saveState(campaign.id, decision.state, this.clock.now());
    }
    return next;
  }

  private async context(tx: StoreTransaction, campaign: CampaignRecord): Promise<EngineContext> {
    // Only the decisive events: handling an event must not re-read every earlier event of its message.
    const latest = await tx.messages.latestSentWithDecisiveEvents(campaign.id);
    if (!latest) return EMPTY_CONTEXT;
    return { latestMessage: latest.message, latestMessageEvents: latest.events };
  }

  private async lockCampaign(tx: StoreTransaction, campaignId: string): Promise<CampaignRecord> {
    const campaign = await tx.campaigns.lock(campaignId);
    if (!campaign) throw new CampaignNotFoundError(campaignId);
    return campaign;
  }

  private async inTransaction<T>(
    work: (tx: StoreTransaction, pending: AfterCommit) => Promise<T>,
  ): Promise<T> {
    let pending: AfterCommit = { jobs: [], cancelled: [] };
    const result = await this.store.transaction(async (tx) => {
      // A retried transaction starts over: forget what an aborted attempt wanted to queue.
      pending = { jobs: [], cancelled: [] };
      return work(tx, pending);
    });
    if (pending.cancelled.length > 0) await this.scheduler.cancel(pending.cancelled);
    if (pending.jobs.length > 0) await this.scheduler.schedule(pending.jobs);
    return result;
  }

  /**
   * The timeline entries after `cursor` (a `timelineNextCursor` or `nextCursor` this campaign returned;
   * from the start without one), at most `limit` (1 to 1000, default 100), in order. Following the
   * cursors yields every entry once, in order, while the campaign goes on.
   */
  async getTimeline(
    campaignId: string,
    request: { cursor?: string | undefined; limit?: number | undefined } = {},
  ): Promise<TimelinePageResult> {
    const limit = request.limit ?? TIMELINE_PAGE_SIZE.default;
    checkTimelineLimit(limit);
    const after = request.cursor === undefined ? null : decodeTimelineCursor(campaignId, request.cursor);
    const page = await this.store.read.timelinePage(campaignId, after, limit);
    if (!page) throw new CampaignNotFoundError(campaignId);
    return {
      entries: page.entries,
      nextCursor: page.next ? encodeTimelineCursor(campaignId, page.next) : null,
    };
  }
}

function checkTimelineLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > TIMELINE_PAGE_SIZE.max) {
    throw new InvalidTimelineLimitError(limit);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const EMPTY_CONTEXT: EngineContext = { latestMessage: null, latestMessageEvents: [] };

function definition(campaign: CampaignRecord): CampaignDefinition {
  return { plan: campaign.plan, timezone: campaign.timezone };
}

function summary(campaign: CampaignRecord): CampaignSummary {
  return {
    id: campaign.id,
    contactId: campaign.contactId,
    status: campaign.state.status,
    currentNodeId: campaign.state.currentNodeId,
    stopReason: campaign.state.stopReason,
    planVersion: campaign.planVersion,
    step: campaign.state.step,
  };
}

type EngagementRecord = MessageEventRecord & { type: EngagementEvent };

function isEngagement(event: MessageEventRecord): event is EngagementRecord {
  return event.type !== UNKNOWN_EVENT_TYPE;
}

function toRecorded(event: EngagementRecord): RecordedEvent {
  return {
    id: event.id,
    messageId: event.messageId,
    type: event.type,
    occurredAt: event.occurredAt,
    machine: event.machine,
    bot: event.bot,
    autoReply: event.autoReply,
  };
}

/** Unique per campaign: the same planned action (per step, kind, transition and plan version) is stored once. */
function actionKey(campaign: CampaignRecord, action: PlannedAction): string {
  return action.kind === 'send'
    ? `${campaign.id}:${action.step}:send`
    : `${campaign.id}:${action.step}:timeout:${action.transitionIndex}:v${campaign.planVersion}`;
}

function transitionRow(
  campaign: CampaignRecord,
  row: Pick<NewTransition, 'kind' | 'at' | 'step' | 'trigger'> & Partial<NewTransition>,
): NewTransition {
  return {
    contactId: campaign.contactId,
    campaignId: campaign.id,
    fromNodeId: null,
    toNodeId: null,
    on: null,
    eventId: null,
    actionId: null,
    status: null,
    reason: null,
    untilAt: null,
    planVersion: campaign.planVersion,
    ...row,
  };
}

/**
 * A UUID derived from `key` (SHA-256, formatted with version 5 and RFC 4122 variant bits): the same key
 * always gives the same id, which is what makes an id survive a rolled-back transaction.
 */
export function stableUuid(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A contact's id when the caller gives none: derived from the address, so one address is one contact
 * (and its suppression holds) without a unique index on email.
 */
export function contactIdForEmail(email: string): string {
  return stableUuid(`contact:${email.trim().toLowerCase()}`);
}
