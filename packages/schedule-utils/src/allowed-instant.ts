import type { IANAZone } from 'luxon';
import { addDuration } from './add-duration.ts';
import type { ParsedDuration } from './duration.ts';
import type { HolidayCalendar } from './holidays.ts';
import { fromWallClockMs, wallClockAt, wallClockMs, wallClockOccurrences } from './local-time.ts';
import type { QuietHours, Window } from './quiet-hours.ts';
import { isQuietWallClock, toWindow } from './quiet-hours.ts';
import type { ParsedSendWindow, SendWindow } from './send-window.ts';
import { parseSendWindow } from './send-window.ts';
import { ianaZone, offsetMsAt } from './zone.ts';

export type Channel = 'email' | 'sms';

/** What decides when a send may go (DESIGN section 10, "Allowed instant"), all read in `zone`. */
export interface SendRules {
  /** IANA zone of the plan. */
  zone: string;
  quietHours?: QuietHours | undefined;
  sendWindow?: SendWindow | undefined;
  holidays?: HolidayCalendar | undefined;
  /** Default 'email'. 'sms' adds the legal window [08:00, 21:00) local, which a plan cannot widen. */
  channel?: Channel | undefined;
}

/** The rule an instant breaks; reported as the send's defer reason. */
export type DisallowReason = 'quiet_hours' | 'send_window' | 'holiday' | 'sms_hours';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** How far nextAllowedInstant looks (DESIGN section 10: `no_send_time` past it). */
export const MAX_SEND_SEARCH_DAYS = 366;
const SMS_HOURS: Window = { startMs: 8 * HOUR_MS, endMs: 21 * HOUR_MS };
// Offsets lie within [-12 h, +14 h]; a day's instants are within this much of its wall clock.
const MAX_OFFSET_MS = 15 * HOUR_MS;

interface CompiledRules {
  tz: IANAZone;
  quiet: Window | undefined;
  window: ParsedSendWindow | undefined;
  holidays: HolidayCalendar | undefined;
  sms: boolean;
}

function compile(rules: SendRules): CompiledRules {
  if (typeof rules !== 'object' || rules === null) throw new TypeError('SendRules must be an object');
  const channel = rules.channel ?? 'email';
  if (channel !== 'email' && channel !== 'sms') {
    throw new RangeError(`Invalid channel ${JSON.stringify(channel)}: expected 'email' or 'sms'`);
  }
  return {
    tz: ianaZone(rules.zone),
    quiet: rules.quietHours === undefined ? undefined : toWindow(rules.quietHours),
    window: rules.sendWindow === undefined ? undefined : parseSendWindow(rules.sendWindow),
    holidays: rules.holidays,
    sms: channel === 'sms',
  };
}

function checkInstant(instant: Date, fn: string): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`${fn}: instant is not a valid Date`);
  return ms;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** 'YYYY-MM-DD' of a wall clock (ms, written as if UTC). */
