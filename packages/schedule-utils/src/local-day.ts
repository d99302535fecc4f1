import { fromWallClockMs, resolveLocalTime, wallClockAt } from './local-time.ts';
import { ianaZone } from './zone.ts';

const DAY_MS = 86_400_000;

/**
 * The local calendar day `instant` falls on in `zone`, as a day number (days since 1970-01-01 of the
 * local date, so two instants on the same local date share it and the next local date is one more).
 *
 * @throws InvalidTimezoneError for a non-IANA zone; RangeError for an invalid Date.
 */
export function localDayNumber(instant: Date, zone: string): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError('localDayNumber: instant is not a valid Date');
  return Math.floor(wallClockAt(ianaZone(zone), ms) / DAY_MS);
}

/**
 * The instant the local day `offsetDays` after the one of `instant` begins in `zone` (0: today's
 * start, 1: tomorrow's). A midnight that does not exist (a DST gap at 00:00, as in Havana) becomes
 * the first instant of the day, as resolveLocalTime shifts it.
 *
 * @throws InvalidTimezoneError for a non-IANA zone; RangeError for an invalid Date.
 */
export function localDayStart(instant: Date, zone: string, offsetDays = 0): Date {
  const day = localDayNumber(instant, zone) + offsetDays;
  const { year, month, day: date } = fromWallClockMs(day * DAY_MS);
  return resolveLocalTime({ year, month, day: date, hour: 0, minute: 0 }, zone);
}
