import type { IANAZone } from 'luxon';
import { ScheduleError } from './errors.ts';
import { fromWallClockMs, wallClockAt, wallClockMs, wallClockOccurrences } from './local-time.ts';
import { ianaZone } from './zone.ts';

/** A daily window of local times, each 'HH:MM'. It crosses midnight when `end` < `start`. */
export interface QuietHours {
  start: string;
  end: string;
}

/** Thrown when quiet hours are not two 'HH:MM' times with start !== end. */
export class InvalidQuietHoursError extends ScheduleError {
  readonly code = 'invalid_quiet_hours';

  constructor(quiet: unknown) {
    super(
      `Invalid quiet hours ${JSON.stringify(quiet) ?? String(quiet)}: expected { start: 'HH:MM', end: 'HH:MM' } with start !== end`,
    );
    this.name = 'InvalidQuietHoursError';
  }
}

const DAY_MS = 86_400_000;
const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** True for exactly 'HH:MM' on a 24-hour clock, '00:00' to '23:59' ('7:30', '24:00', '12:00:00' are not). */
export function isValidTimeOfDay(hhmm: string): boolean {
  return typeof hhmm === 'string' && TIME_OF_DAY.test(hhmm);
}

/** True when both ends are valid 'HH:MM' times and they differ (an empty or full-day window is refused). */
export function isValidQuietHours(q: QuietHours): boolean {
  return (
    typeof q === 'object' &&
    q !== null &&
    isValidTimeOfDay(q.start) &&
    isValidTimeOfDay(q.end) &&
    q.start !== q.end
  );
}

/** Quiet hours read: local times of day in ms since midnight. */
export interface Window {
  startMs: number;
  endMs: number;
}

function timeOfDayMs(hhmm: string): number {
  return (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))) * 60_000;
}

/** @throws InvalidQuietHoursError */
export function toWindow(quiet: QuietHours): Window {
  if (!isValidQuietHours(quiet)) throw new InvalidQuietHoursError(quiet);
  return { startMs: timeOfDayMs(quiet.start), endMs: timeOfDayMs(quiet.end) };
}

/** True when the wall clock (ms, written as if UTC) shows a time of day in [start, end). */
export function isQuietWallClock(wallMs: number, w: Window): boolean {
  const t = ((wallMs % DAY_MS) + DAY_MS) % DAY_MS;
  return w.startMs < w.endMs ? t >= w.startMs && t < w.endMs : t >= w.startMs || t < w.endMs;
}

function checkInstant(instant: Date, fn: string): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`${fn}: instant is not a valid Date`);
  return ms;
}

/**
 * True when the local time of day of `instant` in `zone` lies in [start, end), to the millisecond:
 * with 21:00-07:30, 21:00:00.000 and 07:29:59.999 are quiet and 07:30:00.000 is not. The window may
 * cross midnight.
 *
 * @throws InvalidQuietHoursError, InvalidTimezoneError, or RangeError for an invalid Date.
 */
export function isQuietTime(instant: Date, zone: string, quiet: QuietHours): boolean {
  const ms = checkInstant(instant, 'isQuietTime');
  const w = toWindow(quiet);
  return isQuietWallClock(wallClockAt(ianaZone(zone), ms), w);
}

function isQuietAt(tz: IANAZone, epochMs: number, w: Window): boolean {
  return isQuietWallClock(wallClockAt(tz, epochMs), w);
}

/**
 * DESIGN rule 3. An instant whose local time in `zone` is quiet moves to the next local `end`: the
 * same local day when its time of day is before `end`, else the next day. `end` is resolved as
 * resolveLocalTime does: inside a DST gap it is shifted forward by the gap (quiet 22:00-02:30 on the
 * New York spring-forward night ends at 03:30 EDT), and when ambiguous it takes the earlier instant.
 *
 * "Next" is meant in real time, which matters only on a fall-back night, where the wall clock can
 * show `end` twice: an instant in the repeated hour that is past the first `end` moves to the second
 * one (01:15 EST, in the repeated hour, with quiet hours ending at 01:30, moves to 01:30 EST, not to
 * 01:30 EDT in its past nor to 01:30 the next day). Should a gap-shifted `end` be quiet, the next
 * day's `end` is used. So the result is never quiet and never earlier than `instant`.
 *
 * Between `instant` and the result every instant is quiet, except where a DST transition makes the
 * wall clock leave the window without showing `end` (it jumps over `end`, or falls back to before
 * `start`): the rule waits for `end` rather than for that jump.
 *
 * Returns a new Date with the same value when `instant` is not quiet or `quiet` is undefined.
 *
 * @throws InvalidQuietHoursError, InvalidTimezoneError, or RangeError for an invalid Date.
 */
export function applyQuietHours(instant: Date, zone: string, quiet: QuietHours | undefined): Date {
  const ms = checkInstant(instant, 'applyQuietHours');
  if (quiet === undefined) return new Date(ms);
  const w = toWindow(quiet);
  const tz = ianaZone(zone);
  const wall = wallClockAt(tz, ms);
  if (!isQuietWallClock(wall, w)) return new Date(ms);

  const local = fromWallClockMs(wall);
  const endHour = Math.floor(w.endMs / 3_600_000);
  const endMinute = (w.endMs / 60_000) % 60;
  // Starting from today's end: on an ordinary day it lies before a quiet instant whose time of day
  // is past `end` and is skipped, giving tomorrow's; on a fall-back night it may still be ahead.
  // A gap-shifted end can only be quiet on a transition day, and transitions are months apart.
  for (let day = local.day; day < local.day + 7; day++) {
    const endWall = wallClockMs({
      year: local.year,
      month: local.month,
      day,
      hour: endHour,
      minute: endMinute,
    });
    const { instants, gapResolved } = wallClockOccurrences(tz, endWall);
    for (const candidate of instants.length > 0 ? instants : [gapResolved]) {
      if (candidate >= ms && !isQuietAt(tz, candidate, w)) return new Date(candidate);
    }
  }
  throw new Error(`applyQuietHours: no end of quiet hours found within a week in ${zone}`);
}