function localDate(wallMs: number): string {
  const d = new Date(wallMs);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

function reasonAt(rules: CompiledRules, epochMs: number): DisallowReason | null {
  return reasonAtWall(rules, wallClockAt(rules.tz, epochMs));
}

/** reasonAt for the wall clock (ms, written as if UTC) an instant shows. */
function reasonAtWall(rules: CompiledRules, wall: number): DisallowReason | null {
  // Membership is read off the wall clock the instant shows; DST matters only for where a send
  // moves to (nextAllowedInstant), not for whether an instant is allowed.
  if (rules.quiet !== undefined && isQuietWallClock(wall, rules.quiet)) return 'quiet_hours';
  if (rules.window !== undefined) {
    const isoWeekday = new Date(wall).getUTCDay() || 7;
    const timeOfDay = ((wall % DAY_MS) + DAY_MS) % DAY_MS;
    const { startMs, endMs } = rules.window;
    if (!rules.window.isoWeekdays.has(isoWeekday) || timeOfDay < startMs || timeOfDay >= endMs) {
      return 'send_window';
    }
  }
  if (rules.holidays?.isHoliday(localDate(wall))) return 'holiday';
  if (rules.sms && !isQuietWallClock(wall, SMS_HOURS)) return 'sms_hours';
  return null;
}

/**
 * Why `instant` is not an allowed instant (DESIGN section 10), or null when it is allowed. The
 * rules are tried in the order quiet_hours, send_window, holiday, sms_hours and the first that
 * fails is returned. Each reads the wall clock `instant` shows in `rules.zone`, to the millisecond:
 * quiet hours [start, end) (possibly across midnight), the window's day listed and its time in
 * [start, end), the local date not a holiday, and for SMS a time in [08:00, 21:00).
 *
 * @throws InvalidTimezoneError, InvalidQuietHoursError, InvalidSendWindowError, RangeError for an
 *   invalid Date or channel.
 */
export function disallowReason(instant: Date, rules: SendRules): DisallowReason | null {
  const ms = checkInstant(instant, 'disallowReason');
  return reasonAt(compile(rules), ms);
}

/** Local times of day (ms) at which some failing rule may start to hold. */
function openingTimes(rules: CompiledRules): number[] {
  const times = new Set<number>();
  if (rules.quiet !== undefined) times.add(rules.quiet.endMs);
  if (rules.window !== undefined) times.add(rules.window.startMs);
  if (rules.sms) times.add(SMS_HOURS.startMs);
  // Midnight opens a new day only for the rules that read the date.
  if (rules.window !== undefined || rules.holidays !== undefined) times.add(0);
  return [...times];
}

/**
 * The instant the send due at `due` goes at (DESIGN section 10, "Allowed instant"): `due` itself
 * when allowed, else the earliest allowed instant after it among the opening boundaries: a
 * quiet-hours end, a send-window start, 08:00 for SMS, and (when a window or holidays read the date)
 * the local midnight that begins a day. Each boundary is resolved as rule 3 resolves a quiet-hours
 * end: inside a DST gap it is shifted forward by the gap's length (a window starting 02:30 on the
 * New York spring-forward night opens at 03:30 EDT; a midnight that does not exist, as in Havana,
 * becomes 01:00), and when the wall clock shows it twice the earlier occurrence at or after `due`
 * is taken. With only quiet hours and email this is applyQuietHours (so calculateScheduleTime).
 *
 * Whether an instant is allowed is read off the wall clock it shows (disallowReason); only where a
 * send moves to is resolved through DST. So, as with rule 3's quiet-hours end, a send due inside a
 * window right after a gap goes at once, while one due before the gap waits for the shifted start;
 * and a shifted start that lands at or past the window's end (a 02:00-04:00 window on Troll's 2-hour
 * gap opens at 04:00) opens nothing that day.
 *
 * Jumps from boundary to boundary, a few per local day, never minute by minute.
 *
 * @returns a new Date, or null when no allowed instant lies within 366 days after `due`.
 * @throws InvalidTimezoneError, InvalidQuietHoursError, InvalidSendWindowError, RangeError for an
 *   invalid Date or channel.
 */
export function nextAllowedInstant(due: Date, rules: SendRules): Date | null {
  const ms = checkInstant(due, 'nextAllowedInstant');
  const compiled = compile(rules);
  if (reasonAt(compiled, ms) === null) return new Date(ms);
  const limit = ms + MAX_SEND_SEARCH_DAYS * DAY_MS;
  const times = openingTimes(compiled);
  const local = fromWallClockMs(wallClockAt(compiled.tz, ms));
  let best: number | undefined;
  let lastDay: number | undefined;
  // From the day before (a fall-back night may show a boundary of yesterday after `due`); once a day
  // yields an allowed boundary, the next day is still looked at, as DST can reorder boundaries.
  for (let day = local.day - 1; lastDay === undefined || day <= lastDay; day++) {
    const midnightWall = wallClockMs({ year: local.year, month: local.month, day, hour: 0, minute: 0 });
    if (midnightWall - MAX_OFFSET_MS > limit) break;
    // A day with one offset from well before its midnight to well after its end (most days) maps
    // each wall time to one instant: two offset reads instead of several per boundary. Assumes, as
    // wallClockOccurrences does, that no zone changes its offset twice within two days.
    const offset = offsetMsAt(compiled.tz, midnightWall - MAX_OFFSET_MS);
    const steady = offset === offsetMsAt(compiled.tz, midnightWall + DAY_MS + MAX_OFFSET_MS);
    for (const time of times) {
      const wall = midnightWall + time;
      if (steady) {
        const candidate = wall - offset;
        if (candidate < ms || candidate > limit || (best !== undefined && candidate >= best)) continue;
        if (reasonAtWall(compiled, wall) === null) best = candidate;
        continue;
      }
      const { instants, gapResolved } = wallClockOccurrences(compiled.tz, wall);
      for (const candidate of instants.length > 0 ? instants : [gapResolved]) {
        if (candidate < ms || candidate > limit || (best !== undefined && candidate >= best)) continue;
        if (reasonAt(compiled, candidate) === null) best = candidate;
      }
    }
    if (best !== undefined && lastDay === undefined) lastDay = day + 1;
  }
  return best === undefined ? null : new Date(best);
}

/**
 * The send time of a `send` node entered at `entry` under v1.1 rules: `dueAt` = addDuration(entry,
 * delay, zone) (calendar-aware, as calculateScheduleTime), `runAt` = nextAllowedInstant(dueAt), null
 * when no allowed instant lies within 366 days (`no_send_time`). With only quiet hours and email,
 * equal to calculateScheduleTime.
 *
 * @throws InvalidDurationError and the errors of nextAllowedInstant.
 */
export function calculateSendTime(
  entry: Date,
  delay: string | ParsedDuration,
  rules: SendRules,
): { dueAt: Date; runAt: Date | null } {
  compile(rules);
  const dueAt = addDuration(entry, delay, rules.zone);
  return { dueAt, runAt: nextAllowedInstant(dueAt, rules) };
}
