import { describe, expect, it } from 'vitest';
import type { QuietHours } from './quiet-hours.ts';
import {
  applyQuietHours,
  InvalidQuietHoursError,
  isQuietTime,
  isValidQuietHours,
  isValidTimeOfDay,
} from './quiet-hours.ts';
import { InvalidTimezoneError } from './zone.ts';

const NIGHT: QuietHours = { start: '21:00', end: '07:30' };
const LUNCH: QuietHours = { start: '12:00', end: '14:00' };

function quiet(instantIso: string, zone: string, q: QuietHours): boolean {
  return isQuietTime(new Date(instantIso), zone, q);
}

function apply(instantIso: string, zone: string, q: QuietHours | undefined): string {
  return applyQuietHours(new Date(instantIso), zone, q).toISOString();
}

describe('isValidTimeOfDay', () => {
  it.each(['00:00', '23:59', '07:30', '12:00', '19:05'])('accepts %s', (hhmm) => {
    expect(isValidTimeOfDay(hhmm)).toBe(true);
  });

  it.each([
    '7:30',
    '24:00',
    '12:60',
    '12:00:00',
    '',
    '0730',
    '07-30',
    ' 07:30',
    '07:30 ',
    'ab:cd',
    '07:3',
    '-1:00',
    // Arabic-Indic digits: \d must mean ASCII digits only.
    '\u0660\u0667:\u0663\u0660',
  ])('refuses %j', (hhmm) => {
    expect(isValidTimeOfDay(hhmm)).toBe(false);
  });

  it('refuses non-strings at run time', () => {
    expect(isValidTimeOfDay(730 as unknown as string)).toBe(false);
  });
});

describe('isValidQuietHours', () => {
  it('accepts windows within a day and across midnight', () => {
    expect(isValidQuietHours(NIGHT)).toBe(true);
    expect(isValidQuietHours(LUNCH)).toBe(true);
    expect(isValidQuietHours({ start: '00:00', end: '23:59' })).toBe(true);
  });

  it('refuses start === end and invalid times', () => {
    expect(isValidQuietHours({ start: '21:00', end: '21:00' })).toBe(false);
    expect(isValidQuietHours({ start: '21:00', end: '7:30' })).toBe(false);
    expect(isValidQuietHours({ start: '24:00', end: '07:30' })).toBe(false);
    expect(isValidQuietHours(null as unknown as QuietHours)).toBe(false);
    expect(isValidQuietHours({ start: '21:00' } as QuietHours)).toBe(false);
  });
});

describe('isQuietTime', () => {
  it('window across midnight (21:00-07:30) in UTC, to the millisecond', () => {
    expect(quiet('2026-06-15T20:59:59.999Z', 'UTC', NIGHT)).toBe(false);
    // start itself is quiet
    expect(quiet('2026-06-15T21:00:00.000Z', 'UTC', NIGHT)).toBe(true);
    expect(quiet('2026-06-15T23:59:59.999Z', 'UTC', NIGHT)).toBe(true);
    expect(quiet('2026-06-16T00:00:00.000Z', 'UTC', NIGHT)).toBe(true);
    // one ms before end is quiet
    expect(quiet('2026-06-16T07:29:59.999Z', 'UTC', NIGHT)).toBe(true);
    // end itself is not
    expect(quiet('2026-06-16T07:30:00.000Z', 'UTC', NIGHT)).toBe(false);
    expect(quiet('2026-06-16T12:00:00.000Z', 'UTC', NIGHT)).toBe(false);
  });

  it('window within a day (12:00-14:00) in UTC', () => {
    expect(quiet('2026-06-15T11:59:59.999Z', 'UTC', LUNCH)).toBe(false);
    expect(quiet('2026-06-15T12:00:00.000Z', 'UTC', LUNCH)).toBe(true);
    expect(quiet('2026-06-15T13:59:59.999Z', 'UTC', LUNCH)).toBe(true);
    expect(quiet('2026-06-15T14:00:00.000Z', 'UTC', LUNCH)).toBe(false);
    // Not quiet around midnight, unlike a window that crosses it.
    expect(quiet('2026-06-15T00:00:00.000Z', 'UTC', LUNCH)).toBe(false);
    expect(quiet('2026-06-15T23:00:00.000Z', 'UTC', LUNCH)).toBe(false);
  });

  it('uses the local time of the zone (America/Los_Angeles, PDT = UTC-7)', () => {
    // 03:59:59.999Z = 20:59:59.999 PDT: not quiet, although 03:59Z would be quiet in UTC.
    expect(quiet('2026-06-16T03:59:59.999Z', 'America/Los_Angeles', NIGHT)).toBe(false);
    // 04:00Z = 21:00 PDT
    expect(quiet('2026-06-16T04:00:00.000Z', 'America/Los_Angeles', NIGHT)).toBe(true);
    // 14:29:59.999Z = 07:29:59.999 PDT
    expect(quiet('2026-06-16T14:29:59.999Z', 'America/Los_Angeles', NIGHT)).toBe(true);
    // 14:30Z = 07:30 PDT
    expect(quiet('2026-06-16T14:30:00.000Z', 'America/Los_Angeles', NIGHT)).toBe(false);
  });

  it('uses half-hour and 45-minute offsets', () => {
    // Kolkata is UTC+5:30: 15:30Z = 21:00 IST.
    expect(quiet('2026-01-10T15:29:59.999Z', 'Asia/Kolkata', NIGHT)).toBe(false);
    expect(quiet('2026-01-10T15:30:00.000Z', 'Asia/Kolkata', NIGHT)).toBe(true);
    // Chatham in January is CHADT, UTC+13:45: 07:30 on the 11th - 13:45 = 17:45Z on the 10th.
    expect(quiet('2026-01-10T17:44:59.999Z', 'Pacific/Chatham', NIGHT)).toBe(true);
    expect(quiet('2026-01-10T17:45:00.000Z', 'Pacific/Chatham', NIGHT)).toBe(false);
  });

  it('refuses invalid quiet hours, zones and dates', () => {
    const at = new Date('2026-06-15T12:00:00.000Z');
    expect(() => isQuietTime(at, 'UTC', { start: '21:00', end: '21:00' })).toThrow(InvalidQuietHoursError);
    expect(() => isQuietTime(at, 'UTC', { start: '9:00', end: '21:00' })).toThrow(InvalidQuietHoursError);
    expect(() => isQuietTime(at, 'UTC+2', NIGHT)).toThrow(InvalidTimezoneError);
    expect(() => isQuietTime(new Date(Number.NaN), 'UTC', NIGHT)).toThrow(RangeError);
  });
});

