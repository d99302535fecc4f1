/** One email, rendered, as the Transport sends it. */
export interface OutboundEmail {
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
  /** Extra headers (List-Unsubscribe and the like). */
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
