import { createHash } from 'node:crypto';
import { type AddressObject, type ParsedMail, type StructuredHeader, simpleParser } from 'mailparser';
import { classify, type MessageFacts } from './classify.ts';
import { InboundError } from './errors.ts';
import { fieldValue, type HeaderField, messageIds, readHeaderBlock } from './header-fields.ts';
import { MAX_INBOUND_BYTES, type ParsedInbound } from './types.ts';

const DELIVERY_STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const EMBEDDED_PART =
  /^Content-Type:[ \t]*(?:message\/rfc822|text\/rfc822-headers|message\/global|message\/global-headers)\b/gim;
const HEADER_FIELD_LINE = /^[!-9;-~]+[ \t]*:/;

/**
 * Parses a raw inbound message (RFC 5322 / MIME, as a mailbox or an inbound webhook hands it over)
 * and classifies it (see `classify`). Pure: no I/O, no clock.
 *
 * A string is read as UTF-8. The event id is the message's Message-ID, or when it has none
 * 'sha256:<hex>' of the raw bytes, so the same message seen twice gets the same id.
 *
 * @throws InboundError `message_too_large` past MAX_INBOUND_BYTES (25 MiB); `malformed_mime` when the
 *   input does not start with a header field, has no From field, or the MIME parser gives up on it.
 *   Nothing else.
 */
