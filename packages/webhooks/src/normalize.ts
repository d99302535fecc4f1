import { ItemError } from './errors.ts';
import type { NormalizedEvent, RejectedItem } from './types.ts';

/**
 * The Message-ID in `<local@domain>` form. Providers differ (SendGrid's `smtp-id` keeps the angle
 * brackets, Mailgun's header copy drops them); one form lets the caller match what it sent.
 */
export function normalizeMessageId(value: string | null): string | null {
  if (value === null) return null;
  const inner = value.trim().replace(/^<+/, '').replace(/>+$/, '').trim();
  return inner === '' ? null : `<${inner}>`;
}

/**
 * The name under which every outgoing message carries our message id in each provider's echo field
 * (core's `echo-headers.ts` writes it; the providers send it back in their events).
 */
export const ECHO_FIELD = 'campaign_message_id';

/**
 * Our message as an echo field's value names it: a UUID, or the UUID with its contact's id after a dot
 * (`<uuid>.<contact id>`, core's routed id: a contact id is 1 to 128 letters, digits, `-`, `_`, `~`, with
 * `.` between them), as a string (or, as SES tags come, an array whose first element is one); the UUID
 * lower-cased. Anything else is null: a tag of the same name set by someone else must not be taken for ours.
 */
export function echoedMessageId(value: unknown): string | null {
  const text = Array.isArray(value) ? (value[0] as unknown) : value;
  if (typeof text !== 'string') return null;
  const match = ECHOED.exec(text.trim());
  if (!match?.[1]) return null;
  const contactId = match[2];
  if (contactId !== undefined && contactId.length > 128) return null;
  return contactId === undefined ? match[1].toLowerCase() : `${match[1].toLowerCase()}.${contactId}`;
}

const ECHOED =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\.([A-Za-z0-9_~-]+(?:\.[A-Za-z0-9_~-]+)*))?$/i;

/** Events and rejections of a verified request. */
export interface Collected {
  events: NormalizedEvent[];
  rejected: RejectedItem[];
}

/** The deepest nesting of a stored payload: `{"a": 1}` is 1 level. */
const MAX_PAYLOAD_DEPTH = 32;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why the event cannot be stored, or undefined: Postgres refuses a NUL character in `text` and
 * `jsonb` and a lone surrogate in `jsonb`, and a payload nested without bound exhausts the stack of
 * whatever walks it. Looks at every string and key of the event, its payload included, iteratively.
 */
function unstorable(event: NormalizedEvent): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value: event, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, depth } = next;
    if (typeof value === 'string') {
      if (value.includes('\u0000'))
        return 'a field contains a NUL character (U+0000), which cannot be stored';
      if (LONE_SURROGATE.test(value))
        return 'a field contains a lone UTF-16 surrogate, which cannot be stored';
      continue;
    }
    if (typeof value !== 'object' || value === null || value instanceof Date) continue;
    // The event itself is level 0: its payload may be MAX_PAYLOAD_DEPTH levels deep.
    if (depth > MAX_PAYLOAD_DEPTH) return `the payload is nested more than ${MAX_PAYLOAD_DEPTH} levels deep`;
    for (const [key, child] of Object.entries(value)) {
      stack.push({ value: key, depth }, { value: child, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * Normalizes each item; an item that throws {@link ItemError}, or that cannot be stored (code
 * `unstorable_value`), is listed in `rejected` with its index and the others go on, so one bad
 * record does not make the provider redeliver a whole batch.
 */
export function collect(items: readonly unknown[], normalize: (item: unknown) => NormalizedEvent): Collected {
  const events: NormalizedEvent[] = [];
  const rejected: RejectedItem[] = [];
  items.forEach((item, index) => {
    try {
      const event = normalize(item);
      const problem = unstorable(event);
      if (problem !== undefined) throw new ItemError('unstorable_value', problem);
      events.push(event);
    } catch (error) {
      if (!(error instanceof ItemError)) throw error;
      rejected.push({ index, code: error.code, message: error.message });
    }
  });
  return { events, rejected };
}
