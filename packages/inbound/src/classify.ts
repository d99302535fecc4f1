import { fieldValue, type HeaderField, readFieldGroups, recipientAddress } from './header-fields.ts';
import { autoReplySubject, bounceSubject } from './subjects.ts';
import type { InboundClassification } from './types.ts';

/** What `classify` reads of a message; built by `parseInbound`, plain data so rules test alone. */
export interface MessageFacts {
  /** The top-level media type, lower-case, e.g. 'multipart/report'. */
  contentType: string;
  /** The `report-type` parameter of a multipart/report, lower-case; null otherwise. */
  reportType: string | null;
  /** The top-level header fields, unfolded (names lower-case, values raw). */
  headers: readonly HeaderField[];
  /** The decoded subject, or null. */
  subject: string | null;
  /** The From address, lower-cased, or null. */
  from: string | null;
  /** The body of the first message/delivery-status (or message/global-delivery-status) part. */
  deliveryStatus: string | null;
  /** The body of the first message/feedback-report part. */
  feedbackReport: string | null;
  /** The plain text of the message (for non-standard bounces). */
  text: string;
}

export interface Classified {
  classification: InboundClassification;
  originalRecipient: string | null;
  /** A bounce or complaint: the Message-IDs of the embedded original message refer to what we sent. */
  aboutEmbeddedOriginal: boolean;
}

/**
 * Classifies a message, in this order (DESIGN section 14):
 * 1. a delivery status notification (RFC 3464: multipart/report; report-type=delivery-status, or a
 *    message/delivery-status part) is a hard bounce when a recipient's Status is 5.x.x, else soft;
 * 2. any other report by its report-type: feedback-report (RFC 5965 ARF) is a complaint,
 *    disposition-notification (RFC 8098 read receipt) and others are automatic replies. Reports go
 *    before header markers because their generators add Auto-Submitted / Precedence to them;
 * 3. a non-standard bounce (from MAILER-DAEMON / postmaster, X-Failed-Recipients, or a bounce
 *    subject): hard when its text carries a 5.x.x enhanced status code, else soft (ignored), since
 *    without a machine-readable status it cannot tell a dead mailbox from a full one;
 * 4. an auto-reply (RFC 3834 Auto-Submitted other than `no`, X-Autoreply, X-Autorespond,
 *    Precedence auto_reply|bulk|junk, or an out-of-office subject);
 * 5. anything else is a genuine reply.
 */
export function classify(facts: MessageFacts): Classified {
  if (facts.deliveryStatus !== null || facts.reportType === 'delivery-status') return dsn(facts);
  if (facts.contentType === 'multipart/report' || facts.feedbackReport !== null) {
    const report = otherReport(facts);
    if (report) return report;
  }
  return nonStandardBounce(facts) ?? autoReply(facts) ?? plain('reply', 'no automatic marker');
}

function dsn(facts: MessageFacts): Classified {
  const groups = readFieldGroups(facts.deliveryStatus ?? '');
  const recipients = groups.filter(
    (group) => fieldValue(group, 'final-recipient') !== null || fieldValue(group, 'status') !== null,
  );
  const withStatus = recipients.map((group) => ({ group, status: recipientStatus(group) }));
  const chosen =
    withStatus.find((entry) => entry.status?.startsWith('5.')) ??
    withStatus.find((entry) => entry.status) ??
    withStatus[0];
  let marker =
    facts.reportType === 'delivery-status' ? 'report-type=delivery-status' : 'message/delivery-status part';
  const originalRecipient = chosen ? recipientOf(chosen.group) : null;
  let status = chosen?.status ?? null;
  if (status === null && facts.deliveryStatus === null) {
    // Labelled a DSN but without a readable status part (Office 365 sends some so): its text decides.
    marker = `${marker} without a delivery-status part`;
    status = textStatus(facts.text);
  }
  if (status === null) {
    return {
      ...bounce('soft_bounce', `${marker}; no status`),
      originalRecipient,
      aboutEmbeddedOriginal: true,
    };
  }
  const kind = status.startsWith('5.') ? 'hard_bounce' : 'soft_bounce';
  return {
    ...bounce(kind, `${marker}; status ${status}`, status),
    originalRecipient,
    aboutEmbeddedOriginal: true,
  };
}

/** The recipient's RFC 3463 status: its Status field, else the enhanced code in its Diagnostic-Code. */
function recipientStatus(group: readonly HeaderField[]): string | null {
  const status = enhancedCode(fieldValue(group, 'status') ?? '', true);
  if (status) return status;
  return enhancedCode(fieldValue(group, 'diagnostic-code') ?? '', false);
}

function recipientOf(group: readonly HeaderField[]): string | null {
  const original = fieldValue(group, 'original-recipient');
  const final = fieldValue(group, 'final-recipient');
  return (original ? recipientAddress(original) : null) ?? (final ? recipientAddress(final) : null);
}

/** An RFC 3463 code `class.subject.detail`; `anchored` requires it at the start (a Status field). */
function enhancedCode(value: string, anchored: boolean): string | null {
  const pattern = anchored
    ? /^\s*([245])\.(\d{1,3})\.(\d{1,3})(?!\d)/
    : /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)/;
  const match = pattern.exec(value);
  return match ? `${match[1]}.${match[2]}.${match[3]}` : null;
}

