import { describe, expect, it } from 'vitest';
import { addDuration } from './add-duration.ts';
import type { ParsedDuration } from './duration.ts';
import { InvalidDurationError } from './duration.ts';
import { InvalidTimezoneError } from './zone.ts';

function add(startIso: string, duration: string | ParsedDuration, zone: string): string {
  return addDuration(new Date(startIso), duration, zone).toISOString();
}

describe('addDuration: calendar days keep the wall clock across DST', () => {
  it('America/New_York, spring forward (2026-03-08)', () => {
    // Start: 2026-03-07 09:00 EST (UTC-5) = 14:00Z.
    // P1D: 2026-03-08 09:00 EDT (UTC-4) = 13:00Z, only 23 elapsed hours.
    expect(add('2026-03-07T14:00:00.000Z', 'P1D', 'America/New_York')).toBe('2026-03-08T13:00:00.000Z');
    // PT24H: 24 elapsed hours, 14:00Z = 10:00 EDT: the wall clock moved by one hour.
    expect(add('2026-03-07T14:00:00.000Z', 'PT24H', 'America/New_York')).toBe('2026-03-08T14:00:00.000Z');
  });

  it('America/New_York, fall back (2026-11-01)', () => {
    // Start: 2026-10-31 09:00 EDT = 13:00Z. P1D: 2026-11-01 09:00 EST = 14:00Z (25 hours).
    expect(add('2026-10-31T13:00:00.000Z', 'P1D', 'America/New_York')).toBe('2026-11-01T14:00:00.000Z');
    // PT24H: 13:00Z = 08:00 EST.
    expect(add('2026-10-31T13:00:00.000Z', 'PT24H', 'America/New_York')).toBe('2026-11-01T13:00:00.000Z');
  });

  it('Europe/London, spring forward (2026-03-29)', () => {
    // Start: 2026-03-28 09:00 GMT = 09:00Z. P1D: 2026-03-29 09:00 BST (UTC+1) = 08:00Z.
    expect(add('2026-03-28T09:00:00.000Z', 'P1D', 'Europe/London')).toBe('2026-03-29T08:00:00.000Z');
    // PT24H: 09:00Z = 10:00 BST.
    expect(add('2026-03-28T09:00:00.000Z', 'PT24H', 'Europe/London')).toBe('2026-03-29T09:00:00.000Z');
  });

  it('Europe/London, fall back (2026-10-25)', () => {
    // Start: 2026-10-24 09:00 BST = 08:00Z. P1D: 2026-10-25 09:00 GMT = 09:00Z.
    expect(add('2026-10-24T08:00:00.000Z', 'P1D', 'Europe/London')).toBe('2026-10-25T09:00:00.000Z');
    // PT24H: 08:00Z = 08:00 GMT.
    expect(add('2026-10-24T08:00:00.000Z', 'PT24H', 'Europe/London')).toBe('2026-10-25T08:00:00.000Z');
  });

  it('Australia/Lord_Howe, 30-minute spring forward (2026-10-04)', () => {
    // Start: 2026-10-03 09:00 LHST (UTC+10:30) = 22:30Z on the 2nd.
    // P1D: 2026-10-04 09:00 LHDT (UTC+11) = 22:00Z on the 3rd, 23.5 elapsed hours.
    expect(add('2026-10-02T22:30:00.000Z', 'P1D', 'Australia/Lord_Howe')).toBe('2026-10-03T22:00:00.000Z');
  });

  it('P1W keeps the wall clock across the change', () => {
    // 2026-03-04 09:00 EST = 14:00Z; 2026-03-11 09:00 EDT = 13:00Z.
    expect(add('2026-03-04T14:00:00.000Z', 'P1W', 'America/New_York')).toBe('2026-03-11T13:00:00.000Z');
  });

  it('is plain 24 h steps in UTC', () => {
    expect(add('2026-03-07T14:00:00.000Z', 'P1D', 'UTC')).toBe('2026-03-08T14:00:00.000Z');
  });
});

