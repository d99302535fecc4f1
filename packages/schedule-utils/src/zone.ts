import { IANAZone } from 'luxon';
import { ScheduleError } from './errors.ts';
import { IANA_ZONE_NAMES } from './iana-zone-names.ts';

/** Thrown when a zone name is not an IANA time zone. */
export class InvalidTimezoneError extends ScheduleError {
  readonly code = 'invalid_timezone';
  readonly zone: string;

  constructor(zone: string) {
    super(`Invalid time zone ${JSON.stringify(zone)}: expected an IANA zone name such as "Europe/Paris"`);
    this.name = 'InvalidTimezoneError';
    this.zone = zone;
  }
}

// Every IANA name starts with a letter. Intl (and so luxon) also accepts offset zones such as
// "+02:00" or "-05", which are not IANA names and carry no DST rules, so they are refused here.
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

/** Whether each zone name asked about is computable, remembered (names are few; bounded anyway). */
const COMPUTABLE = new Map<string, boolean>();

/** True when this runtime (ICU, through luxon) can compute times in `zone`. */
function isComputableZone(zone: string): boolean {
  if (typeof zone !== 'string') return false;
  // Asking Intl (through luxon) costs tens of microseconds a call, and the hot paths ask per instant.
  let computable = COMPUTABLE.get(zone);
  if (computable === undefined) {
    computable = IANA_NAME.test(zone) && IANAZone.isValidZone(zone);
    if (COMPUTABLE.size < 10_000) COMPUTABLE.set(zone, computable);
  }
  return computable;
}

// Names are matched case-insensitively, as ECMA-402 does ("america/new_york" is America/New_York).
const IANA_BY_LOWER_CASE = new Map(IANA_ZONE_NAMES.map((name) => [name.toLowerCase(), name]));

/**
 * IANA names that stand for no place and have no daylight saving time, with the city zone a person
 * writing them usually means. Etc/GMT±N (N > 0) are matched by pattern; UTC and its aliases are not
 * here: UTC is a deliberate choice, not a stand-in for a region's clock.
 */
const FIXED_OFFSET_NAMES: Readonly<Record<string, string | undefined>> = {
  EST: 'America/New_York',
  MST: 'America/Denver',
  HST: 'Pacific/Honolulu',
};
const ETC_GMT_OFFSET = /^Etc\/GMT[+-](?:[1-9]|1[0-4])$/;

/**
 * Abbreviations that are not IANA names, with the zones they stand for: one zone when the reading is
 * clear (the did-you-mean), several when it is ambiguous. Covers the old three-letter Java ids that
 * ICU (so Intl and luxon) accepts with readings of its own (BST is Dhaka to ICU, AST is Anchorage,
 * IST is Kolkata), the everyday abbreviations ICU refuses (PDT, EDT), and two links the tz database
 * removed that ICU still accepts.
 */
const NON_IANA_NAMES: Readonly<Record<string, readonly string[]>> = {
  // North America.
  PST: ['America/Los_Angeles'],
  PDT: ['America/Los_Angeles'],
  PT: ['America/Los_Angeles'],
  CST: ['America/Chicago'],
  CDT: ['America/Chicago'],
  CT: ['America/Chicago'],
  MDT: ['America/Denver'],
  MT: ['America/Denver'],
  EDT: ['America/New_York'],
  ET: ['America/New_York'],
  AKST: ['America/Anchorage'],
  AKDT: ['America/Anchorage'],
  ADT: ['America/Halifax'],
  // Atlantic, Arabia, and ICU's Alaska.
  AST: ['America/Halifax', 'America/Puerto_Rico', 'Asia/Riyadh', 'America/Anchorage'],
  CNT: ['America/St_Johns'],
  IET: ['America/Indiana/Indianapolis'],
  PNT: ['America/Phoenix'],
  PRT: ['America/Puerto_Rico'],
  // Newfoundland, or New Zealand to ICU.
  NST: ['America/St_Johns', 'Pacific/Auckland'],
  // South America.
  AGT: ['America/Argentina/Buenos_Aires'],
  BET: ['America/Sao_Paulo'],
  // Argentina Time, or Cairo to ICU.
  ART: ['America/Argentina/Buenos_Aires', 'Africa/Cairo'],
  // Europe and Africa.
  BST: ['Europe/London'],
  // Central European Time in Java; Ecuador Time to many.
  ECT: ['Europe/Paris', 'America/Guayaquil'],
  CAT: ['Africa/Maputo'],
  EAT: ['Africa/Nairobi'],
  NET: ['Asia/Yerevan'],
  // Asia and Oceania.
  IST: ['Asia/Kolkata', 'Europe/Dublin', 'Asia/Jerusalem'],
  JST: ['Asia/Tokyo'],
  KST: ['Asia/Seoul', 'Asia/Pyongyang'],
  PLT: ['Asia/Karachi'],
  // China (Java) or Taiwan.
  CTT: ['Asia/Shanghai', 'Asia/Taipei'],
  // Vietnam, or Venezuela.
  VST: ['Asia/Ho_Chi_Minh', 'America/Caracas'],
  ACT: ['Australia/Darwin', 'Australia/Adelaide'],
  AET: ['Australia/Sydney', 'Australia/Brisbane'],
  AEST: ['Australia/Sydney', 'Australia/Brisbane'],
  AEDT: ['Australia/Sydney'],
  NZST: ['Pacific/Auckland'],
  NZDT: ['Pacific/Auckland'],
  // Samoa, Singapore, or the Solomon Islands to ICU.
  SST: ['Pacific/Pago_Pago', 'Asia/Singapore', 'Pacific/Guadalcanal'],
  MIT: ['Pacific/Apia', 'Pacific/Midway'],
  // Links the tz database removed (2020 and 2017); ICU still accepts them.
  'US/PACIFIC-NEW': ['America/Los_Angeles'],
  'CANADA/EAST-SASKATCHEWAN': ['America/Regina'],
};

