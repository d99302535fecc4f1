import { ScheduleError } from './errors.ts';

/**
 * An ISO 8601 duration split into calendar parts (years, months, weeks, days: applied on the wall
 * clock of a zone) and clock parts (hours, minutes, seconds, milliseconds: elapsed time).
 * All fields are finite and >= 0; only the smallest part given in the ISO text may be fractional.
 */
export interface ParsedDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
  milliseconds: number;
}

/** Thrown for a duration that is unparseable, negative or out of range. */
export class InvalidDurationError extends ScheduleError {
  readonly code = 'invalid_duration';
  readonly input: string;
  readonly reason: string;

  constructor(input: string, reason: string) {
    super(`Invalid ISO 8601 duration ${JSON.stringify(input)}: ${reason}`);
    this.name = 'InvalidDurationError';
    this.input = input;
    this.reason = reason;
  }
}

const FIELDS = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'] as const;

// Nominal lengths, for comparing durations only: real days, months and years vary.
const NOMINAL_MS: Record<(typeof FIELDS)[number], number> = {
  years: 365 * 86_400_000,
  months: 30 * 86_400_000,
  weeks: 7 * 86_400_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1000,
  milliseconds: 1,
};

// ISO 8601 allows '.' or ',' as the decimal sign, with a digit on each side.
const NUM = '(\\d+(?:[.,]\\d+)?)';
const ISO_DURATION = new RegExp(
  `^P(?:${NUM}Y)?(?:${NUM}M)?(?:${NUM}W)?(?:${NUM}D)?(?:T(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?$`,
);

/**
 * Parses an ISO 8601 duration such as 'P1D', 'PT72H', 'P1DT2H30M', 'PT0S', 'P2W', 'P1Y2M' or
 * 'PT1.5H'. Designators are upper case; weeks may be combined with other parts. A fraction is
 * allowed only in the last (smallest) part given, and is kept as written (PT1.5H gives
 * hours: 1.5; PT0.25S gives seconds: 0.25). `milliseconds` is always 0: ISO has no such part.
 *
 * A fractional calendar part ('P0.5D', 'P2.5M') is read here, so a campaign stored before such
 * durations were refused keeps running, but a plan may not hold one: isValidIsoDuration refuses it
 * (see fractionalCalendarProblem).
 *
 * @throws InvalidDurationError when `iso` is not a string, is unparseable ('72h', '', 'P', 'PT',
 *   'P1DT'), is negative ('-P1D', 'P-1D'), has a fraction before its last part ('P1.5DT2H'), or has
 *   a part larger than Number.MAX_SAFE_INTEGER.
 */
export function parseIsoDuration(iso: string): ParsedDuration {
  if (typeof iso !== 'string') throw new InvalidDurationError(String(iso), 'not a string');
  if (/^[-+\u2212]/.test(iso) || iso.includes('-')) {
    throw new InvalidDurationError(iso, 'negative or signed durations are not allowed');
  }
  const match = ISO_DURATION.exec(iso);
  if (!match) throw new InvalidDurationError(iso, 'expected the form PnYnMnWnDTnHnMnS');
  const parts = match.slice(1, 8);
  const given = parts.flatMap((text, index) => (text === undefined ? [] : [index]));
  const last = given.at(-1);
  if (last === undefined) throw new InvalidDurationError(iso, 'no part given');
  if (iso.endsWith('T')) throw new InvalidDurationError(iso, "'T' must be followed by a time part");
  const result: ParsedDuration = {
    years: 0,
    months: 0,
    weeks: 0,
    days: 0,
    hours: 0,
    minutes: 0,
    seconds: 0,
    milliseconds: 0,
  };
  for (const index of given) {
    const text = parts[index] as string;
    const fractional = /[.,]/.test(text);
    if (fractional && index !== last) {
      throw new InvalidDurationError(iso, 'only the smallest part given may have a fraction');
    }
    const value = Number(text.replace(',', '.'));
    if (!(value <= Number.MAX_SAFE_INTEGER)) throw new InvalidDurationError(iso, 'a part is too large');
    result[FIELDS[index] as (typeof FIELDS)[number]] = value;
  }
  return result;
}

