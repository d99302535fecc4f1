import { describe, expect, it } from 'vitest';
import type { SendRules } from './allowed-instant.ts';
import { calculateSendTime, disallowReason, nextAllowedInstant } from './allowed-instant.ts';
import { ScheduleError } from './errors.ts';
import { holidayCalendar } from './holidays.ts';
import { InvalidQuietHoursError } from './quiet-hours.ts';
import { calculateScheduleTime } from './schedule.ts';
import type { SendWindow } from './send-window.ts';
import { InvalidSendWindowError } from './send-window.ts';

const at = (iso: string) => new Date(iso);
const next = (due: string, rules: SendRules) => nextAllowedInstant(at(due), rules)?.toISOString() ?? null;
const WEEKDAYS: SendWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' };

describe('disallowReason', () => {
  const berlin: SendRules = {
    zone: 'Europe/Berlin',
    quietHours: { start: '20:00', end: '08:00' },
    sendWindow: WEEKDAYS,
    holidays: holidayCalendar({ dates: ['2026-06-10'] }),
    channel: 'sms',
  };

  it('names the first failing rule in the order quiet_hours, send_window, holiday, sms_hours', () => {
    // Wed 2026-06-10 is a listed holiday; Berlin is UTC+2 in June.
    expect(disallowReason(at('2026-06-10T19:00:00Z'), berlin)).toBe('quiet_hours'); // 21:00, also a holiday
    expect(disallowReason(at('2026-06-10T16:30:00Z'), berlin)).toBe('send_window'); // 18:30, also a holiday
    expect(disallowReason(at('2026-06-10T08:00:00Z'), berlin)).toBe('holiday'); // 10:00
    expect(disallowReason(at('2026-06-11T08:00:00Z'), berlin)).toBeNull(); // Thu 10:00
    expect(disallowReason(at('2026-06-13T08:00:00Z'), berlin)).toBe('send_window'); // Saturday
  });

  it('keeps SMS in [08:00, 21:00) local, which no window widens', () => {
    const sms: SendRules = {
      zone: 'Europe/Berlin',
      channel: 'sms',
      sendWindow: { days: ['wed'], start: '06:00', end: '23:00' },
    };
    expect(disallowReason(at('2026-06-10T05:59:59.999Z'), sms)).toBe('sms_hours'); // 07:59:59.999
    expect(disallowReason(at('2026-06-10T06:00:00Z'), sms)).toBeNull(); // 08:00
    expect(disallowReason(at('2026-06-10T18:59:59.999Z'), sms)).toBeNull(); // 20:59:59.999
    expect(disallowReason(at('2026-06-10T19:00:00Z'), sms)).toBe('sms_hours'); // 21:00
    // The same instants are fine for email.
    expect(disallowReason(at('2026-06-10T19:00:00Z'), { ...sms, channel: 'email' })).toBeNull();
  });

  it('reads the window as [start, end): start is inside, end is not', () => {
    const rules: SendRules = { zone: 'Asia/Kathmandu', sendWindow: WEEKDAYS }; // UTC+05:45
    expect(disallowReason(at('2026-06-10T03:14:59.999Z'), rules)).toBe('send_window'); // 08:59:59.999
    expect(disallowReason(at('2026-06-10T03:15:00Z'), rules)).toBeNull(); // 09:00
    expect(disallowReason(at('2026-06-10T11:14:59.999Z'), rules)).toBeNull(); // 16:59:59.999
    expect(disallowReason(at('2026-06-10T11:15:00Z'), rules)).toBe('send_window'); // 17:00
  });

  it('refuses bad input with a clear error', () => {
    const when = at('2026-06-10T08:00:00Z');
    expect(() => disallowReason(new Date(Number.NaN), { zone: 'UTC' })).toThrow(RangeError);
    expect(() => disallowReason(when, { zone: 'Mars/Olympus' })).toThrow(ScheduleError);
    expect(() => disallowReason(when, { zone: 'UTC', quietHours: { start: '8', end: '9' } })).toThrow(
      InvalidQuietHoursError,
    );
    const badWindow = { days: ['monday'], start: '09:00', end: '08:00' } as unknown as SendWindow;
    expect(() => disallowReason(when, { zone: 'UTC', sendWindow: badWindow })).toThrow(
      InvalidSendWindowError,
    );
    expect(() => disallowReason(when, { zone: 'UTC', sendWindow: badWindow })).toThrow(/Did you mean 'mon'/);
    expect(() => disallowReason(when, { zone: 'UTC', channel: 'fax' as 'sms' })).toThrow(/channel "fax"/);
  });
});

