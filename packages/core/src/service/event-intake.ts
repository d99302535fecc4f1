import { onEvent } from '../engine/engine.ts';
import { implausibleEventTime } from '../engine/event-time.ts';
import { parseRoutedId } from '../messages/routed-id.ts';
import { EMAIL_ONLY_EVENTS, type EngagementEvent, SUPPRESSING_EVENTS } from '../plan/plan-schema.ts';
import type { CampaignStore, StoreTransaction } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import {
  type CampaignRecord,
  type InboundEventInfo,
  type OutboundMessageRecord,
  type StoredEventEffect,
  UNKNOWN_EVENT_TYPE,
} from '../ports/records.ts';
import { judgeSenderHealth } from '../senders/sender-health.ts';
import { verifyUnsubscribeToken } from '../unsubscribe/unsubscribe-token.ts';
import { definition, type EngagementRecord, isEngagement, toRecorded } from './campaign-record.ts';
import type { EffectApplier } from './effect-applier.ts';
import { smsOnly } from './plan-reads.ts';
import {
  type AfterCommit,
  type CampaignTransactions,
  EMPTY_CONTEXT,
  engineContext,
  lockCampaign,
  withContact,
} from './transactions.ts';

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
  /** An inbound message's classification (DESIGN section 14), shown on the timeline's event entry. */
  inbound?: InboundEventInfo | undefined;
  payload?: unknown;
}

/**
 * An event as `recordEvent` takes it: with no message it names, a `contactId` says whose it is, and an
 * unsubscribe or complaint with neither goes by `email` (see `recordEvent`).
 */
export type EventIntakeInput = EventInput & { contactId?: string | undefined; email?: string | undefined };

export type RecordEventResult =
  | { status: 'accepted'; eventId: string; effect: StoredEventEffect }
  | { status: 'duplicate' }
  | { status: 'unknown_message' }
  /** Dated too far before its message was sent or ahead of the clock (implausibleEventTime): stored nowhere. */
  | { status: 'implausible_time' }
  /** An event its message's channel has not (an SMS's open or click, EMAIL_ONLY_EVENTS): stored nowhere. */
  | { status: 'channel_event_mismatch' };

/** Why an event of a batch counts as rejected (stored nowhere). */
export type EventRejectionCode = 'unknown_message' | 'implausible_time' | 'channel_event_mismatch';

export { EMAIL_ONLY_EVENTS };

/** How `recordEvents` counted a batch: every event in exactly one of the four. */
export interface RecordEventsResult {
  /** Events of a type the engine acts on, stored and applied (whatever effect they had). */
  accepted: number;
  /** Seen before (the same provider event id): stored once, counted here on every redelivery. */
  duplicates: number;
  /**
   * Events of a type the engine does not act on (`type: null`): stored when they name a message or
   * contact we know, and never rejected as `unknown_message`.
   */
  ignored: number;
  /** The others, by 0-based position in the batch, in batch order. */
  rejected: { index: number; code: EventRejectionCode }[];
}

/**
 * Where one event's result counts in a batch. A duplicate is a duplicate, and an implausible time or a
 * channel mismatch is rejected, whatever the type; otherwise an event the engine does not act on is
 * `ignored`, even when it names no message we know.
 */
export function tallyEvent(
  type: EngagementEvent | null,
  result: RecordEventResult,
): 'accepted' | 'duplicate' | 'ignored' | EventRejectionCode {
  if (
    result.status === 'duplicate' ||
    result.status === 'implausible_time' ||
    result.status === 'channel_event_mismatch'
  )
    return result.status;
  if (type === null) return 'ignored';
  return result.status === 'accepted' ? 'accepted' : 'unknown_message';
}

/**
 * Engagement events in (rule 5): records each once by provider event id and applies it to its
 * campaign, suppresses a contact that unsubscribed or complained, and acts on one-click unsubscribe
 * links. Each event runs in one transaction that holds its campaign's lock (and its contact's first
 * when it suppresses).
 */
export class EventIntake {
  private readonly store: CampaignStore;
  private readonly clock: Clock;
  private readonly transactions: CampaignTransactions;
  private readonly applier: EffectApplier;
  private readonly unsubscribe: { secret: string; previousSecrets?: string[] | undefined } | undefined;

