/** What an inbound message is, decided by `classify` (DESIGN section 14, in its order). */
export type InboundKind = 'hard_bounce' | 'soft_bounce' | 'auto_reply' | 'complaint' | 'reply';

/** The engine event an inbound message becomes. */
export type InboundEvent = 'bounced' | 'replied' | 'complained';

export interface InboundClassification {
  kind: InboundKind;
  /** The engine event: hard_bounce -> 'bounced', auto_reply/reply -> 'replied', complaint -> 'complained', soft_bounce -> null (ignored). */
  event: InboundEvent | null;
  /** True for auto_reply: recorded as `replied`, but not a genuine answer. */
  autoReply: boolean;
  /**
   * What decided it, for the timeline: 'report-type=delivery-status; status 5.1.1',
   * 'Auto-Submitted: auto-replied', 'X-Autoreply: yes', 'Precedence: bulk', 'subject: Out of office',
   * 'report-type=feedback-report', 'no automatic marker'.
   */
  decidedBy: string;
  /** The DSN status code (RFC 3463 enhanced code), e.g. '5.1.1'. Set for bounces that carry one. */
  status?: string;
}

export interface ParsedInbound {
  /** The inbound Message-ID without brackets; when absent: 'sha256:<hex of the raw bytes>'. Event id. */
  messageId: string;
  /** The From address, lower-cased; null when the message has none that parses. */
  from: string | null;
  /** The To then Cc addresses, lower-cased, without duplicates. */
  to: string[];
  subject: string | null;
  date: Date | null;
  /**
   * Message-IDs this message refers to, most specific first: In-Reply-To, References (newest first),
   * and for a bounce or ARF report the Message-ID of the original message in its message/rfc822 or
   * text/rfc822-headers part. Without brackets, without duplicates.
   */
  refersTo: string[];
  /**
   * For a DSN: the Original-Recipient address, else the Final-Recipient (lower-cased), of the
   * recipient the classification is about. For an ARF report: its Original-Rcpt-To. For a
   * non-standard bounce: its X-Failed-Recipients. Null otherwise.
   */
  originalRecipient: string | null;
  classification: InboundClassification;
}

/** The largest raw message `parseInbound` reads, in bytes (25 MiB). */
export const MAX_INBOUND_BYTES = 25 * 1024 * 1024;
