import type { SendNode } from '../plan/plan-schema.ts';
import type { ContactRecord, MessageChannel, OutboundMessageRecord } from '../ports/records.ts';
import { renderSms } from '../template/sms.ts';
import { renderMessage } from '../template/template.ts';
import { legacyMessageIdHeader } from './message-id.ts';

/*
 * What a send node's message is, once rendered for its contact (DESIGN section 10): an email (threaded
 * when the node says `thread: true` and the campaign has sent an email before), or an SMS.
 */

/** A rendered message, ready to be claimed (`outbound_messages`) and handed to its transport. */
export type ComposedMessage =
  | {
      channel: 'email';
      to: string;
      subject: string;
      /** HTML. */
      body: string;
      /** A threaded follow-up: what it replies to; absent otherwise. */
      thread?: ThreadHeaders | undefined;
    }
  | { channel: 'sms'; to: string; text: string; segments: number };

/** The reply headers of a threaded follow-up. */
export interface ThreadHeaders {
  /** Our id of the email replied to. */
  inReplyTo: string;
  /** The In-Reply-To header: that email's Message-ID. */
  inReplyToHeader: string;
  /** The References header: that email's References chain, then its Message-ID (space-separated). */
  references: string;
}

/** The send cannot be composed for this contact: no recipient on the node's channel. */
export class MissingRecipientError extends Error {
  readonly channel: MessageChannel;
  constructor(channel: MessageChannel) {
    super(
      channel === 'sms'
        ? 'the contact has no phone number (E.164) for an SMS send'
        : 'the contact has no email address for an email send',
    );
    this.name = 'MissingRecipientError';
    this.channel = channel;
  }
}

/**
 * The reply headers for an email that answers `parent` (a sent email of the campaign): its Message-ID as
 * it went, or, for one sent before that was recorded, as it was made then (under `domain`).
 */
export function threadHeaders(
  parent: Pick<OutboundMessageRecord, 'id' | 'references' | 'messageIdHeader'>,
  domain: string,
): ThreadHeaders {
  const parentHeader = parent.messageIdHeader ?? legacyMessageIdHeader(parent.id, domain);
  const chain = parent.references?.trim();
  return {
    inReplyTo: parent.id,
    inReplyToHeader: parentHeader,
    references: chain ? `${chain} ${parentHeader}` : parentHeader,
  };
}

/** The subject of a reply: `Re: ` + the replied-to email's rendered subject (DESIGN section 10). */
export function replySubject(parentSubject: string): string {
  return `Re: ${parentSubject}`;
}

/**
 * Renders `node` for `contact`. `parent` is the campaign's latest sent email, consulted only by a node
 * with `thread: true` (without one, `thread` is ignored). A threaded node's own subject wins over
 * `Re: ` + the parent's.
 *
 * @throws MissingVariableError or TemplateSyntaxError from the templates.
 * @throws MissingRecipientError when the contact has no address on the node's channel.
 */
export function composeMessage(
  node: SendNode,
  contact: Pick<ContactRecord, 'email' | 'name' | 'attributes' | 'phone'>,
  parent: Pick<OutboundMessageRecord, 'id' | 'subject' | 'references' | 'messageIdHeader'> | null,
  messageIdDomain: string,
): ComposedMessage {
  const email: string | null | undefined = contact.email;
  const templateContact = { email: email ?? '', name: contact.name, attributes: contact.attributes };
  if (node.channel === 'sms') {
    if (!contact.phone) throw new MissingRecipientError('sms');
    const sms = renderSms(node.text ?? '', templateContact);
    return { channel: 'sms', to: contact.phone, text: sms.text, segments: sms.segments };
  }
  if (!email) throw new MissingRecipientError('email');
  const threaded = node.thread === true && parent !== null;
  const rendered = renderMessage(node, templateContact);
  if (!threaded) return { channel: 'email', to: email, subject: rendered.subject, body: rendered.body };
  return {
    channel: 'email',
    to: email,
    subject: node.subject !== undefined ? rendered.subject : replySubject(parent.subject),
    body: rendered.body,
    thread: threadHeaders(parent, messageIdDomain),
  };
}