describe('applyQuietHours: ordinary days', () => {
  it('returns the same instant without quiet hours or outside them', () => {
    expect(apply('2026-06-15T22:00:00.000Z', 'UTC', undefined)).toBe('2026-06-15T22:00:00.000Z');
    expect(apply('2026-06-15T20:59:59.999Z', 'UTC', NIGHT)).toBe('2026-06-15T20:59:59.999Z');
    // end itself is not quiet
    expect(apply('2026-06-16T07:30:00.000Z', 'UTC', NIGHT)).toBe('2026-06-16T07:30:00.000Z');
  });

  it('returns a new Date, not the caller object', () => {
    const input = new Date('2026-06-15T12:00:00.000Z');
    expect(applyQuietHours(input, 'UTC', NIGHT)).not.toBe(input);
  });

  it('before midnight moves to the next day end', () => {
    // 22:00 on the 15th -> 07:30 on the 16th.
    expect(apply('2026-06-15T22:00:00.000Z', 'UTC', NIGHT)).toBe('2026-06-16T07:30:00.000Z');
    // start itself is quiet: 21:00 on the 15th -> 07:30 on the 16th.
    expect(apply('2026-06-15T21:00:00.000Z', 'UTC', NIGHT)).toBe('2026-06-16T07:30:00.000Z');
    expect(apply('2026-06-15T23:59:59.999Z', 'UTC', NIGHT)).toBe('2026-06-16T07:30:00.000Z');
  });

  it('after midnight moves to the same day end', () => {
    expect(apply('2026-06-16T00:00:00.000Z', 'UTC', NIGHT)).toBe('2026-06-16T07:30:00.000Z');
    expect(apply('2026-06-16T03:00:00.000Z', 'UTC', NIGHT)).toBe('2026-06-16T07:30:00.000Z');
    // one ms before end moves by one ms
    expect(apply('2026-06-16T07:29:59.999Z', 'UTC', NIGHT)).toBe('2026-06-16T07:30:00.000Z');
  });

  it('a window within a day moves to its end the same day', () => {
    expect(apply('2026-06-15T12:00:00.000Z', 'UTC', LUNCH)).toBe('2026-06-15T14:00:00.000Z');
    expect(apply('2026-06-15T13:59:59.999Z', 'UTC', LUNCH)).toBe('2026-06-15T14:00:00.000Z');
    expect(apply('2026-06-15T11:59:59.999Z', 'UTC', LUNCH)).toBe('2026-06-15T11:59:59.999Z');
  });

  it('uses the end on the local calendar of the zone', () => {
    // 05:00Z on 2026-06-16 is 22:00 PDT on the 15th: end is 07:30 PDT on the 16th = 14:30Z.
    expect(apply('2026-06-16T05:00:00.000Z', 'America/Los_Angeles', NIGHT)).toBe('2026-06-16T14:30:00.000Z');
    // 16:00Z = 21:30 IST on 2026-01-10: end is 07:30 IST on the 11th = 02:00Z.
    expect(apply('2026-01-10T16:00:00.000Z', 'Asia/Kolkata', NIGHT)).toBe('2026-01-11T02:00:00.000Z');
    // 2026-01-10T20:00Z is 2026-01-11 09:45 CHADT (+13:45): 12:00-14:00 is not quiet then,
    // but 23:00Z is 12:45 CHADT: end 14:00 CHADT = 00:15Z on the 11th.
    expect(apply('2026-01-10T20:00:00.000Z', 'Pacific/Chatham', LUNCH)).toBe('2026-01-10T20:00:00.000Z');
    expect(apply('2026-01-10T23:00:00.000Z', 'Pacific/Chatham', LUNCH)).toBe('2026-01-11T00:15:00.000Z');
  });
});

