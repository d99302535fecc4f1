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
}

/**
 * Hands a rendered SMS to an SMS provider, under the same contract as `Transport.send`: resolve only
 * once the provider accepted the message, reject when it has not, and never retry on its own.
 */
export interface SmsTransport {
  send(sms: OutboundSms): Promise<TransportResult>;
}
