import { unauthorized } from './errors.ts';

// Year 1970..9999 in seconds: rejects negative, exponent and absurd values a float field might carry.
const MAX_EPOCH_SECONDS = 253_402_300_799;

/** An epoch-seconds value (integer or fractional number) as a Date, or null when it is not one. */
export function dateFromEpochSeconds(value: unknown): Date | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_EPOCH_SECONDS) {
    return null;
  }
  return new Date(Math.round(value * 1000));
}

/** Integer epoch seconds written as decimal digits (a signature timestamp), or null. */
export function parseEpochSecondsText(value: string): number | null {
  if (!/^\d{1,12}$/.test(value)) return null;
  const seconds = Number(value);
  return seconds <= MAX_EPOCH_SECONDS ? seconds : null;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * Parses an ISO 8601 date-time that names its offset, or returns null. Written out rather than
 * left to `Date.parse` because providers send forms it treats inconsistently: Postmark's seven
 * fractional digits with an offset, Resend's `2024-11-22 23:41:11.894719+00`. A time without an
 * offset is refused: it would be read in the process zone.
 */
export function parseIsoDateTime(value: string): Date | null {
  const match = ISO.exec(value.trim());
  if (match === null) return null;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  if (y === undefined || mo === undefined || d === undefined || h === undefined) return null;
  if (mi === undefined || s === undefined || zone === undefined) return null;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls 31 February over into March: a date that does not round-trip does not exist.
  if (new Date(local).getUTCDate() !== day) return null;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = sign * (offsetHours * 60 + offsetMins);
  }
  return new Date(local - offsetMinutes * 60_000);
}

/**
 * Refuses a signature timestamp further than `toleranceSeconds` from `now`, in either direction:
 * past bounds replay, future bounds a clock that was set ahead to pre-sign requests.
 */
export function assertFresh(signedAtMs: number, now: Date, toleranceSeconds: number): void {
  const skewMs = Math.abs(now.getTime() - signedAtMs);
  if (skewMs > toleranceSeconds * 1000) {
    throw unauthorized(
      'stale_timestamp',
      `the signature timestamp is ${Math.round(skewMs / 1000)}s from now (tolerance ${toleranceSeconds}s)`,
    );
  }
}