  constructor(deps: {
    store: CampaignStore;
    clock: Clock;
    transactions: CampaignTransactions;
    applier: EffectApplier;
    /** The unsubscribe links' secret and rotated-out ones; absent: no token verifies. */
    unsubscribe?: { secret: string; previousSecrets?: string[] | undefined } | undefined;
  }) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.transactions = deps.transactions;
    this.applier = deps.applier;
    this.unsubscribe = deps.unsubscribe;
  }

  /**
   * Records a batch of events (an API call's, a provider delivery's) as `recordEvent` records each, one
   * after another in batch order, and counts the results (see `tallyEvent`). An event that throws
   * stops the batch there; the ones before it stay recorded, and a redelivery counts them as duplicates.
   */
  async recordEvents(batch: readonly EventIntakeInput[]): Promise<RecordEventsResult> {
    const counted: RecordEventsResult = { accepted: 0, duplicates: 0, ignored: 0, rejected: [] };
    for (const [index, input] of batch.entries()) {
      const tally = tallyEvent(input.type, await this.recordEvent(input));
      if (tally === 'accepted') counted.accepted += 1;
      else if (tally === 'duplicate') counted.duplicates += 1;
      else if (tally === 'ignored') counted.ignored += 1;
      else counted.rejected.push({ index, code: tally });
    }
    return counted;
  }

  /**
   * Rule 5: records an engagement event once (by provider event id) and applies it to its campaign in
   * the same transaction. Unsubscribes and complaints stop every campaign of the contact and suppress
   * it, also when the event names no message we know but a contact. An event dated more than
   * EVENT_TIME_TOLERANCE_MS before its message was sent, or ahead of the clock by more, is stored
   * nowhere (`implausible_time`); one with no message is checked against the future bound only. An
   * open or click of an SMS message is stored nowhere either (`channel_event_mismatch`).
   * An unsubscribe or complaint that names no message and no contact but an `email` is applied to
   * every contact with that address (see `recordByAddress`).
   */
  async recordEvent(input: EventIntakeInput): Promise<RecordEventResult> {
    const message = await this.eventMessage(input);
    const contactId = message?.contactId ?? input.contactId;
    if (!contactId) return this.recordByAddress(input);
    if (message?.channel === 'sms' && input.type !== null && EMAIL_ONLY_EVENTS.includes(input.type)) {
      return { status: 'channel_event_mismatch' };
    }
    // An open dated years before its message must not satisfy that message's `within` window.
    if (implausibleEventTime(input.occurredAt, message?.sentAt ?? null, this.clock.now()) !== null) {
      return { status: 'implausible_time' };
    }
    const type = input.type;
    const suppressing = type !== null && SUPPRESSING_EVENTS.includes(type);
    return this.transactions.run(
      async (tx, pending) => {
        // Lock order: contact before campaigns, whenever more than one campaign may change.
        if (suppressing) await tx.contacts.lock(contactId);
        const locked = message && type !== null ? await tx.campaigns.lock(message.campaignId) : null;
        const campaign = locked ? await withContact(tx, locked) : null;
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
          ...(input.inbound ? { inbound: input.inbound } : {}),
          payload: input.payload ?? null,
        });
        if (!event) return { status: 'duplicate' as const };
        // A complaint or bounce may pause the message's sender (its health, DESIGN section 11).
        if (message && type !== null) await judgeSenderHealth(tx, message, type, this.clock.now());
        let effect: StoredEventEffect = 'ignored';
        if (campaign && isEngagement(event)) effect = await this.applyEvent(tx, pending, campaign, event);
        else if (suppressing && isEngagement(event)) {
          effect = (await this.suppressContact(tx, pending, contactId, event, null)) ? 'exit' : 'ignored';
        }
        if (!campaign) await tx.events.setEffect([event.id], effect);
        return { status: 'accepted' as const, eventId: event.id, effect };
      },
      { contactId },
    );
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
      // An echo that could not carry the contact (an SES tag) names the same message as a Message-ID that
      // does: looked up by that one, on the contact's shard (DESIGN section 9).
      const echo = parseRoutedId(input.echoedMessageId);
      const header = input.messageId === undefined ? undefined : parseRoutedId(input.messageId);
      const routed =
        echo?.contactId === undefined && header?.contactId !== undefined && header.id === echo?.id;
      const echoed = await this.store.read.findMessage({
        messageId: routed ? input.messageId : input.echoedMessageId,
      });
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
    return this.transactions.run(async (tx, pending) => {
      const unlocked = await tx.events.get(eventId);
      if (!unlocked?.campaignId || !isEngagement(unlocked)) return null;
      if (SUPPRESSING_EVENTS.includes(unlocked.type)) await tx.contacts.lock(unlocked.contactId);
      const campaign = await lockCampaign(tx, unlocked.campaignId);
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
      await engineContext(tx, campaign),
      now,
    );
    let effect: StoredEventEffect =
      decision.effect === 'ignored' && campaign.state.status === 'paused' ? 'deferred' : decision.effect;
    const suppressing = SUPPRESSING_EVENTS.includes(event.type);
    // Unless the event suppresses, its effect is final here: stored with the decision's writes.
    const cause = { trigger: 'event' as const, eventId: event.id };
    if (!suppressing) {
      await this.applier.apply(tx, pending, campaign, decision, cause, { eventId: event.id, effect });
      return effect;
    }
    await this.applier.apply(tx, pending, campaign, decision, cause);
    // Unsubscribes and complaints suppress the contact whatever this campaign's state: the one-click
    // link of a completed campaign's last email must still stop the contact's other campaigns.
    // An SMS unsubscribe (STOP) or complaint suppresses the number for SMS only (DESIGN section 10): the
    // contact's email and its other campaigns are untouched; their SMS sends are skipped at claim time.
    if (await this.onSms(tx, event)) {
      await tx.contacts.suppressSms(campaign.contactId, event.type, now);
    } else {
      const stoppedOthers = await this.suppressContact(tx, pending, campaign.contactId, event, campaign.id);
      if (stoppedOthers && effect === 'ignored') effect = 'exit';
    }
    await tx.events.setEffect([event.id], effect);
    return effect;
  }

  /** Whether the event is about an SMS message (read only for the suppressing events). */
  private async onSms(tx: StoreTransaction, event: EngagementRecord): Promise<boolean> {
    if (!event.messageId) return false;
    return (await tx.messages.get(event.messageId))?.channel === 'sms';
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
      // Email suppression is for email (DESIGN section 10): a campaign that sends only SMS goes on.
      if (smsOnly(other.plan)) continue;
      const decision = onEvent(
        definition(other),
        other.state,
        { ...toRecorded(event), messageId: null },
        EMPTY_CONTEXT,
        now,
      );
      if (decision.effect === 'exit') stoppedAny = true;
      await this.applier.apply(tx, pending, other, decision, { trigger: 'event', eventId: event.id });
    }
    return stoppedAny;
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
}
