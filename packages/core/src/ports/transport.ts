import { DomainError } from '../errors.ts';
/** One email, rendered, as the Transport sends it. */
export interface OutboundEmail {
  /** Absent on emails of plan 1.0 senders; always `email` when set. */
  channel?: 'email' | undefined;
  /** The `outbound_messages` id. */
  messageId: string;
  /** RFC 5322 Message-ID, stable per message row: a resend after a crash carries the same one. */
  messageIdHeader: string;
  campaignId: string;
  contactId: string;
  to: string;
  subject: string;
  /** HTML body (template values escaped). */
  html: string;
  /**
   * Extra headers (List-Unsubscribe and the like; a threaded follow-up's In-Reply-To and References).
   * A transport MUST send them as given.
   */
  headers: Record<string, string>;
  /**
   * The campaign's email sender, when it has one (issue 12): which identity the message goes from and
   * through which transport. Absent: the default sender (`MAIL_FROM`, the configured transport).
   */
  sender?: OutboundSender | undefined;
}

/** The sender an email goes from, as a transport needs it (no credentials: those come from the environment). */
export interface OutboundSender {
  id: string;
  /** Email: `Ada <ada@acme.example>` or a bare address; SMS: the number, E.164. */
  from: string;
  /** Email: `smtp`, `sendgrid`, `mailgun`, `postmark`, `ses`, `resend` or `log`; SMS: `twilio` or `log`. */
  transport: string;
}

/**
 * What kind of refusal a transport's error is, so the send path acts on it:
 * - `retryable`: throttling (429), a 5xx, a network failure: tried again with backoff;
 * - `recipient_rejected`: the provider refused the address itself: a hard bounce (`bounced`);
 * - `bad_credentials`: the provider refused our key (401/403): the sender is disabled, its sends held;
 * - `permanent`: any other refusal of this message (a 4xx): trying again cannot help;
 * - `recipient_opted_out`: an SMS to a number that opted out at the carrier (Twilio 21610): the contact
 *   is `unsubscribed` and its number suppressed for SMS.
 */
export type TransportErrorKind =
  | 'retryable'
  | 'recipient_rejected'
  | 'bad_credentials'
  | 'permanent'
  | 'recipient_opted_out';

/**
 * A transport's refusal, classified. A transport SHOULD throw this; any other error is `retryable`.
 * The message never carries a credential.
 */
export class TransportError extends DomainError {
  readonly code = 'transport_refused';
  readonly kind: TransportErrorKind;
  /** The provider's HTTP status, when it answered. */
  readonly status: number | undefined;
  /** The provider's own error code or name (`invalid_api_key`, `MessageRejected`, 406), when it gave one. */
  readonly providerCode: string | undefined;

  constructor(
    kind: TransportErrorKind,
    message: string,
    details: { status?: number | undefined; providerCode?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TransportError';
    this.kind = kind;
    this.status = details.status;
    this.providerCode = details.providerCode;
  }
}

/** The kind of any error a transport threw: a TransportError's own, else `retryable`. */
export function transportErrorKind(error: unknown): TransportErrorKind {
  return error instanceof TransportError ? error.kind : 'retryable';
}

export interface TransportResult {
  /** The provider's id for the message, used to match its webhooks; null when it gives none. */
  providerMessageId: string | null;
}

/**
 * Hands a rendered message to an email provider.
 *
 * `send` MUST resolve only once the provider has accepted the message, and reject when it has not. It
 * MUST NOT retry on its own: the execution service owns retries, so that a message is claimed once.
 */
export interface Transport {
  send(email: OutboundEmail): Promise<TransportResult>;
}

/** One SMS, rendered (plain text), as the SmsTransport sends it. */
export interface OutboundSms {
  channel: 'sms';
  /** The `outbound_messages` id. */
  messageId: string;
  campaignId: string;
  contactId: string;
  /** The contact's phone number, E.164. */
  to: string;
  /** The rendered text; no HTML. */
  text: string;
  /** The parts the text is sent as (GSM-7 160/153, else UCS-2 70/67 characters a part). */
  segments: number;
  /**
   * The campaign's SMS sender (issue 12): `from` is its number (E.164), `transport` `twilio` or `log`.
   * Absent: the default sender number (`TWILIO_FROM`).
   */
  sender?: OutboundSender | undefined;
}

/**
 * Hands a rendered SMS to an SMS provider, under the same contract as `Transport.send`: resolve only
 * once the provider accepted the message, reject when it has not, and never retry on its own.
 */
export interface SmsTransport {
  send(sms: OutboundSms): Promise<TransportResult>;
}
