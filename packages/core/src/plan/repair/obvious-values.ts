import { fractionalCalendarProblem, parseIsoDuration } from '@campaign/schedule-utils';

/*
 * The values a machine-written plan most often gets nearly right, each mapped to the one value it can
 * only have meant. Every function returns undefined unless the reading is unambiguous: a repair that
 * needs judgement is left to the author (DESIGN section 10; issue item 8).
 */

const DURATION_UNITS: readonly { pattern: RegExp; designator: string; time: boolean }[] = [
  { pattern: /^(?:y|yrs?|years?)$/, designator: 'Y', time: false },
  // No bare "m": minutes or months.
  { pattern: /^(?:mos?|months?)$/, designator: 'M', time: false },
  { pattern: /^(?:w|wks?|weeks?)$/, designator: 'W', time: false },
  { pattern: /^(?:d|days?)$/, designator: 'D', time: false },
  { pattern: /^(?:h|hrs?|hours?)$/, designator: 'H', time: true },
  { pattern: /^(?:mins?|minutes?)$/, designator: 'M', time: true },
  { pattern: /^(?:s|secs?|seconds?)$/, designator: 'S', time: true },
];

const MAX_HUMAN_TEXT = 64;

/**
 * The ISO 8601 duration a human-written one means: "3 days" -> "P3D", "72 hours" -> "PT72H",
 * "1 week" -> "P1W", "30 minutes" -> "PT30M", "1 day 12 hours" -> "P1DT12H", "72h" -> "PT72H",
 * "p3d" -> "P3D"; and a fractional day or week written as whole days and hours, as the validator's
 * message names it ("P0.5D" -> "PT12H") when that is exact to the minute. Whole numbers only; a unit
 * may appear once; "m" alone (minutes or months?) and anything else give undefined.
 */
export function obviousDuration(text: unknown): string | undefined {
  if (typeof text !== 'string' || text.length > MAX_HUMAN_TEXT) return undefined;
  const trimmed = text.trim();
  const upper = trimmed.toUpperCase();
  if (/^P/.test(upper) && !/\s/.test(upper)) {
    if (!parses(upper)) return undefined;
    if (fractionalCalendarProblem(upper) !== undefined) return wholeDaysAndHours(upper);
    return upper === text ? undefined : upper;
  }
  return humanDuration(trimmed.toLowerCase());
}

function parses(iso: string): boolean {
  try {
    parseIsoDuration(iso);
    return true;
  } catch {
    return false;
  }
}

function humanDuration(text: string): string | undefined {
  const parts = text
    .replace(/,|\band\b/g, ' ')
    .trim()
    .split(/\s+/)
    .join(' ');
  const token = /(\d+)\s?([a-z]+)/y;
  const amounts = new Map<(typeof DURATION_UNITS)[number], string>();
  let at = 0;
  while (at < parts.length) {
    if (parts[at] === ' ') at += 1;
    token.lastIndex = at;
    const match = token.exec(parts);
    if (match === null) return undefined;
    const [, amount, word] = match as unknown as [string, string, string];
    const unit = DURATION_UNITS.find((candidate) => candidate.pattern.test(word));
    if (unit === undefined || amounts.has(unit)) return undefined;
    amounts.set(unit, String(Number(amount)));
    at = token.lastIndex;
  }
  if (amounts.size === 0) return undefined;
  const written = (time: boolean): string =>
    DURATION_UNITS.filter((unit) => unit.time === time && amounts.has(unit))
      .map((unit) => `${amounts.get(unit)}${unit.designator}`)
      .join('');
  const clock = written(true);
  const iso = `P${written(false)}${clock === '' ? '' : `T${clock}`}`;
  return parses(iso) ? iso : undefined;
}