function otherReport(facts: MessageFacts): Classified | null {
  if (facts.reportType === 'feedback-report' || facts.feedbackReport !== null) {
    const fields = readFieldGroups(facts.feedbackReport ?? '').flat();
    const type = fieldValue(fields, 'feedback-type')?.toLowerCase() ?? null;
    const rcpt = fieldValue(fields, 'original-rcpt-to');
    const marker =
      facts.reportType === 'feedback-report' ? 'report-type=feedback-report' : 'message/feedback-report part';
    return {
      classification: {
        kind: 'complaint',
        event: 'complained',
        autoReply: false,
        decidedBy: type ? `${marker}; feedback-type=${type}` : marker,
      },
      originalRecipient: rcpt ? recipientAddress(rcpt) : null,
      aboutEmbeddedOriginal: true,
    };
  }
  if (facts.reportType === null) return null;
  return {
    classification: auto(`report-type=${facts.reportType}`),
    originalRecipient: null,
    aboutEmbeddedOriginal: false,
  };
}

const BOUNCE_SENDERS = new Set(['mailer-daemon', 'postmaster', 'mail-daemon', 'mailerdaemon']);

function nonStandardBounce(facts: MessageFacts): Classified | null {
  const failed = headerValues(facts.headers, 'x-failed-recipients')[0] ?? null;
  const local = facts.from ? (facts.from.split('@')[0] ?? '') : '';
  const fromDaemon = BOUNCE_SENDERS.has(local);
  const subjectPhrase = facts.subject ? bounceSubject(facts.subject) : null;
  let marker: string | null = null;
  if (failed !== null) marker = 'X-Failed-Recipients';
  else if (fromDaemon && subjectPhrase) marker = `from ${local}, subject: ${subjectPhrase}`;
  else if (fromDaemon) marker = `from ${local}`;
  else if (subjectPhrase) marker = `subject: ${subjectPhrase}`;
  if (marker === null) return null;
  const originalRecipient = failed ? recipientAddress(failed) : null;
  const status = textStatus(facts.text);
  if (status?.startsWith('5.')) {
    return {
      ...bounce('hard_bounce', `non-standard bounce (${marker}); status ${status} in the text`, status),
      originalRecipient,
      aboutEmbeddedOriginal: true,
    };
  }
  const why = status ? `status ${status} in the text` : 'no machine-readable status';
  return {
    ...bounce('soft_bounce', `non-standard bounce (${marker}); ${why}`, status ?? undefined),
    originalRecipient,
    aboutEmbeddedOriginal: true,
  };
}

/**
 * The enhanced status code a non-standard bounce quotes from the remote server: after an SMTP reply
 * code ("550 5.1.1", "550-5.1.1", Exchange's "#5.1.1"), or in a "Status: 5.1.1" line. A bare
 * dotted number is not taken: it may be a version or an address.
 */
function textStatus(text: string): string | null {
  const patterns = [
    /\b[245]\d\d[ -]#?([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/,
    /#([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/,
    /^\s*Status:\s*([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/im,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (match?.[1]) return match[1];
  }
  return null;
}

function autoReply(facts: MessageFacts): Classified | null {
  for (const value of headerValues(facts.headers, 'auto-submitted')) {
    const token = (value.split(';')[0] ?? '').trim().toLowerCase();
    if (token !== '' && token !== 'no') return withoutRecipient(auto(`Auto-Submitted: ${token}`));
  }
  for (const name of ['X-Autoreply', 'X-Autorespond']) {
    const value = headerValues(facts.headers, name.toLowerCase())[0];
    if (value !== undefined && !/^(no|false|0)$/i.test(value.trim()))
      return withoutRecipient(auto(`${name}: ${value.trim() || '(empty)'}`));
  }
  for (const value of headerValues(facts.headers, 'precedence')) {
    const token = value.trim().toLowerCase();
    if (token === 'auto_reply' || token === 'bulk' || token === 'junk')
      return withoutRecipient(auto(`Precedence: ${token}`));
  }
  const phrase = facts.subject ? autoReplySubject(facts.subject) : null;
  return phrase ? withoutRecipient(auto(`subject: ${phrase}`)) : null;
}

function headerValues(headers: readonly HeaderField[], name: string): string[] {
  return headers.filter((field) => field.name === name).map((field) => field.value);
}

function auto(decidedBy: string): InboundClassification {
  return { kind: 'auto_reply', event: 'replied', autoReply: true, decidedBy };
}

function bounce(
  kind: 'hard_bounce' | 'soft_bounce',
  decidedBy: string,
  status?: string,
): { classification: InboundClassification } {
  const classification: InboundClassification = {
    kind,
    event: kind === 'hard_bounce' ? 'bounced' : null,
    autoReply: false,
    decidedBy,
  };
  if (status !== undefined) classification.status = status;
  return { classification };
}

function plain(kind: 'reply', decidedBy: string): Classified {
  return {
    classification: { kind, event: 'replied', autoReply: false, decidedBy },
    originalRecipient: null,
    aboutEmbeddedOriginal: false,
  };
}

function withoutRecipient(classification: InboundClassification): Classified {
  return { classification, originalRecipient: null, aboutEmbeddedOriginal: false };
}
