import type { ParsedDuration } from './duration.ts';
import { toParsedDuration } from './duration.ts';
import {
  daysInMonth,
  fromWallClockMs,
  wallClockAt,
  wallClockMs,
  wallClockOccurrences,
} from './local-time.ts';
import { ianaZone } from './zone.ts';

const DAY_MS = 86_400_000;

/**
 * `instant` + `duration` in `zone` (an IANA name).
 *
 * Calendar parts move the local date and keep the local wall-clock time: years and months first,
 * clamping the day to the target month (Jan 31 + P1M = Feb 28, or 29 in a leap year), then weeks
 * and days. 09:00 stays 09:00 across a DST change. The local time is then resolved as
 * resolveLocalTime does (a DST gap shifts it forward by the gap, an overlap takes the earlier
 * instant), and the clock parts (hours, minutes, seconds, milliseconds) are added as elapsed time:
 * 'PT24H' across a DST change is 24 real hours, 'P1D' is not.
 *
 * A fractional calendar part (P1.5D; plans may not hold one since isValidIsoDuration refuses it, but
 * a campaign stored earlier may) moves the calendar by its whole part and adds the fraction as
 * elapsed time at its nominal length (0.5 day = 12 h, see nominalDurationMs). The elapsed part is
 * rounded to whole milliseconds. A duration without whole calendar parts is pure elapsed time: the
 * instant is not read back from the wall clock, so the later of two ambiguous instants stays put.
 *
 * @throws InvalidDurationError for an invalid duration; InvalidTimezoneError for a non-IANA zone;
 *   RangeError for an invalid `instant` or a result outside the Date range.
 */
export function addDuration(instant: Date, duration: string | ParsedDuration, zone: string): Date {
  const d = toParsedDuration(duration);
  const tz = ianaZone(zone);
  const start = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (Number.isNaN(start)) throw new RangeError('addDuration: instant is not a valid Date');

  const years = Math.trunc(d.years);
  const months = Math.trunc(d.months);
  const days = Math.trunc(d.weeks) * 7 + Math.trunc(d.days);
  const elapsedMs = Math.round(
    (d.years - years) * 365 * DAY_MS +
      (d.months - months) * 30 * DAY_MS +
      (d.weeks - Math.trunc(d.weeks)) * 7 * DAY_MS +
      (d.days - Math.trunc(d.days)) * DAY_MS +
      d.hours * 3_600_000 +
      d.minutes * 60_000 +
      d.seconds * 1000 +
      d.milliseconds,
  );

  let base = start;
  if (years !== 0 || months !== 0 || days !== 0) {
    const local = fromWallClockMs(wallClockAt(tz, start));
    const monthIndex = local.month - 1 + months;
    const year = local.year + years + Math.floor(monthIndex / 12);
    const month = (monthIndex % 12) + 1;
    // Clamp to the target month before adding days, so Jan 31 + P1M1D is Mar 1 (via Feb 28).
    const day = Math.min(local.day, daysInMonth(year, month)) + days;
    const wall = wallClockMs({ ...local, year, month, day });
    if (Number.isNaN(wall)) throw new RangeError('addDuration: result is outside the Date range');
    const { instants, gapResolved } = wallClockOccurrences(tz, wall);
    base = instants[0] ?? gapResolved;
  }
  const result = new Date(base + elapsedMs);
  if (Number.isNaN(result.getTime())) throw new RangeError('addDuration: result is outside the Date range');
  return result;
}
