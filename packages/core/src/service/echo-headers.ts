import { formatRoutedId } from '../messages/routed-id.ts';

/**
 * The name under which every outgoing message carries our message id in each provider's echo field.
 * `@campaign/webhooks` reads the same name back (its own `ECHO_FIELD`: neither package depends on the
 * other); the API's echo test sends through SMTP and matches provider events by it, so the two cannot
 * drift apart unnoticed.
 */
export const ECHO_FIELD = 'campaign_message_id';

/** Postmark keeps a metadata value of at most 80 characters. */
const POSTMARK_VALUE_MAX = 80;

/**
 * The headers that make each provider send our message back in its events, so that an event finds its
 * message whatever relay carried it (over SMTP, no provider returns an id of its own that its events
 * repeat, and Postmark's and Resend's events carry no Message-ID header). The value is the message's
 * routed id, `<message uuid>.<contact id>` (DESIGN section 9: the lookup goes to the contact's shard),
 * where the provider's syntax takes it:
 *
 * - SendGrid: `X-SMTPAPI` unique args, which come back as top-level keys of every event;
 * - Mailgun: `X-Mailgun-Variables`, which come back as the event's `user-variables`;
 * - Postmark: `X-PM-Metadata-<key>`, which comes back in the event's `Metadata` (values of at most 80
 *   characters: a longer routed id goes as the message uuid alone);
 * - Amazon SES: `X-SES-MESSAGE-TAGS`, which come back as the event's `mail.tags`; tag values allow only
 *   letters, digits, `_` and `-`, so the message uuid alone (SES events also carry the Message-ID, which
 *   has the contact).
 *
 * Each provider removes its own headers before delivery; another relay passes them on as ordinary
 * `X-` headers, which reveal nothing the Message-ID does not. Resend's SMTP relay documents no header
 * for tags: its events find the message only through a `tags` entry of its send API (none here).
 *
 * @param messageId The `outbound_messages` id, a UUID; `contactId` a contact id (`formatRoutedId`). Both
 *   go into header text: neither has a CR, LF, quote, `;`, `,` or `=` that could break a header or the
 *   JSON and tag syntax inside.
 * @throws RangeError when `messageId` is not a UUID or `contactId` not a contact id.
 */
export function echoHeaders(messageId: string, contactId: string): Record<string, string> {
  const routed = formatRoutedId(messageId, contactId);
  const id = messageId.toLowerCase();
  return {
    'X-SMTPAPI': JSON.stringify({ unique_args: { [ECHO_FIELD]: routed } }),
    'X-Mailgun-Variables': JSON.stringify({ [ECHO_FIELD]: routed }),
    [`X-PM-Metadata-${ECHO_FIELD}`]: routed.length <= POSTMARK_VALUE_MAX ? routed : id,
    'X-SES-MESSAGE-TAGS': `${ECHO_FIELD}=${id}`,
  };
}