describe('applyQuietHours: end inside a DST gap is shifted forward by the gap', () => {
  const toHalfPastTwo: QuietHours = { start: '22:00', end: '02:30' };

  it('America/New_York 22:00-02:30 on the spring-forward night ends at 03:30 EDT', () => {
    // 2026-03-08T04:00Z = 23:00 EST on the 7th: next day 02:30 does not exist -> 03:30 EDT = 07:30Z.
    expect(apply('2026-03-08T04:00:00.000Z', 'America/New_York', toHalfPastTwo)).toBe(
      '2026-03-08T07:30:00.000Z',
    );
    // 06:30Z = 01:30 EST on the 8th, before end: same day, also 07:30Z.
    expect(apply('2026-03-08T06:30:00.000Z', 'America/New_York', toHalfPastTwo)).toBe(
      '2026-03-08T07:30:00.000Z',
    );
    // 06:59:59.999Z = 01:59:59.999 EST, the last quiet instant before the jump.
    expect(apply('2026-03-08T06:59:59.999Z', 'America/New_York', toHalfPastTwo)).toBe(
      '2026-03-08T07:30:00.000Z',
    );
  });

  it('an instant already past the jumped-over end is not quiet and stays', () => {
    // 07:15Z = 03:15 EDT: local 03:15 is outside 22:00-02:30, although before the shifted end.
    expect(apply('2026-03-08T07:15:00.000Z', 'America/New_York', toHalfPastTwo)).toBe(
      '2026-03-08T07:15:00.000Z',
    );
  });

  it('Europe/London 22:00-01:30 on 2026-03-29 ends at 02:30 BST', () => {
    // 23:00Z on the 28th = 23:00 GMT; 01:30 on the 29th does not exist -> 02:30 BST = 01:30Z.
    expect(apply('2026-03-28T23:00:00.000Z', 'Europe/London', { start: '22:00', end: '01:30' })).toBe(
      '2026-03-29T01:30:00.000Z',
    );
  });

  it('Australia/Lord_Howe 21:00-02:15 on 2026-10-04 ends at 02:45 LHDT', () => {
    // 11:00Z on the 3rd = 21:30 LHST (+10:30); 02:15 on the 4th is in the 02:00-02:30 gap,
    // shifted by 30 minutes to 02:45 LHDT (+11) = 15:45Z on the 3rd.
    expect(apply('2026-10-03T11:00:00.000Z', 'Australia/Lord_Howe', { start: '21:00', end: '02:15' })).toBe(
      '2026-10-03T15:45:00.000Z',
    );
  });

  it('keeps moving when the shifted end is itself quiet', () => {
    // Quiet 02:45-02:15 leaves only 02:15-02:45 open. On 2026-10-04 Lord Howe skips 02:00-02:30:
    // 02:15 shifts to 02:45, which is start (quiet), so the end of the 5th is used:
    // 2026-10-05 02:15 LHDT (+11) = 15:15Z on the 4th.
    // Input: 15:00Z on the 3rd = 01:30 LHST on the 4th, quiet.
    expect(apply('2026-10-03T15:00:00.000Z', 'Australia/Lord_Howe', { start: '02:45', end: '02:15' })).toBe(
      '2026-10-04T15:15:00.000Z',
    );
  });
});