describe('addDuration: landing on a DST gap or overlap', () => {
  it('P1D landing on a nonexistent time shifts forward by the gap', () => {
    // 2026-03-07 02:30 EST = 07:30Z. 2026-03-08 02:30 does not exist: 03:30 EDT = 07:30Z.
    expect(add('2026-03-07T07:30:00.000Z', 'P1D', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z');
    // Lord Howe: 2026-10-03 02:15 LHST = 15:45Z on the 2nd; 2026-10-04 02:15 does not exist,
    // 02:45 LHDT = 15:45Z on the 3rd.
    expect(add('2026-10-02T15:45:00.000Z', 'P1D', 'Australia/Lord_Howe')).toBe('2026-10-03T15:45:00.000Z');
  });

  it('P1D landing on an ambiguous time takes the earlier instant', () => {
    // 2026-10-31 01:30 EDT = 05:30Z; 2026-11-01 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
    expect(add('2026-10-31T05:30:00.000Z', 'P1D', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
  });

  it('clock-only durations never read the wall clock back, so the repeated hour is kept', () => {
    // 06:30Z is the second 01:30 (EST) of 2026-11-01; resolving 01:30 would move it back to 05:30Z.
    expect(add('2026-11-01T06:30:00.000Z', 'PT0S', 'America/New_York')).toBe('2026-11-01T06:30:00.000Z');
    expect(add('2026-11-01T06:30:00.000Z', 'PT1H', 'America/New_York')).toBe('2026-11-01T07:30:00.000Z');
    // From there P1D is 2026-11-02 01:30 EST = 06:30Z.
    expect(add('2026-11-01T06:30:00.000Z', 'P1D', 'America/New_York')).toBe('2026-11-02T06:30:00.000Z');
  });
});

describe('addDuration: months and years clamp to the end of the month', () => {
  it.each([
    // 2026-01-31 09:00 EST = 14:00Z -> 2026-02-28 09:00 EST (2026 is not a leap year).
    ['2026-01-31T14:00:00.000Z', 'P1M', '2026-02-28T14:00:00.000Z'],
    // 2028 is a leap year: Feb 29.
    ['2028-01-31T14:00:00.000Z', 'P1M', '2028-02-29T14:00:00.000Z'],
    // Clamp first (Feb 28), then add the day: Mar 1 09:00 EST.
    ['2026-01-31T14:00:00.000Z', 'P1M1D', '2026-03-01T14:00:00.000Z'],
    // 2026-03-31 09:00 EDT = 13:00Z -> 2026-04-30 09:00 EDT.
    ['2026-03-31T13:00:00.000Z', 'P1M', '2026-04-30T13:00:00.000Z'],
    // Year rollover: 2026-12-15 09:00 EST -> 2027-01-15 09:00 EST.
    ['2026-12-15T14:00:00.000Z', 'P1M', '2027-01-15T14:00:00.000Z'],
    // 14 months from 2026-12-15: 2028-02-15 09:00 EST.
    ['2026-12-15T14:00:00.000Z', 'P14M', '2028-02-15T14:00:00.000Z'],
    // 2028-02-29 + P1Y: 2029-02-28.
    ['2028-02-29T14:00:00.000Z', 'P1Y', '2029-02-28T14:00:00.000Z'],
    // 2026-01-31 09:00 EST + P2M = 2026-03-31 09:00 EDT = 13:00Z (no clamping in March).
    ['2026-01-31T14:00:00.000Z', 'P2M', '2026-03-31T13:00:00.000Z'],
  ])('%s + %s in America/New_York', (start, duration, expected) => {
    expect(add(start, duration, 'America/New_York')).toBe(expected);
  });

  it('uses the local date, not the UTC date', () => {
    // 2026-02-01T03:00Z is still 2026-01-31 22:00 EST: + P1M = 2026-02-28 22:00 EST = 03:00Z on Mar 1.
    expect(add('2026-02-01T03:00:00.000Z', 'P1M', 'America/New_York')).toBe('2026-03-01T03:00:00.000Z');
  });
});

describe('addDuration: mixed and fractional durations', () => {
  it('P1DT2H: calendar day first, then two elapsed hours', () => {
    // 2026-03-07 09:00 EST (14:00Z) + P1D = 2026-03-08 09:00 EDT (13:00Z), + 2 h = 15:00Z.
    expect(add('2026-03-07T14:00:00.000Z', 'P1DT2H', 'America/New_York')).toBe('2026-03-08T15:00:00.000Z');
    // PT26H is elapsed time only: 14:00Z + 26 h.
    expect(add('2026-03-07T14:00:00.000Z', 'PT26H', 'America/New_York')).toBe('2026-03-08T16:00:00.000Z');
  });

  it('clock parts are elapsed time even when they cross the gap', () => {
    // 2026-03-08 01:30 EST = 06:30Z; + PT1H = 07:30Z = 03:30 EDT (wall clock jumps two hours).
    expect(add('2026-03-08T06:30:00.000Z', 'PT1H', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z');
  });

  it('PT1.5H is 90 minutes; P1.5D is one calendar day then 12 elapsed hours', () => {
    expect(add('2026-03-07T14:00:00.000Z', 'PT1.5H', 'America/New_York')).toBe('2026-03-07T15:30:00.000Z');
    // 2026-03-08 09:00 EDT = 13:00Z, + 12 h = 2026-03-09T01:00Z.
    expect(add('2026-03-07T14:00:00.000Z', 'P1.5D', 'America/New_York')).toBe('2026-03-09T01:00:00.000Z');
  });

  it('accepts a parsed duration object, including milliseconds', () => {
    const d: ParsedDuration = {
      years: 0,
      months: 0,
      weeks: 0,
      days: 1,
      hours: 0,
      minutes: 0,
      seconds: 1,
      milliseconds: 5,
    };
    // 2026-03-08 09:00 EDT = 13:00Z, + 1.005 s.
    expect(add('2026-03-07T14:00:00.000Z', d, 'America/New_York')).toBe('2026-03-08T13:00:01.005Z');
  });

  it('does not mutate the input Date', () => {
    const start = new Date('2026-03-07T14:00:00.000Z');
    addDuration(start, 'P1DT1H', 'America/New_York');
    expect(start.toISOString()).toBe('2026-03-07T14:00:00.000Z');
  });
});

describe('addDuration: errors', () => {
  const start = new Date('2026-03-07T14:00:00.000Z');

  it('refuses invalid durations', () => {
    expect(() => addDuration(start, '-P1D', 'UTC')).toThrow(InvalidDurationError);
    expect(() => addDuration(start, 'P', 'UTC')).toThrow(InvalidDurationError);
    const negative: ParsedDuration = {
      years: 0,
      months: 0,
      weeks: 0,
      days: -1,
      hours: 0,
      minutes: 0,
      seconds: 0,
      milliseconds: 0,
    };
    expect(() => addDuration(start, negative, 'UTC')).toThrow(InvalidDurationError);
  });

  it('refuses invalid zones', () => {
    expect(() => addDuration(start, 'P1D', 'Mars/Olympus')).toThrow(InvalidTimezoneError);
    expect(() => addDuration(start, 'P1D', '')).toThrow(InvalidTimezoneError);
  });

  it('refuses an invalid Date and a result outside the Date range', () => {
    expect(() => addDuration(new Date(Number.NaN), 'P1D', 'UTC')).toThrow(RangeError);
    expect(() => addDuration(start, 'P9000000000000D', 'UTC')).toThrow(RangeError);
    expect(() => addDuration(start, 'PT9000000000000H', 'UTC')).toThrow(RangeError);
  });
});