describe('nextAllowedInstant', () => {
  it('keeps an allowed due instant as it is, to the millisecond', () => {
    expect(next('2026-06-10T08:00:00.123Z', { zone: 'Europe/Berlin', sendWindow: WEEKDAYS })).toBe(
      '2026-06-10T08:00:00.123Z',
    );
  });

  it('opens a window starting 02:30 at 03:30 EDT on the New York spring-forward night', () => {
    // 2026-03-08 (a Sunday) 01:00 EST = 06:00Z; 02:30 does not exist, shifted by the 1 h gap.
    const rules: SendRules = {
      zone: 'America/New_York',
      sendWindow: { days: ['sun'], start: '02:30', end: '05:00' },
    };
    expect(next('2026-03-08T06:00:00Z', rules)).toBe('2026-03-08T07:30:00.000Z');
    // A week later the same window opens at 02:30 EDT.
    expect(next('2026-03-15T05:00:00Z', rules)).toBe('2026-03-15T06:30:00.000Z');
  });

  it('reads membership off the wall clock: a window start shifted to its end opens nothing (Troll)', () => {
    // Troll jumps from UTC+0 to UTC+2 at 01:00Z on Sun 2026-03-29: 01:00 local becomes 03:00.
    const rules: SendRules = {
      zone: 'Antarctica/Troll',
      sendWindow: { days: ['sun'], start: '02:00', end: '04:00' },
    };
    // Due 03:30 local (01:30Z): inside the window, goes at once.
    expect(next('2026-03-29T01:30:00Z', rules)).toBe('2026-03-29T01:30:00.000Z');
    // Due 00:30 local: 02:00 shifts by 2 h to 04:00, the window's end; next Sunday 02:00 (UTC+2).
    expect(next('2026-03-29T00:30:00Z', rules)).toBe('2026-04-05T00:00:00.000Z');
  });

  it('starts a day at 01:00 when its midnight does not exist (Havana)', () => {
    // Havana springs forward at 00:00 on 2026-03-08; Saturday the 7th is a listed holiday.
    const rules: SendRules = { zone: 'America/Havana', holidays: holidayCalendar({ dates: ['2026-03-07'] }) };
    // Sat 12:00 CST (UTC-5) -> Sun 01:00 CDT (UTC-4).
    expect(next('2026-03-07T17:00:00Z', rules)).toBe('2026-03-08T05:00:00.000Z');
  });

  it('takes the later occurrence of a boundary the fall-back night shows twice when the first is past', () => {
    // New York falls back at 02:00 EDT on Sun 2026-11-01; 01:00 shows at 05:00Z and at 06:00Z.
    const rules: SendRules = {
      zone: 'America/New_York',
      sendWindow: { days: ['sun'], start: '01:00', end: '01:30' },
    };
    expect(next('2026-11-01T05:40:00Z', rules)).toBe('2026-11-01T06:00:00.000Z'); // due 01:40 EDT
    expect(next('2026-11-01T04:40:00Z', rules)).toBe('2026-11-01T05:00:00.000Z'); // due 00:40 EDT
  });

  it('moves past every rule at once: quiet hours, then the window, then a Bavarian holiday', () => {
    const rules: SendRules = {
      zone: 'Europe/Berlin',
      quietHours: { start: '20:00', end: '08:00' },
      sendWindow: WEEKDAYS,
      holidays: holidayCalendar({ country: 'DE', region: 'BY' }),
    };
    // Wed 2026-06-03 21:00 CEST (quiet) -> Thu 06-04 is Corpus Christi in Bavaria -> Fri 09:00 CEST.
    expect(next('2026-06-03T19:00:00Z', rules)).toBe('2026-06-05T07:00:00.000Z');
    // Berlin has no Corpus Christi: Thu 09:00 CEST.
    const berlin = { ...rules, holidays: holidayCalendar({ country: 'DE', region: 'BE' }) };
    expect(next('2026-06-03T19:00:00Z', berlin)).toBe('2026-06-04T07:00:00.000Z');
  });

  it('waits for 08:00 for an SMS due late in the evening', () => {
    // 21:30 CEST -> 08:00 CEST next day.
    expect(next('2026-06-10T19:30:00Z', { zone: 'Europe/Berlin', channel: 'sms' })).toBe(
      '2026-06-11T06:00:00.000Z',
    );
  });

  it('is null when no allowed instant exists within 366 days', () => {
    // An SMS window of 21:00-22:00 never meets the legal [08:00, 21:00).
    const sms: SendRules = {
      zone: 'America/New_York',
      channel: 'sms',
      sendWindow: { days: ['mon'], start: '21:00', end: '22:00' },
    };
    expect(next('2026-03-08T06:00:00Z', sms)).toBeNull();
    // Quiet hours that cover the whole window.
    const covered: SendRules = {
      zone: 'UTC',
      quietHours: { start: '08:00', end: '18:00' },
      sendWindow: WEEKDAYS,
    };
    expect(next('2026-03-08T06:00:00Z', covered)).toBeNull();
  });

  it('finds an instant 366 days away but not one further', () => {
    // Every date is a holiday except one: 366 days after the due date, and then 367.
    const dates = (from: string, count: number) =>
      Array.from({ length: count }, (_, i) =>
        new Date(Date.parse(from) + i * 86_400_000).toISOString().slice(0, 10),
      );
    const within: SendRules = { zone: 'UTC', holidays: holidayCalendar({ dates: dates('2026-01-01', 366) }) };
    expect(next('2026-01-01T00:00:00Z', within)).toBe('2027-01-02T00:00:00.000Z');
    const beyond: SendRules = { zone: 'UTC', holidays: holidayCalendar({ dates: dates('2026-01-01', 367) }) };
    expect(next('2026-01-01T00:00:00Z', beyond)).toBeNull();
  });
});

