import type { OutboundMessageRecord } from './records.ts';

/** How an inbound message was classified (DESIGN section 14); the same kinds as `@campaign/inbound`'s. */
export type InboundKind = 'hard_bounce' | 'soft_bounce' | 'auto_reply' | 'complaint' | 'reply';

/** Where an inbound message came in. */
export type InboundSource = 'sendgrid' | 'mailgun' | 'postmark' | 'mime' | 'imap';

/** One inbound message that matched nothing we sent, as `inbound_unmatched` keeps it. */
export interface NewUnmatchedInbound {
  /** The inbound Message-ID (or `sha256:<hex>`): one row per message, however often it arrives. */
  messageId: string;
  source: InboundSource;
  from: string | null;
  to: string[];
  subject: string | null;
  kind: InboundKind;
  decidedBy: string;
  /** The Message-IDs it refers to, most specific first. */
  refersTo: string[];
  receivedAt: Date;
}

export interface UnmatchedInboundRecord extends NewUnmatchedInbound {
  /** Position in the list (a Postgres bigint as decimal digits): the keyset of `GET /v1/inbound/unmatched`. */
  seq: string;
}

/**
 * The inbound side of the store transaction (`tx.inbound`).
 *
 * `insertUnmatched` MUST store a message once per `messageId` and answer false for one stored already
 * (it arrived twice: webhook and IMAP). `latestEmailBetween` MUST answer the latest email (status `sent`,
 * latest `sentAt`) sent to a contact whose address is `contactAddress` (compared case-insensitively) from
 * one of `senderAddresses` (lower-cased bare addresses: a sender whose `from` address is one of them),
 * or, when `defaultFromListed`, from no sender (the MAIL_FROM default); null when there is none.
 */
export interface InboundRepository {
  insertUnmatched(row: NewUnmatchedInbound): Promise<boolean>;
  latestEmailBetween(
    contactAddress: string,
    senderAddresses: readonly string[],
    defaultFromListed: boolean,
  ): Promise<OutboundMessageRecord | null>;
}
