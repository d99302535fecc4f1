import { Settings } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { LocalDateTime } from './local-time.ts';
import { resolveLocalTime } from './local-time.ts';
import { InvalidTimezoneError } from './zone.ts';

function at(year: number, month: number, day: number, hour: number, minute: number): LocalDateTime {
  return { year, month, day, hour, minute };
}

function iso(local: LocalDateTime, zone: string): string {
  return resolveLocalTime(local, zone).toISOString();
}

describe('resolveLocalTime: ordinary times', () => {
  it('applies the offset in force', () => {
    // New York in June is EDT (UTC-4): 09:00 + 4 h
    expect(iso(at(2026, 6, 15, 9, 0), 'America/New_York')).toBe('2026-06-15T13:00:00.000Z');
    // New York in January is EST (UTC-5): 09:00 + 5 h
    expect(iso(at(2026, 1, 15, 9, 0), 'America/New_York')).toBe('2026-01-15T14:00:00.000Z');
    // Kolkata is UTC+5:30 all year, so 02:30 local is 21:00 the previous day in UTC.
    expect(iso(at(2026, 3, 8, 2, 30), 'Asia/Kolkata')).toBe('2026-03-07T21:00:00.000Z');
    // Chatham standard time is UTC+12:45: 09:00 - 12:45 = 20:15 the previous day.
    expect(iso(at(2026, 7, 1, 9, 0), 'Pacific/Chatham')).toBe('2026-06-30T20:15:00.000Z');
    expect(iso(at(2026, 7, 1, 9, 0), 'UTC')).toBe('2026-07-01T09:00:00.000Z');
  });

  it('keeps seconds and milliseconds', () => {
    // EDT: 12:34:56.789 + 4 h
    const local = { ...at(2026, 7, 4, 12, 34), second: 56, millisecond: 789 };
    expect(iso(local, 'America/New_York')).toBe('2026-07-04T16:34:56.789Z');
  });
});

