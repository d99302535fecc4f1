import { IANAZone } from 'luxon';

/** Thrown when a zone name is not an IANA time zone. */
export class InvalidTimezoneError extends Error {
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

/**
 * True when `zone` names an IANA time zone ("America/New_York", "UTC", "Etc/UTC", aliases such as
 * "US/Eastern"). Offset strings ("UTC+2", "+02:00"), unknown names and non-strings are refused.
 * Names are matched case-insensitively, as ECMA-402 does.
 */
export function isValidTimezone(zone: string): boolean {
  return typeof zone === 'string' && IANA_NAME.test(zone) && IANAZone.isValidZone(zone);
}

/** The luxon zone for `zone`; throws InvalidTimezoneError unless isValidTimezone(zone). */
export function ianaZone(zone: string): IANAZone {
  if (!isValidTimezone(zone)) throw new InvalidTimezoneError(String(zone));
  return IANAZone.create(zone);
}

/** UTC offset of `zone` at the instant `epochMs`, in whole milliseconds (local = UTC + offset). */
export function offsetMsAt(zone: IANAZone, epochMs: number): number {
  // luxon reports minutes, fractional for historical LMT offsets with seconds; instants are whole ms.
  return Math.round(zone.offset(epochMs) * 60_000);
}
