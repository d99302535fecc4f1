import { ECHO_FIELD, formatRoutedId, type OutboundEmail } from '@campaign/core';
import { plainTextOf } from './plain-text.ts';

/** The field every provider echoes our message id back in (core's, read back by the webhooks). */
export { ECHO_FIELD };

/**
 * The relay headers core adds so that an SMTP relay echoes our message id (X-SMTPAPI, X-Mailgun-Variables,
 * X-PM-Metadata-*, X-SES-MESSAGE-TAGS). A provider's API has a field of its own for that, so an API
 * transport sends the id there and leaves these headers out.
 */
function isRelayEchoHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower === 'x-smtpapi' ||
    lower === 'x-mailgun-variables' ||
    lower === 'x-ses-message-tags' ||
    lower.startsWith('x-pm-metadata-')
  );
}

/** An email as every API transport sends it: both parts, the headers to pass on, the echo id. */
export interface EmailParts {
  from: string;
  to: string;
  subject: string;
  html: string;
  /** The plain-text alternative of `html` (every email is multipart/alternative). */
  text: string;
  /** The headers to send as given: List-Unsubscribe, In-Reply-To, References, Message-ID, X-Campaign-Id. */
  headers: Record<string, string>;
  /** Our message id alone, for an echo field whose values allow only `[A-Za-z0-9_-]` (SES and Resend tags). */
  echoId: string;
  /**
   * Our message id with its contact's (`<uuid>.<contact id>`, DESIGN section 9: the event's lookup goes to
   * the contact's shard), for an echo field that takes any text (SendGrid custom args, Mailgun variables,
   * Postmark metadata when it fits in 80 characters).
   */
  routedEchoId: string;
}

/**
 * The parts of `email` for an API transport. `defaultFrom` is used when the email has no sender.
 * @throws Error when there is neither.
 */
export function emailParts(email: OutboundEmail, defaultFrom?: string): EmailParts {
  const from = email.sender?.from ?? defaultFrom;
  if (from === undefined) throw new Error(`email ${email.messageId} has no sender and no default from`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(email.headers)) {
    if (!isRelayEchoHeader(name)) headers[name] = value;
  }
  headers['Message-ID'] = email.messageIdHeader;
  headers['X-Campaign-Id'] = email.campaignId;
  return {
    from,
    to: email.to,
    subject: email.subject,
    html: email.html,
    text: plainTextOf(email.html),
    headers,
    echoId: email.messageId,
    routedEchoId: formatRoutedId(email.messageId, email.contactId),
  };
}

/** The bare address of `Ada <ada@acme.example>` or `ada@acme.example`. */
export function bareAddress(from: string): string {
  const match = /<([^<>]+)>\s*$/.exec(from);
  return (match?.[1] ?? from).trim();
}