/** `hours` elapsed hours as ISO clock parts: 12 -> 'T12H', 7.2 -> 'T7H12M' (rounded to the minute). */
function clockText(hours: number): string {
  const minutes = Math.round(hours * 60);
  if (minutes === 0) return '';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `T${h > 0 ? `${h}H` : ''}${m > 0 ? `${m}M` : ''}`;
}

/** ISO text from whole parts; 'PT0S' when all are zero. */
function isoText(years: number, months: number, days: number, clock = ''): string {
  const date = `${years > 0 ? `${years}Y` : ''}${months > 0 ? `${months}M` : ''}${days > 0 ? `${days}D` : ''}`;
  return date === '' && clock === '' ? 'PT0S' : `P${date}${clock}`;
}

/**
 * Why a duration with a fractional calendar part (years, months, weeks or days) cannot be in a plan,
 * with the whole parts to write instead; undefined for any other text, valid or not. Such a part has no
 * single meaning: a day is 23 to 25 hours across a daylight saving change (is P0.5D 12 hours, or until
 * the same wall-clock time 12 hours on?), a month 28 to 31 days. Fractions of hours, minutes and
 * seconds are elapsed time, exact everywhere, and stay allowed (PT1.5H). Example: 'P0.5D' ->
 * "fractional days are ambiguous across daylight saving changes (a day is 23 to 25 hours); write whole
 * days or hours: PT12H".
 */
export function fractionalCalendarProblem(iso: string): string | undefined {
  let d: ParsedDuration;
  try {
    d = parseIsoDuration(iso);
  } catch {
    return undefined;
  }
  // Only the smallest part given may be fractional, so every part after the fractional one is zero.
  if (!Number.isInteger(d.years)) {
    const months = Math.round((d.years % 1) * 12);
    const exact = Number.isInteger(d.years * 12) ? '' : ' if that is what you mean';
    return `fractional years are ambiguous (a year is 365 or 366 days); write whole years, months or days: ${isoText(Math.trunc(d.years), months, 0)}${exact}`;
  }
  if (!Number.isInteger(d.months)) {
    const days = Math.round((d.months % 1) * 30);
    return `fractional months are ambiguous (a month is 28 to 31 days); write whole months and days, such as ${isoText(d.years, Math.trunc(d.months), days)} if that is what you mean`;
  }
  const days = d.weeks * 7 + d.days;
  if (Number.isInteger(days) && Number.isInteger(d.weeks)) return undefined;
  const unit = Number.isInteger(d.weeks) ? 'days' : 'weeks';
  const whole = Math.trunc(days);
  return `fractional ${unit} are ambiguous across daylight saving changes (a day is 23 to 25 hours); write whole days or hours: ${isoText(d.years, d.months, whole, clockText((days - whole) * 24))}`;
}

/**
 * Checks a duration object built in code, as parseIsoDuration would produce it: every field a
 * finite number >= 0. Returns it unchanged.
 *
 * @throws InvalidDurationError naming the JSON of `d` otherwise.
 */
export function checkParsedDuration(d: ParsedDuration): ParsedDuration {
  for (const field of FIELDS) {
    const value: unknown = d?.[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidDurationError(JSON.stringify(d) ?? String(d), `${field} must be a finite number >= 0`);
    }
  }
  return d;
}

/** The parsed and checked form of `duration`, whether given as ISO text or as an object. */
export function toParsedDuration(duration: string | ParsedDuration): ParsedDuration {
  return typeof duration === 'string' ? parseIsoDuration(duration) : checkParsedDuration(duration);
}

/**
 * Nominal length in whole milliseconds (rounded), for comparing durations only: 1 day = 24 h,
 * 1 week = 7 days, 1 month = 30 days, 1 year = 365 days. Real elapsed time depends on the zone and
 * the start date (see addDuration).
 *
 * @throws InvalidDurationError when `d` is invalid text or an invalid object.
 */
export function nominalDurationMs(d: ParsedDuration | string): number {
  const parsed = toParsedDuration(d);
  let total = 0;
  for (const field of FIELDS) total += parsed[field] * NOMINAL_MS[field];
  return Math.round(total);
}

