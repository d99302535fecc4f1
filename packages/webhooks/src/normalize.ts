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

/** Events and rejections of a verified request. */
export interface Collected {
  events: NormalizedEvent[];
  rejected: RejectedItem[];
}

/**
 * Normalizes each item; an item that throws {@link ItemError} is listed in `rejected` with its index
 * and the others go on, so one bad record does not make the provider redeliver a whole batch.
 */
export function collect(items: readonly unknown[], normalize: (item: unknown) => NormalizedEvent): Collected {
  const events: NormalizedEvent[] = [];
  const rejected: RejectedItem[] = [];
  items.forEach((item, index) => {
    try {
      events.push(normalize(item));
    } catch (error) {
      if (!(error instanceof ItemError)) throw error;
      rejected.push({ index, code: error.code, message: error.message });
    }
  });
  return { events, rejected };
}