describe('applyQuietHours: end inside a DST overlap takes the earlier instant', () => {
  const toHalfPastOne: QuietHours = { start: '22:00', end: '01:30' };

  it('America/New_York 22:00-01:30 on the fall-back night ends at 01:30 EDT', () => {
    // 03:00Z on 2026-11-01 = 23:00 EDT on the 31st; 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
    expect(apply('2026-11-01T03:00:00.000Z', 'America/New_York', toHalfPastOne)).toBe(
      '2026-11-01T05:30:00.000Z',
    );
    // 05:10Z = 01:10 EDT, before the first 01:30.
    expect(apply('2026-11-01T05:10:00.000Z', 'America/New_York', toHalfPastOne)).toBe(
      '2026-11-01T05:30:00.000Z',
    );
  });

  it('in the repeated hour, the earlier end has passed: the later one is used', () => {
    // 06:15Z = 01:15 EST (second pass): quiet again; 05:30Z is in the past, so 01:30 EST = 06:30Z.
    expect(apply('2026-11-01T06:15:00.000Z', 'America/New_York', toHalfPastOne)).toBe(
      '2026-11-01T06:30:00.000Z',
    );
    // 05:45Z = 01:45 EDT: not quiet (between the two 01:30s), unchanged.
    expect(apply('2026-11-01T05:45:00.000Z', 'America/New_York', toHalfPastOne)).toBe(
      '2026-11-01T05:45:00.000Z',
    );
  });

  it('Europe/London 22:00-01:30 on 2026-10-25 ends at 01:30 BST', () => {
    // 21:30Z on the 24th = 22:30 BST; 01:30 BST on the 25th = 00:30Z (01:30 GMT would be 01:30Z).
    expect(apply('2026-10-24T21:30:00.000Z', 'Europe/London', toHalfPastOne)).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });

  it('Australia/Lord_Howe 21:00-01:45 on 2026-04-05 ends at 01:45 LHDT', () => {
    // 11:00Z on the 4th = 22:00 LHDT (+11); 01:45 on the 5th happens at 14:45Z (LHDT) and
    // 15:15Z (LHST, +10:30): the earlier.
    expect(apply('2026-04-04T11:00:00.000Z', 'Australia/Lord_Howe', { start: '21:00', end: '01:45' })).toBe(
      '2026-04-04T14:45:00.000Z',
    );
  });
});

describe('applyQuietHours: "next end" is the next in real time on a fall-back night', () => {
  it('a quiet instant past end can still reach the same day end when the clock falls back', () => {
    // Quiet 01:45-01:15 leaves only 01:15-01:45 open. 05:50Z on 2026-11-01 = 01:50 EDT (quiet, past
    // 01:15); at 06:00Z the clock falls back to 01:00 EST, and shows 01:15 again at 06:15Z.
    expect(apply('2026-11-01T05:50:00.000Z', 'America/New_York', { start: '01:45', end: '01:15' })).toBe(
      '2026-11-01T06:15:00.000Z',
    );
  });

  it('waits for end even when falling back leaves the window early', () => {
    // Quiet 01:30-07:00. 05:45Z = 01:45 EDT is quiet; at 06:00Z the clock shows 01:00 EST, outside
    // the window, but rule 3 moves to end: 07:00 EST = 12:00Z.
    expect(apply('2026-11-01T05:45:00.000Z', 'America/New_York', { start: '01:30', end: '07:00' })).toBe(
      '2026-11-01T12:00:00.000Z',
    );
    // 06:10Z = 01:10 EST itself is not quiet: unchanged.
    expect(apply('2026-11-01T06:10:00.000Z', 'America/New_York', { start: '01:30', end: '07:00' })).toBe(
      '2026-11-01T06:10:00.000Z',
    );
  });
});

describe('applyQuietHours: errors', () => {
  it('refuses invalid quiet hours, zones and dates', () => {
    const at = new Date('2026-06-15T22:00:00.000Z');
    expect(() => applyQuietHours(at, 'UTC', { start: '07:30', end: '07:30' })).toThrow(
      InvalidQuietHoursError,
    );
    expect(() => applyQuietHours(at, 'Mars/Olympus', NIGHT)).toThrow(InvalidTimezoneError);
    expect(() => applyQuietHours(new Date(Number.NaN), 'UTC', NIGHT)).toThrow(RangeError);
  });

  it('reports the error code', () => {
    const at = new Date('2026-06-15T22:00:00.000Z');
    expect(() => applyQuietHours(at, 'UTC', { start: '07:30', end: '07:30' })).toThrow(
      expect.objectContaining({ code: 'invalid_quiet_hours' }),
    );
    expect(() => applyQuietHours(at, 'UTC+2', NIGHT)).toThrow(
      expect.objectContaining({ code: 'invalid_timezone' }),
    );
  });
});
