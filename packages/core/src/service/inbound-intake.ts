import { implausibleEventTime } from '../engine/event-time.ts';
import { DomainError } from '../errors.ts';
import { messageIdFromHeader } from '../messages/message-id.ts';
import type { CampaignStore } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { ExecutionObserver } from '../ports/execution-observer.ts';
import type { InboundKind, InboundSource, UnmatchedInboundRecord } from '../ports/inbound-repository.ts';
import type { OutboundMessageRecord } from '../ports/records.ts';
import type { EventIntakeInput, RecordEventResult } from './event-intake.ts';

/** How `@campaign/inbound` classified a message (structurally its `InboundClassification`). */
export interface InboundClassificationInput {
  kind: InboundKind;
  /** hard_bounce: `bounced`; auto_reply and reply: `replied`; complaint: `complained`; soft_bounce: null. */
  event: 'bounced' | 'replied' | 'complained' | null;
  autoReply: boolean;
  /** What decided it (`Auto-Submitted: auto-replied`, `report-type=delivery-status; status 5.1.1`, ...). */
  decidedBy: string;
  status?: string | undefined;
}

/**
 * An inbound message as `@campaign/inbound`'s `parseInbound` answers it (its `ParsedInbound`, written
 * here structurally: core does not depend on the parser).
 */
export interface InboundMessageInput {
  /** The inbound Message-ID without brackets, or `sha256:<hex>` of the raw bytes: the event id. */
  messageId: string;
  /** Lower-cased address. */
  from: string | null;
  /** Lower-cased addresses. */
  to: string[];
  subject: string | null;
  date: Date | null;
  /** Message-IDs it refers to, most specific first, without brackets. */
  refersTo: string[];
  /** A DSN's Final-Recipient / Original-Recipient (lower-cased). */
  originalRecipient: string | null;
  classification: InboundClassificationInput;
}

/**
 * What became of an inbound message: an event recorded on the message it answers (as `recordEvent`
 * answers; `duplicate` when it came in before, by any way in), or `unmatched` (stored in the unmatched
 * list; `duplicate: true` when it was there already).
 */
export type InboundResult =
  | (RecordEventResult & { status: 'accepted' | 'duplicate' | 'implausible_time' })
  | { status: 'unmatched'; duplicate: boolean };

/** The provider name of every inbound event: one per message whatever way it came in, so it counts once. */
export const INBOUND_PROVIDER = 'inbound';

/**
 * Inbound mail (DESIGN section 14): matches a reply, bounce or complaint to the email it answers and
 * records the event (`replied`, with `autoReply` for an auto-reply; `bounced`; `complained`; a soft
 * bounce stored and ignored) with its classification for the timeline. Matching: by the Message-IDs it
 * refers to (ours carry our message id; a provider that rewrote the Message-ID is found by its own id),
 * else by the address pair (from = the contact's address, or a DSN's original recipient; to includes a
 * sender's address or the MAIL_FROM default's) to the latest email between them. Nothing matched is kept
 * in `inbound_unmatched`, and never creates a contact.
 */
export class InboundIntake {
  private readonly store: CampaignStore;
  private readonly clock: Clock;
  private readonly observer: ExecutionObserver | undefined;
  private readonly defaultFrom: string | null;
  private readonly recordEvent: (input: EventIntakeInput) => Promise<RecordEventResult>;