/** The longest duration a plan may hold (a delay, an `after`, a `within`, an expiry), in days. */
export const MAX_DURATION_DAYS = 366;

/**
 * The longest real length of a duration, in milliseconds, counting each calendar part at its
 * longest: a year as 366 days, a month as 31, a week as 7, a day as 24 hours (the wall clock, which
 * a DST change does not lengthen here), plus the clock parts. Compared with MAX_DURATION_DAYS.
 *
 * @throws InvalidDurationError when `d` is invalid text or an invalid object.
 */
export function longestDurationMs(d: ParsedDuration | string): number {
  const p = toParsedDuration(d);
  const days = p.years * 366 + p.months * 31 + p.weeks * 7 + p.days;
  return days * 86_400_000 + p.hours * 3_600_000 + p.minutes * 60_000 + p.seconds * 1000 + p.milliseconds;
}

/**
 * True when the duration is at most MAX_DURATION_DAYS (366 days) long counted by longestDurationMs:
 * P1Y, P366D, P52W2D and PT8784H are; P12M (372 days) and P1YT1S are not. A longer one may not be
 * addable to a date at all (P300000Y leaves the Date range) and no campaign needs it. Never throws:
 * invalid input is false.
 */
export function isWithinMaxDuration(d: ParsedDuration | string): boolean {
  try {
    return longestDurationMs(d) <= MAX_DURATION_DAYS * 86_400_000;
  } catch {
    return false;
  }
}

/**
 * True when the duration moves no instant: every part is 0, or all that is given is a fraction
 * that rounds to less than half a millisecond (PT0.0001S).
 */
export function isZeroDuration(d: ParsedDuration): boolean {
  return nominalDurationMs(d) === 0;
}

/**
 * True when `iso` may be written in a plan: parseIsoDuration(iso) succeeds and no calendar part is
 * fractional (fractionalCalendarProblem: 'P0.5D', 'P2.5M' and 'P1.5W' are refused, 'PT1.5H' is not).
 * With `{ positive: true }` (default false) the duration must also be non-zero in the sense of
 * isZeroDuration. Never throws.
 */
export function isValidIsoDuration(iso: string, options?: { positive?: boolean }): boolean {
  let parsed: ParsedDuration;
  try {
    parsed = parseIsoDuration(iso);
  } catch {
    return false;
  }
  if (fractionalCalendarProblem(iso) !== undefined) return false;
  return options?.positive === true ? !isZeroDuration(parsed) : true;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The shortest and longest real length of a duration in any zone: calendar days are 23 to 25 hours. */
function realBoundsMs(d: ParsedDuration): { min: number; max: number } {
  const clock = d.hours * HOUR_MS + d.minutes * 60_000 + d.seconds * 1000 + d.milliseconds;
  const days = d.weeks * 7 + d.days;
  const calendar = d.years > 0 || d.months > 0 || days > 0;
  // A DST change moves the wall clock by at most an hour (Lord Howe: half an hour).
  const shift = calendar ? HOUR_MS : 0;
  return {
    min: d.years * 365 * DAY_MS + d.months * 28 * DAY_MS + days * DAY_MS - shift + clock,
    max: d.years * 366 * DAY_MS + d.months * 31 * DAY_MS + days * DAY_MS + shift + clock,
  };
}

/**
 * True when `longer` never ends before `shorter` counted from the same instant, in any zone and on any
 * date: each calendar part and the clock part are at least as large, or the shortest real length of
 * `longer` reaches the longest of `shorter`. (P1D does not cover PT24H: a spring-forward day is 23 hours.)
 */
export function durationCovers(longer: ParsedDuration | string, shorter: ParsedDuration | string): boolean {
  const a = toParsedDuration(longer);
  const b = toParsedDuration(shorter);
  const clock = (d: ParsedDuration) =>
    d.hours * HOUR_MS + d.minutes * 60_000 + d.seconds * 1000 + d.milliseconds;
  const partwise =
    a.years >= b.years &&
    a.years * 12 + a.months >= b.years * 12 + b.months &&
    a.weeks * 7 + a.days >= b.weeks * 7 + b.days &&
    clock(a) >= clock(b);
  return partwise || realBoundsMs(a).min >= realBoundsMs(b).max;
}
