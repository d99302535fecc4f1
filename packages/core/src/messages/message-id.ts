/*
 * Our RFC 5322 Message-ID: `<message uuid@domain>`. The uuid is the outbound message's id, so a provider
 * event that carries the Message-ID header back names our message without any lookup table. Made and
 * read here only: the service writes it on every send, the webhook intake reads it back.
 */

const OUR_MESSAGE_ID = /^<?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@[^>]+>?$/i;

/** The Message-ID header of message `messageId` (a UUID) under `domain`: `<messageId@domain>`. */
export function formatMessageIdHeader(messageId: string, domain: string): string {
  return `<${messageId}@${domain}>`;
}

/**
 * Our message id in a Message-ID header a provider echoed back (angle brackets optional, any domain), or
 * undefined when the header is absent or is not one of ours (its local part is not a UUID).
 */
export function messageIdFromHeader(header: string | null | undefined): string | undefined {
  return OUR_MESSAGE_ID.exec(header ?? '')?.[1];
}
