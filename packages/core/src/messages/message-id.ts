import { formatRoutedId, parseRoutedId } from './routed-id.ts';

/*
 * Our RFC 5322 Message-ID: `<message uuid.contact id@domain>` (`routed-id.ts`). The uuid is the outbound
 * message's id and the contact id routes a lookup by it to one shard (DESIGN section 9), so a provider
 * event or a reply that carries the Message-ID back names our message without any lookup table. Messages
 * sent before Message-IDs carried the contact have `<message uuid@domain>`, which still reads. Made and
 * read here only: the service writes it on every send, the webhook and inbound intakes read it back.
 */

/** The Message-ID header of message `messageId` of contact `contactId` under `domain`. */
export function formatMessageIdHeader(messageId: string, domain: string, contactId: string): string {
  return `<${formatRoutedId(messageId, contactId)}@${domain}>`;
}

/** The Message-ID a message sent before Message-IDs carried the contact had: `<messageId@domain>`. */
export function legacyMessageIdHeader(messageId: string, domain: string): string {
  return `<${messageId}@${domain}>`;
}

/**
 * Our message as a Message-ID header a provider echoed back names it (angle brackets optional, any
 * domain): its local part, `<uuid>.<contact id>` or a bare uuid, which `CampaignReader.findMessage` takes
 * as it is. Undefined when the header is absent or not one of ours.
 */
export function messageIdFromHeader(header: string | null | undefined): string | undefined {
  const inner = (header ?? '').trim().replace(/^</, '').replace(/>$/, '');
  const at = inner.lastIndexOf('@');
  if (at <= 0 || at === inner.length - 1 || /[<>\s]/.test(inner)) return undefined;
  const local = inner.slice(0, at);
  const routed = parseRoutedId(local);
  if (!routed) return undefined;
  return routed.contactId === undefined ? routed.id : `${routed.id}.${routed.contactId}`;
}