export async function parseInbound(raw: Buffer | string): Promise<ParsedInbound> {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  if (bytes.length > MAX_INBOUND_BYTES) {
    throw new InboundError(
      'message_too_large',
      `the message is ${bytes.length} bytes; at most ${MAX_INBOUND_BYTES} bytes (25 MiB) are read`,
    );
  }
  const message = stripMboxLine(bytes);
  checkHeaderStart(message);
  const mail = await parseMime(message);
  const headers = mail.headerLines.map(unfoldLine);
  if (fieldValue(headers, 'from') === null) {
    throw new InboundError(
      'malformed_mime',
      'the message has no From header field (RFC 5322 3.6 requires one)',
    );
  }
  const ownId = messageIds(fieldValue(headers, 'message-id') ?? '')[0] ?? null;
  const facts = messageFacts(mail, headers);
  const classified = classify(facts);
  const refersTo = [
    ...headers.filter((field) => field.name === 'in-reply-to').flatMap((field) => messageIds(field.value)),
    ...headers
      .filter((field) => field.name === 'references')
      .flatMap((field) => messageIds(field.value).reverse()),
    ...(classified.aboutEmbeddedOriginal ? embeddedOriginalIds(message, mail.text ?? '') : []),
  ];
  return {
    messageId: ownId ?? `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    from: facts.from,
    to: unique([...addresses(mail.to), ...addresses(mail.cc)]),
    subject: mail.subject ?? null,
    date: headerDate(headers),
    refersTo: unique(refersTo).filter((id) => id !== ownId),
    originalRecipient: classified.originalRecipient,
    classification: classified.classification,
  };
}

/** A leading mbox separator line ("From sender date"), as mailbox exports carry, is not a header. */
function stripMboxLine(bytes: Buffer): Buffer {
  if (!bytes.subarray(0, 5).equals(Buffer.from('From '))) return bytes;
  const newline = bytes.indexOf(0x0a);
  return newline === -1 ? Buffer.alloc(0) : bytes.subarray(newline + 1);
}

function checkHeaderStart(bytes: Buffer): void {
  const head = bytes.subarray(0, 1000).toString('latin1');
  if (head.trim() === '') throw new InboundError('malformed_mime', 'the message is empty');
  const firstLine = head.split(/\r?\n/)[0] ?? '';
  if (!HEADER_FIELD_LINE.test(firstLine)) {
    throw new InboundError(
      'malformed_mime',
      'the message does not start with a header field ("Name: value"); is it a raw RFC 5322 message?',
    );
  }
}

async function parseMime(bytes: Buffer): Promise<ParsedMail> {
  try {
    return await simpleParser(bytes, {
      keepDeliveryStatus: true,
      ignoreEmbedded: true,
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      keepCidLinks: true,
      checksumAlgo: false,
      maxHtmlLengthToParse: 2 * 1024 * 1024,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InboundError('malformed_mime', `the MIME structure cannot be parsed: ${reason}`, {
      cause: error,
    });
  }
}

function unfoldLine(line: { key: string; line: string }): HeaderField {
  const colon = line.line.indexOf(':');
  const value = colon === -1 ? '' : line.line.slice(colon + 1);
  return { name: line.key.toLowerCase(), value: value.replace(/\r?\n[ \t]*/g, ' ').trim() };
}

function messageFacts(mail: ParsedMail, headers: readonly HeaderField[]): MessageFacts {
  const contentType = mail.headers.get('content-type');
  const structured = isStructured(contentType) ? contentType : null;
  const mediaType = structured ? structured.value.toLowerCase() : 'text/plain';
  const reportTypeParam = structured?.params['report-type'];
  const firstOf = (types: ReadonlySet<string>) =>
    mail.attachments.find((part) => types.has(part.contentType.toLowerCase()));
  return {
    contentType: mediaType,
    reportType:
      mediaType === 'multipart/report' && reportTypeParam ? reportTypeParam.trim().toLowerCase() : null,
    headers,
    subject: mail.subject ?? null,
    from: addresses(mail.from)[0] ?? null,
    deliveryStatus: firstOf(DELIVERY_STATUS_TYPES)?.content.toString('utf8') ?? null,
    feedbackReport: firstOf(new Set(['message/feedback-report']))?.content.toString('utf8') ?? null,
    text: mail.text ?? '',
  };
}

/**
 * The Message-IDs of the original messages a bounce or report carries: the header block of each
 * message/rfc822, text/rfc822-headers (or RFC 6533 global) part, read from the raw text because
 * mailparser hands such parts over empty; and Message-ID lines quoted in the text of bounces that
 * copy the original inline (qmail, Exim).
 */
function embeddedOriginalIds(raw: Buffer, text: string): string[] {
  const source = raw.toString('latin1');
  const fromParts: string[] = [];
  for (const match of source.matchAll(EMBEDDED_PART)) {
    const afterPartHeaders = source.slice((match.index ?? 0) + match[0].length);
    const partHeaders = /^(.*?)\r?\n\r?\n/s.exec(afterPartHeaders);
    if (!partHeaders) continue;
    let body = afterPartHeaders.slice(partHeaders[0].length);
    if (/content-transfer-encoding:[ \t]*base64/i.test(partHeaders[1] ?? '')) {
      body = Buffer.from((body.split(/\r?\n--/)[0] ?? '').replace(/\s+/g, ''), 'base64').toString('latin1');
    }
    const id = messageIds(fieldValue(readHeaderBlock(body), 'message-id') ?? '')[0];
    if (id) fromParts.push(id);
  }
  const quoted = [...text.matchAll(/^[ \t>]*Message-ID:[ \t]*<([^<>\s]+)>/gim)].map(
    (match) => match[1] ?? '',
  );
  return [...fromParts, ...quoted].filter(Boolean);
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const out: string[] = [];
  const visit = (entry: {
    address?: string | undefined;
    group?: { address?: string | undefined; group?: unknown }[] | undefined;
  }) => {
    if (entry.address) out.push(entry.address.toLowerCase());
    for (const member of entry.group ?? []) visit(member as typeof entry);
  };
  for (const object of objects) for (const entry of object.value) visit(entry);
  return out;
}

function isStructured(value: unknown): value is StructuredHeader {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { value?: unknown; params?: unknown };
  return (
    typeof candidate.value === 'string' && typeof candidate.params === 'object' && candidate.params !== null
  );
}

/**
 * The Date field as written; null when absent or unreadable (mailparser would give the current time,
 * which would look like a real date). RFC 5322 comments such as "(PDT)" are dropped first.
 */
function headerDate(headers: readonly HeaderField[]): Date | null {
  const value = fieldValue(headers, 'date');
  if (value === null) return null;
  const time = Date.parse(value.replace(/\([^()]*\)/g, ' ').trim());
  return Number.isNaN(time) ? null : new Date(time);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
