/* The time range every analytics query takes (issue 14 item 4). */

/** The longest range a query may cover, in days. */
export const MAX_RANGE_DAYS = 366;

const DAY_MS = 86_400_000;
/** An ISO 8601 instant with a date, a time and an offset (`Z` or ±hh:mm). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A half-open range of instants [from, to): a message belongs to it by its `sent_at`. */
export interface AnalyticsRange {
  from: Date;
  to: Date;
}

/** A parsed range, or why it is refused (a sentence naming the parameter). */
export type RangeParse = { ok: true; range: AnalyticsRange } | { ok: false; detail: string };

/** Whether the date and time fields name a real calendar instant (Date would roll 02-30 into March). */
function realFields(value: string): boolean {
  const [y, mo, d, h, mi, sec] = value.split(/[-T:.Z+]/).map(Number) as number[];
  const day = new Date(Date.UTC(y as number, (mo as number) - 1, d as number));
  return (
    day.getUTCMonth() === (mo as number) - 1 &&
    day.getUTCDate() === d &&
    (h as number) < 24 &&
    (mi as number) < 60 &&
    !((sec ?? 0) >= 60)
  );
}

function instant(name: string, value: unknown): Date | string {
  if (typeof value !== 'string' || value === '')
    return `${name} is required: an ISO 8601 instant such as 2026-01-01T00:00:00Z`;
  const date = ISO_INSTANT.test(value) && realFields(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()))
    return `${name} "${value}" is not an ISO 8601 instant with an offset (e.g. 2026-01-01T00:00:00Z)`;
  return date;
}

/**
 * Reads `from` and `to` (ISO 8601 instants with an offset) from query parameters. Refused: a missing or
 * malformed one, `to` before `from`, a range over MAX_RANGE_DAYS days. `from` equal to `to` is an empty
 * range.
 */
export function parseAnalyticsRange(query: { from?: unknown; to?: unknown }): RangeParse {
  const from = instant('from', query.from);
  if (typeof from === 'string') return { ok: false, detail: from };
  const to = instant('to', query.to);
  if (typeof to === 'string') return { ok: false, detail: to };
  if (to.getTime() < from.getTime()) {
    return { ok: false, detail: `to (${to.toISOString()}) is before from (${from.toISOString()})` };
  }
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    return { ok: false, detail: `the range covers more than ${MAX_RANGE_DAYS} days; ask for a shorter one` };
  }
  return { ok: true, range: { from, to } };
}