describe('resolveLocalTime: DST gaps shift forward by the gap', () => {
  // New York springs forward on 2026-03-08 at 02:00 EST (07:00Z) to 03:00 EDT.
  it('New York 02:30 on the spring-forward night is 03:30 EDT', () => {
    // 02:30 read with the EST offset (UTC-5) is 07:30Z, which New York shows as 03:30 EDT.
    expect(iso(at(2026, 3, 8, 2, 30), 'America/New_York')).toBe('2026-03-08T07:30:00.000Z');
  });

  it('New York gap boundaries', () => {
    // 01:59:59.999 EST still exists: + 5 h.
    const lastBefore = { ...at(2026, 3, 8, 1, 59), second: 59, millisecond: 999 };
    expect(iso(lastBefore, 'America/New_York')).toBe('2026-03-08T06:59:59.999Z');
    // 02:00 is the first missing minute: shifted by 1 h to 03:00 EDT, the transition instant.
    expect(iso(at(2026, 3, 8, 2, 0), 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
    // 02:59 is the last missing minute: 03:59 EDT = 07:59Z.
    expect(iso(at(2026, 3, 8, 2, 59), 'America/New_York')).toBe('2026-03-08T07:59:00.000Z');
    // 03:00 EDT exists: + 4 h, the same instant as the shifted 02:00.
    expect(iso(at(2026, 3, 8, 3, 0), 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
  });

  it('Europe/London 01:30 on 2026-03-29 is 02:30 BST', () => {
    // London springs forward at 01:00 GMT (01:00Z) to 02:00 BST; 01:30 read as GMT is 01:30Z.
    expect(iso(at(2026, 3, 29, 1, 30), 'Europe/London')).toBe('2026-03-29T01:30:00.000Z');
  });

  it('Australia/Lord_Howe shifts by its 30-minute gap', () => {
    // Lord Howe goes from 02:00 LHST (UTC+10:30) to 02:30 LHDT (UTC+11) on 2026-10-04.
    // 02:15 read with +10:30 is 15:45Z on the 3rd, shown as 02:45 LHDT.
    expect(iso(at(2026, 10, 4, 2, 15), 'Australia/Lord_Howe')).toBe('2026-10-03T15:45:00.000Z');
    // 02:30 exists (LHDT, +11): 15:30Z, the transition instant.
    expect(iso(at(2026, 10, 4, 2, 30), 'Australia/Lord_Howe')).toBe('2026-10-03T15:30:00.000Z');
  });

  it('Pacific/Chatham shifts by its one-hour gap at 02:45', () => {
    // Chatham goes from 02:45 CHAST (+12:45) to 03:45 CHADT (+13:45) on 2026-09-27.
    // 03:00 read with +12:45 is 14:15Z on the 26th, shown as 04:00 CHADT.
    expect(iso(at(2026, 9, 27, 3, 0), 'Pacific/Chatham')).toBe('2026-09-26T14:15:00.000Z');
  });
});

describe('resolveLocalTime: DST overlaps take the earlier instant', () => {
  // New York falls back on 2026-11-01 at 02:00 EDT (06:00Z) to 01:00 EST.
  it('New York 01:30 on the fall-back night is 01:30 EDT', () => {
    // Earlier: 01:30 EDT (UTC-4) = 05:30Z; later would be 01:30 EST = 06:30Z.
    expect(iso(at(2026, 11, 1, 1, 30), 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
  });

  it('New York overlap boundaries', () => {
    // 01:00 happens at 05:00Z (EDT) and 06:00Z (EST): the earlier.
    expect(iso(at(2026, 11, 1, 1, 0), 'America/New_York')).toBe('2026-11-01T05:00:00.000Z');
    // 00:59 happens once, in EDT.
    expect(iso(at(2026, 11, 1, 0, 59), 'America/New_York')).toBe('2026-11-01T04:59:00.000Z');
    // 02:00 happens once, in EST (at 06:00Z the clock showed 01:00 EST, not 02:00).
    expect(iso(at(2026, 11, 1, 2, 0), 'America/New_York')).toBe('2026-11-01T07:00:00.000Z');
  });

  it('Europe/London 01:30 on 2026-10-25 is 01:30 BST', () => {
    // London falls back at 02:00 BST (01:00Z) to 01:00 GMT; 01:30 BST (UTC+1) = 00:30Z.
    expect(iso(at(2026, 10, 25, 1, 30), 'Europe/London')).toBe('2026-10-25T00:30:00.000Z');
  });

  it('Australia/Lord_Howe 01:45 on 2026-04-05 happens twice: the earlier, in LHDT', () => {
    // Lord Howe falls back at 02:00 LHDT (+11, 15:00Z on the 4th) to 01:30 LHST (+10:30).
    // 01:45 LHDT = 14:45Z; the later 01:45 LHST would be 15:15Z.
    expect(iso(at(2026, 4, 5, 1, 45), 'Australia/Lord_Howe')).toBe('2026-04-04T14:45:00.000Z');
    // 01:29 happens only before the change (LHST resumes at 01:30): +11.
    expect(iso(at(2026, 4, 5, 1, 29), 'Australia/Lord_Howe')).toBe('2026-04-04T14:29:00.000Z');
  });

  it('does not depend on the season the process runs in', () => {
    // luxon's DateTime.fromObject guesses an ambiguous time's offset from the offset in force at
    // Settings.now(), so its answer flips between winter and summer; this must not.
    const original = Settings.now;
    try {
      for (const now of [Date.parse('2026-01-15T00:00:00Z'), Date.parse('2026-07-15T00:00:00Z')]) {
        Settings.now = () => now;
        expect(iso(at(2026, 11, 1, 1, 30), 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
        expect(iso(at(2026, 10, 25, 1, 30), 'Europe/London')).toBe('2026-10-25T00:30:00.000Z');
        expect(iso(at(2026, 4, 5, 1, 45), 'Australia/Lord_Howe')).toBe('2026-04-04T14:45:00.000Z');
      }
    } finally {
      Settings.now = original;
    }
  });
});

describe('resolveLocalTime: validation', () => {
  it.each<[string, LocalDateTime]>([
    ['month 13', at(2026, 13, 1, 0, 0)],
    ['month 0', at(2026, 0, 1, 0, 0)],
    ['April 31', at(2026, 4, 31, 0, 0)],
    ['Feb 29 in 2026', at(2026, 2, 29, 0, 0)],
    ['day 0', at(2026, 1, 0, 0, 0)],
    ['hour 24', at(2026, 1, 1, 24, 0)],
    ['minute 60', at(2026, 1, 1, 0, 60)],
    ['fractional minute', at(2026, 1, 1, 0, 1.5)],
    ['second 60', { ...at(2026, 1, 1, 0, 0), second: 60 }],
    ['millisecond 1000', { ...at(2026, 1, 1, 0, 0), millisecond: 1000 }],
    ['negative hour', at(2026, 1, 1, -1, 0)],
  ])('refuses %s', (_name, local) => {
    expect(() => resolveLocalTime(local, 'UTC')).toThrow(RangeError);
  });

  it('accepts Feb 29 in a leap year', () => {
    expect(iso(at(2028, 2, 29, 12, 0), 'UTC')).toBe('2028-02-29T12:00:00.000Z');
  });

  it('refuses a zone that is not IANA', () => {
    expect(() => resolveLocalTime(at(2026, 1, 1, 0, 0), 'UTC+2')).toThrow(InvalidTimezoneError);
    expect(() => resolveLocalTime(at(2026, 1, 1, 0, 0), '+02:00')).toThrow(InvalidTimezoneError);
  });
});
