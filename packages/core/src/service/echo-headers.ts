/**
 * The name under which every outgoing message carries our message id in each provider's echo field.
 * `@campaign/webhooks` reads the same name back (its own `ECHO_FIELD`: neither package depends on the
 * other); the API's echo test sends through SMTP and matches provider events by it, so the two cannot
 * drift apart unnoticed.
 */
export const ECHO_FIELD = 'campaign_message_id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The headers that make each provider send our message id back in its events, so that an event finds
 * its message whatever relay carried it (over SMTP, no provider returns an id of its own that its
 * events repeat, and Postmark's and Resend's events carry no Message-ID header):
 *
 * - SendGrid: `X-SMTPAPI` unique args, which come back as top-level keys of every event;
 * - Mailgun: `X-Mailgun-Variables`, which come back as the event's `user-variables`;
 * - Postmark: `X-PM-Metadata-<key>`, which comes back in the event's `Metadata`;
 * - Amazon SES: `X-SES-MESSAGE-TAGS`, which come back as the event's `mail.tags`.
 *
 * Each provider removes its own headers before delivery; another relay passes them on as ordinary
 * `X-` headers, which reveal nothing the Message-ID does not. Resend's SMTP relay documents no header
 * for tags: its events find the message only through a `tags` entry of its send API (none here).
 *
 * @param messageId The `outbound_messages` id. Only a UUID is accepted: it goes into header text, and a
 *   UUID has no CR, LF, quote, `;` or `=` that could break a header or the JSON and tag syntax inside.
 * @throws RangeError when `messageId` is not a UUID.
 */
export function echoHeaders(messageId: string): Record<string, string> {
  if (!UUID.test(messageId)) throw new RangeError(`a message id is a UUID, got ${JSON.stringify(messageId)}`);
  return {
    'X-SMTPAPI': JSON.stringify({ unique_args: { [ECHO_FIELD]: messageId } }),
    'X-Mailgun-Variables': JSON.stringify({ [ECHO_FIELD]: messageId }),
    [`X-PM-Metadata-${ECHO_FIELD}`]: messageId,
    'X-SES-MESSAGE-TAGS': `${ECHO_FIELD}=${messageId}`,
  };
}