/** "P0.5D" -> "PT12H", "P1.5W" -> "P10DT12H": only when the validator's message names that very text. */
function wholeDaysAndHours(iso: string): string | undefined {
  const problem = fractionalCalendarProblem(iso);
  if (problem === undefined) return undefined;
  const d = parseIsoDuration(iso);
  if (!Number.isInteger(d.years) || !Number.isInteger(d.months)) return undefined;
  const days = d.weeks * 7 + d.days;
  const whole = Math.trunc(days);
  const minutes = (days - whole) * 24 * 60;
  if (Math.abs(minutes - Math.round(minutes)) > 1e-6) return undefined;
  const rounded = Math.round(minutes);
  const h = Math.floor(rounded / 60);
  const m = rounded % 60;
  const date = `${d.years > 0 ? `${d.years}Y` : ''}${d.months > 0 ? `${d.months}M` : ''}${whole > 0 ? `${whole}D` : ''}`;
  const clock = rounded > 0 ? `T${h > 0 ? `${h}H` : ''}${m > 0 ? `${m}M` : ''}` : '';
  if (date === '' && clock === '') return undefined;
  const candidate = `P${date}${clock}`;
  return problem.endsWith(`: ${candidate}`) ? candidate : undefined;
}

/**
 * The 24-hour "HH:MM" a local time of day means: "9pm" -> "21:00", "9:00" -> "09:00", "7.30am" ->
 * "07:30", "9:30 p.m." -> "21:30", "12am" -> "00:00", "12pm" -> "12:00", "21:00:00" -> "21:00".
 * A bare number ("9", "2100") and anything out of range give undefined.
 */
export function obviousTimeOfDay(text: unknown): string | undefined {
  if (typeof text !== 'string' || text.length > MAX_HUMAN_TEXT) return undefined;
  const value = text.trim().toLowerCase();
  const twelve = /^(\d{1,2})(?:[:.](\d{2}))?\s?([ap])\.?m\.?$/.exec(value);
  if (twelve !== null) {
    const [, hourText, minuteText, half] = twelve as unknown as [string, string, string | undefined, string];
    const hour = Number(hourText);
    const minute = Number(minuteText ?? '0');
    if (hour < 1 || hour > 12 || minute > 59) return undefined;
    return clock((hour % 12) + (half === 'p' ? 12 : 0), minute);
  }
  const twentyFour = /^(\d{1,2})[:.h](\d{2})(?::00)?$/.exec(value);
  if (twentyFour !== null) {
    const hour = Number(twentyFour[1]);
    const minute = Number(twentyFour[2]);
    if (hour > 23 || minute > 59) return undefined;
    const result = clock(hour, minute);
    return result === text ? undefined : result;
  }
  return undefined;
}

function clock(hour: number, minute: number): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/**
 * Zone names that are not IANA names but have one reading everywhere, with the IANA zone to write.
 * Left out on purpose, though checkTimezone has a did-you-mean for them: BST (London, or Dhaka to
 * ICU), IST (Kolkata, Dublin, Jerusalem), CST and CDT (Chicago, or China and Cuba), CT, ADT (Halifax,
 * or Arabia), and the old Java ids no person writes (CNT, IET, PNT, PRT, AGT, BET, CAT, EAT, NET,
 * PLT): a fix must never pick a place the author did not mean.
 */
export const CLEAR_ZONE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  PST: 'America/Los_Angeles',
  PDT: 'America/Los_Angeles',
  PT: 'America/Los_Angeles',
  MDT: 'America/Denver',
  MT: 'America/Denver',
  EDT: 'America/New_York',
  ET: 'America/New_York',
  AKST: 'America/Anchorage',
  AKDT: 'America/Anchorage',
  JST: 'Asia/Tokyo',
  AEDT: 'Australia/Sydney',
  NZST: 'Pacific/Auckland',
  NZDT: 'Pacific/Auckland',
  // Links the tz database removed; ICU still accepts them.
  'US/PACIFIC-NEW': 'America/Los_Angeles',
  'CANADA/EAST-SASKATCHEWAN': 'America/Regina',
};

/** The IANA zone a non-IANA abbreviation clearly means ("PST" -> "America/Los_Angeles"), else undefined. */
export function obviousZone(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length > MAX_HUMAN_TEXT) return undefined;
  const key = name.trim().toUpperCase();
  return Object.hasOwn(CLEAR_ZONE_ABBREVIATIONS, key) ? CLEAR_ZONE_ABBREVIATIONS[key] : undefined;
}
