/*
 * The small RFC 5322 header-field reading that mailparser does not expose for the parts it keeps
 * as attachments: the field groups of a message/delivery-status (RFC 3464) or message/feedback-report
 * (RFC 5965) part, and the header block of an embedded message/rfc822 or text/rfc822-headers part.
 */

/** One header field: the name lower-cased, the value unfolded and trimmed. */
export interface HeaderField {
  name: string;
  value: string;
}

const FIELD = /^([!-9;-~]+)[ \t]*:(.*)$/;

/**
 * The header fields of `text` up to its first empty line (or its end), continuation lines unfolded.
 * A line that is neither a field nor a continuation is skipped, as MTAs write such lines in DSNs.
 */
export function readHeaderBlock(text: string): HeaderField[] {
  const lines = splitLines(text);
  return readFields(lines.slice(0, endOfBlock(lines, 0)));
}

/**
 * The groups of fields of a message/delivery-status or message/feedback-report body, split on empty
 * lines: for a DSN the first is the per-message group, the others one per recipient (RFC 3464 2.1).
 */
export function readFieldGroups(text: string): HeaderField[][] {
  const lines = splitLines(text);
  const groups: HeaderField[][] = [];
  let start = 0;
  while (start < lines.length) {
    if ((lines[start] ?? '').trim() === '') {
      start += 1;
      continue;
    }
    const end = endOfBlock(lines, start);
    const fields = readFields(lines.slice(start, end));
    if (fields.length > 0) groups.push(fields);
    start = end;
  }
  return groups;
}

/** The first value of the field `name` (lower-case) in `fields`, or null. */
export function fieldValue(fields: readonly HeaderField[], name: string): string | null {
  return fields.find((field) => field.name === name)?.value ?? null;
}

/**
 * The Message-IDs in a Message-ID / In-Reply-To / References value, brackets removed, in their order.
 * A value without brackets that is one token with an `@` counts as one id (some clients drop them).
 */
export function messageIds(value: string): string[] {
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((match) => match[1] ?? '').filter(Boolean);
  if (bracketed.length > 0) return bracketed;
  const bare = value.trim();
  return /^[^\s<>@]+@[^\s<>@]+$/.test(bare) ? [bare] : [];
}

/**
 * The address in a DSN recipient field (`rfc822; Someone@Example.com`, RFC 3464 2.3.2) or an address
 * field without display name, lower-cased; null when there is none.
 */
export function recipientAddress(value: string): string | null {
  const typed = /^\s*[A-Za-z0-9-]+\s*;(.*)$/.exec(value);
  const rest = (typed ? typed[1] : value) ?? '';
  const match = /<?([^\s<>;,"]+@[^\s<>;,"]+)>?/.exec(rest);
  return match?.[1] ? match[1].toLowerCase() : null;
}

function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

function endOfBlock(lines: readonly string[], start: number): number {
  let index = start;
  while (index < lines.length && (lines[index] ?? '').trim() !== '') index += 1;
  return index;
}

function readFields(lines: readonly string[]): HeaderField[] {
  const fields: HeaderField[] = [];
  let current: HeaderField | null = null;
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      if (current) current.value = `${current.value} ${line.trim()}`.trim();
      continue;
    }
    const match = FIELD.exec(line);
    if (!match) {
      current = null;
      continue;
    }
    current = { name: (match[1] ?? '').toLowerCase(), value: (match[2] ?? '').trim() };
    fields.push(current);
  }
  return fields;
}