describe('calculateSendTime', () => {
  it('adds the delay on the calendar, then moves to an allowed instant', () => {
    // Fri 2026-03-06 16:00 EST + P1D = Sat 16:00 EST (21:00Z); the window moves it to Mon 09:00 EDT.
    const rules: SendRules = { zone: 'America/New_York', sendWindow: WEEKDAYS };
    const { dueAt, runAt } = calculateSendTime(at('2026-03-06T21:00:00Z'), 'P1D', rules);
    expect(dueAt.toISOString()).toBe('2026-03-07T21:00:00.000Z');
    expect(runAt?.toISOString()).toBe('2026-03-09T13:00:00.000Z');
  });

  it('equals calculateScheduleTime with only quiet hours and email', () => {
    const quiet = { start: '22:00', end: '02:30' };
    const entry = at('2026-03-07T03:00:00Z'); // Fri 22:00 EST
    const got = calculateSendTime(entry, 'PT1H', { zone: 'America/New_York', quietHours: quiet });
    const was = calculateScheduleTime(entry, 'PT1H', 'America/New_York', quiet);
    expect(got.dueAt.toISOString()).toBe(was.dueAt.toISOString());
    expect(got.runAt?.toISOString()).toBe(was.runAt.toISOString());
    // Sat 02:30 EST, by hand.
    expect(got.runAt?.toISOString()).toBe('2026-03-07T07:30:00.000Z');
  });

  it('returns runAt null when nothing is allowed, and refuses a bad delay', () => {
    const sms: SendRules = {
      zone: 'UTC',
      channel: 'sms',
      sendWindow: { days: ['mon'], start: '21:00', end: '22:00' },
    };
    expect(calculateSendTime(at('2026-03-06T21:00:00Z'), 'PT0S', sms).runAt).toBeNull();
    expect(() => calculateSendTime(at('2026-03-06T21:00:00Z'), 'one day', sms)).toThrow(ScheduleError);
  });
});