// "UTC+2", "GMT-05:00", "+02:00", "Z+1": an offset, not a zone.
const OFFSET_NOTATION = /^\s*(?:UTC|GMT|UT|Z)?\s*[+\-\u2212]\s*\d/i;

/** What checkTimezone found out about a zone name. */
export interface TimezoneCheck {
  /**
   * True for a name of the IANA tz database (a zone or a link, `backward` included: "US/Eastern",
   * "CET"), matched case-insensitively, that this runtime can compute.
   */
  valid: boolean;
  /**
   * Why an invalid name is refused: `offset` (a UTC offset such as "+02:00" or "UTC+2", which follows
   * no DST), `abbreviation` (an abbreviation such as "PST" or "IST" that is not an IANA name, even if
   * ICU accepts it), `unsupported` (an IANA name this runtime's zone data lacks), `unknown` otherwise
   * (also for a non-string).
   */
  reason?: 'offset' | 'abbreviation' | 'unsupported' | 'unknown';
  /**
   * The IANA name to write instead, when the name has one clear reading: "PST" -> "America/Los_Angeles",
   * "BST" -> "Europe/London". For a valid fixed-offset name, the city zone usually meant ("EST" ->
   * "America/New_York").
   */
  suggestion?: string;
  /** For an ambiguous abbreviation, the zones it may stand for: "IST" -> Asia/Kolkata, Europe/Dublin, Asia/Jerusalem. */
  candidates?: readonly string[];
  /**
   * True for a valid name that stands for no place and has no DST ("EST", "MST", "HST", "Etc/GMT+5"):
   * local times in it never follow a region's daylight saving changes.
   */
  fixedOffset?: boolean;
  /** For a fixed-offset name, its offset as "-05:00" ("Etc/GMT+5" is UTC-05:00: POSIX inverts the sign). */
  offset?: string;
}

/**
 * Checks a zone name against the IANA tz database (IANA_ZONE_NAMES, generated from a tz release),
 * not against what ICU tolerates: ICU also accepts the old three-letter Java ids ("PST", "BST",
 * "IST"), which are not IANA names and which it may read far from the author's meaning. Contacts'
 * and plans' zones are both checked here. Never throws.
 */
export function checkTimezone(zone: string): TimezoneCheck {
  if (typeof zone !== 'string') return { valid: false, reason: 'unknown' };
  const name = IANA_BY_LOWER_CASE.get(zone.toLowerCase());
  if (name !== undefined && IANA_NAME.test(zone)) {
    if (!isComputableZone(zone)) return { valid: false, reason: 'unsupported' };
    if (name in FIXED_OFFSET_NAMES || ETC_GMT_OFFSET.test(name)) {
      const offset = IANAZone.create(name).formatOffset(0, 'short');
      const suggestion = FIXED_OFFSET_NAMES[name];
      return { valid: true, fixedOffset: true, offset, ...(suggestion ? { suggestion } : {}) };
    }
    return { valid: true };
  }
  const zones = NON_IANA_NAMES[zone.trim().toUpperCase()];
  if (zones !== undefined) {
    return zones.length === 1
      ? { valid: false, reason: 'abbreviation', suggestion: zones[0] }
      : { valid: false, reason: 'abbreviation', candidates: zones };
  }
  if (OFFSET_NOTATION.test(zone)) return { valid: false, reason: 'offset' };
  // Any other name ICU accepts but the tz database lacks ("SystemV/AST4", "ROK " aside) is an ICU id.
  if (/^[A-Za-z]{2,5}$/.test(zone.trim())) return { valid: false, reason: 'abbreviation' };
  return { valid: false, reason: 'unknown' };
}

/**
 * True when `zone` is a name of the IANA tz database that this runtime can compute
 * (checkTimezone(zone).valid): "America/New_York", "UTC", "Etc/UTC", links such as "US/Eastern".
 * Offset strings ("UTC+2", "+02:00"), abbreviations that only ICU accepts ("PST", "BST"), unknown
 * names and non-strings are refused. Names are matched case-insensitively, as ECMA-402 does.
 */
export function isValidTimezone(zone: string): boolean {
  return checkTimezone(zone).valid;
}

/**
 * The luxon zone for `zone`; throws InvalidTimezoneError unless this runtime can compute it.
 * Deliberately looser than isValidTimezone: plans and contacts are checked at the edge, and a
 * campaign stored before zone names were checked against the tz database keeps the reading it was
 * activated with instead of failing mid-run.
 */
export function ianaZone(zone: string): IANAZone {
  if (!isComputableZone(zone)) throw new InvalidTimezoneError(String(zone));
  return IANAZone.create(zone);
}

/** UTC offset of `zone` at the instant `epochMs`, in whole milliseconds (local = UTC + offset). */
export function offsetMsAt(zone: IANAZone, epochMs: number): number {
  // luxon reports minutes, fractional for historical LMT offsets with seconds; instants are whole ms.
  return Math.round(zone.offset(epochMs) * 60_000);
}
