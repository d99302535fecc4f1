import type { IANAZone } from 'luxon';
import { ianaZone, offsetMsAt } from './zone.ts';

/** A wall-clock date and time in some zone. `month` is 1-12; `second` and `millisecond` default to 0. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
  millisecond?: number;
}

const DAY_MS = 86_400_000;

/** Days in `month` (1-12) of the proleptic Gregorian `year`. */
export function daysInMonth(year: number, month: number): number {
  return new Date(wallClockMs({ year, month: month + 1, day: 0, hour: 0, minute: 0 })).getUTCDate();
}

/**
 * The wall clock written as if it were UTC, in ms. Out-of-range fields roll over (day 0 is the last
 * day of the previous month), which the calendar arithmetic relies on.
 */
export function wallClockMs(local: LocalDateTime): number {
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  const d = new Date(0);
  d.setUTCFullYear(local.year, local.month - 1, local.day);
  d.setUTCHours(local.hour, local.minute, local.second ?? 0, local.millisecond ?? 0);
  return d.getTime();
}

/** Inverse of wallClockMs. */
export function fromWallClockMs(wallMs: number): Required<LocalDateTime> {
  const d = new Date(wallMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

/** The wall clock (written as if UTC, in ms) shown in `zone` at the instant `epochMs`. */
export function wallClockAt(zone: IANAZone, epochMs: number): number {
  return epochMs + offsetMsAt(zone, epochMs);
}

/**
 * Every instant (epoch ms, ascending) at which the wall clock of `zone` shows `wallMs`: one normally,
 * two in a DST overlap, none in a DST gap. `gapResolved` is the instant the wall time maps to when
 * read with the offset in force before the nearest transition: the gap-shifted instant when there
 * is no occurrence, and the earlier occurrence otherwise.
 *
 * The offsets in force a day before and a day after bracket the transition, since offsets stay
 * within +-14 h; this assumes no zone changes its offset twice within two days.
 */
export function wallClockOccurrences(
  zone: IANAZone,
  wallMs: number,
): { instants: number[]; gapResolved: number } {
  const before = offsetMsAt(zone, wallMs - DAY_MS);
  const after = offsetMsAt(zone, wallMs + DAY_MS);
  const instants: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const candidate = wallMs - offset;
    if (offsetMsAt(zone, candidate) === offset) instants.push(candidate);
  }
  instants.sort((a, b) => a - b);
  return { instants, gapResolved: wallMs - before };
}

function checkField(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`Invalid local ${name} ${String(value)}: expected an integer in [${min}, ${max}]`);
  }
}

/**
 * The instant at which the wall clock of `zone` shows `local`.
 *
 * A time that does not exist (DST gap) is shifted forward by the length of the gap: 02:30 on a
 * spring-forward night in America/New_York becomes 03:30 EDT, and 02:15 on Lord Howe's 30-minute
 * gap becomes 02:45. An ambiguous time (DST overlap) takes the earlier of its two instants.
 *
 * @throws RangeError when a field is out of range (month 1-12, day within the month, hour 0-23,
 *   minute and second 0-59, millisecond 0-999); InvalidTimezoneError when `zone` is not IANA.
 */
export function resolveLocalTime(local: LocalDateTime, zone: string): Date {
  const tz = ianaZone(zone);
  checkField('year', local.year, -271_820, 275_759);
  checkField('month', local.month, 1, 12);
  checkField('day', local.day, 1, daysInMonth(local.year, local.month));
  checkField('hour', local.hour, 0, 23);
  checkField('minute', local.minute, 0, 59);
  checkField('second', local.second ?? 0, 0, 59);
  checkField('millisecond', local.millisecond ?? 0, 0, 999);
  const { instants, gapResolved } = wallClockOccurrences(tz, wallClockMs(local));
  const result = new Date(instants[0] ?? gapResolved);
  if (Number.isNaN(result.getTime())) throw new RangeError('Local time is outside the supported date range');
  return result;
}