  constructor(deps: {
    store: CampaignStore;
    clock: Clock;
    observer?: ExecutionObserver | undefined;
    /** MAIL_FROM (`Name <address>` or a bare address): messages sent with no sender went from it. */
    defaultFrom?: string | undefined;
    recordEvent: (input: EventIntakeInput) => Promise<RecordEventResult>;
  }) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.observer = deps.observer;
    this.defaultFrom = deps.defaultFrom ? bareAddress(deps.defaultFrom) : null;
    this.recordEvent = deps.recordEvent;
  }

  async receive(parsed: InboundMessageInput, source: InboundSource): Promise<InboundResult> {
    const now = this.clock.now();
    const message = await this.match(parsed);
    const { classification } = parsed;
    if (message) {
      const result = await this.recordEvent({
        provider: INBOUND_PROVIDER,
        providerEventId: parsed.messageId,
        messageId: message.id,
        type: classification.event,
        rawType: classification.kind,
        occurredAt: eventTime(parsed.date, message.sentAt, now),
        autoReply: classification.autoReply,
        inbound: { kind: classification.kind, decidedBy: classification.decidedBy },
        payload: {
          source,
          from: parsed.from,
          to: parsed.to,
          subject: parsed.subject,
          status: classification.status ?? null,
        },
      });
      // A message we know of (recordEvent found it) is never unknown here, and a reply, bounce or
      // complaint is no email-only event, so never a channel mismatch.
      if (result.status !== 'unknown_message' && result.status !== 'channel_event_mismatch') return result;
    }
    const inserted = await this.store.transaction((tx) =>
      tx.inbound.insertUnmatched({
        messageId: parsed.messageId,
        source,
        from: parsed.from,
        to: parsed.to,
        subject: parsed.subject,
        kind: classification.kind,
        decidedBy: classification.decidedBy,
        refersTo: parsed.refersTo,
        receivedAt: now,
      }),
    );
    if (inserted) this.observer?.inboundUnmatched?.(source);
    return { status: 'unmatched', duplicate: !inserted };
  }

  /** `GET /v1/inbound/unmatched`: a page, newest first, after `cursor` (a previous page's `next`). */
  async unmatched(
    request: { cursor?: string | undefined; limit?: number | undefined } = {},
  ): Promise<{ items: UnmatchedInboundRecord[]; next: string | null }> {
    const limit = request.limit ?? UNMATCHED_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > UNMATCHED_PAGE_MAX) {
      throw new InvalidInboundPageError(
        'invalid_limit',
        `limit must be an integer from 1 to ${UNMATCHED_PAGE_MAX}`,
      );
    }
    const after = request.cursor ?? null;
    if (after !== null && !/^[1-9][0-9]{0,18}$/.test(after))
      throw new InvalidInboundPageError(
        'invalid_cursor',
        'pass back a nextCursor exactly as it was returned, or none',
      );
    const rows = await this.store.read.unmatchedInbound(after, limit + 1);
    const items = rows.slice(0, limit);
    return { items, next: rows.length > limit ? (items.at(-1)?.seq ?? null) : null };
  }

  /** The email this message answers (see the class comment), or null. */
  private async match(parsed: InboundMessageInput): Promise<OutboundMessageRecord | null> {
    for (const ref of parsed.refersTo) {
      const found = await this.byReference(ref);
      if (found) return found;
    }
    const contactAddress = parsed.classification.kind.endsWith('_bounce')
      ? (parsed.originalRecipient ?? null)
      : parsed.from;
    if (!contactAddress || parsed.to.length === 0) return null;
    const to = parsed.to.map((a) => a.toLowerCase());
    const defaultFromListed = this.defaultFrom !== null && to.includes(this.defaultFrom);
    return this.store.transaction((tx) =>
      tx.inbound.latestEmailBetween(contactAddress, to, defaultFromListed),
    );
  }

  /**
   * One referenced Message-ID: ours carries our message id (`<uuid@domain>`); a provider that sends under
   * its own Message-ID (Amazon SES: `<ses id@region.amazonses.com>`) is found by its id, whole or the
   * local part.
   */
  private async byReference(ref: string): Promise<OutboundMessageRecord | null> {
    const ours = messageIdFromHeader(ref);
    if (ours !== undefined) {
      const found = await this.store.read.findMessage({ messageId: ours });
      if (found) return found;
    }
    const local = ref.includes('@') ? ref.slice(0, ref.lastIndexOf('@')) : null;
    for (const providerMessageId of local ? [ref, local] : [ref]) {
      const found = await this.store.read.findMessage({ providerMessageId });
      if (found?.channel === 'email') return found;
    }
    return null;
  }
}

/** A bad page request of `GET /v1/inbound/unmatched` (HTTP 400): `invalid_limit` or `invalid_cursor`. */
export class InvalidInboundPageError extends DomainError {
  readonly code: 'invalid_limit' | 'invalid_cursor';
  constructor(code: 'invalid_limit' | 'invalid_cursor', message: string) {
    super(message);
    this.name = 'InvalidInboundPageError';
    this.code = code;
  }
}

/** Default page size of `GET /v1/inbound/unmatched`, and its largest. */
export const UNMATCHED_PAGE_SIZE = 50;
export const UNMATCHED_PAGE_MAX = 200;

/**
 * When the event happened: the message's `Date` when it is plausible (DESIGN rule 5's tolerance around
 * the send and now), else when it came in. A mail client's wrong clock must not lose a reply.
 */
export function eventTime(date: Date | null, sentAt: Date | null, now: Date): Date {
  if (date === null || Number.isNaN(date.getTime())) return now;
  return implausibleEventTime(date, sentAt, now) === null ? date : now;
}

/** The lower-cased address of `Name <address>` or a bare address. */
export function bareAddress(from: string): string {
  const angle = /<([^<>]+)>\s*$/.exec(from);
  return (angle?.[1] ?? from).trim().toLowerCase();
}
