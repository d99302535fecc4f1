import { describe, expect, it } from 'vitest';
import { InvalidDurationError } from './duration.ts';
import type { QuietHours } from './quiet-hours.ts';
import { InvalidQuietHoursError } from './quiet-hours.ts';
import { calculateScheduleTime } from './schedule.ts';

// The example plan of DESIGN section 3.
const ZONE = 'America/Los_Angeles';
const QUIET: QuietHours = { start: '21:00', end: '07:30' };

function schedule(enteredAtIso: string, delay: string, quiet: QuietHours = QUIET) {
  const { dueAt, runAt } = calculateScheduleTime(new Date(enteredAtIso), delay, ZONE, quiet);
  return { dueAt: dueAt.toISOString(), runAt: runAt.toISOString() };
}

describe('calculateScheduleTime', () => {
  it('sends immediately when the delay ends outside quiet hours', () => {
    // 2026-03-06T17:00Z = 09:00 PST (UTC-8).
    expect(schedule('2026-03-06T17:00:00.000Z', 'PT0S')).toEqual({
      dueAt: '2026-03-06T17:00:00.000Z',
      runAt: '2026-03-06T17:00:00.000Z',
    });
    // P1D: 2026-03-07 09:00 PST.
    expect(schedule('2026-03-06T17:00:00.000Z', 'P1D')).toEqual({
      dueAt: '2026-03-07T17:00:00.000Z',
      runAt: '2026-03-07T17:00:00.000Z',
    });
  });

  it('P3D and PT72H differ across the spring-forward of 2026-03-08', () => {
    // P3D: 2026-03-09 09:00 PDT (UTC-7) = 16:00Z.
    expect(schedule('2026-03-06T17:00:00.000Z', 'P3D').dueAt).toBe('2026-03-09T16:00:00.000Z');
    // PT72H: 72 elapsed hours = 17:00Z = 10:00 PDT.
    expect(schedule('2026-03-06T17:00:00.000Z', 'PT72H').dueAt).toBe('2026-03-09T17:00:00.000Z');
  });

  it('moves a due time in quiet hours to the end of quiet hours', () => {
    // Entered 2026-03-07T03:00Z = 19:00 PST on the 6th; + 3 h = 22:00 PST (06:00Z), quiet:
    // runAt 2026-03-07 07:30 PST = 15:30Z.
    expect(schedule('2026-03-07T03:00:00.000Z', 'PT3H')).toEqual({
      dueAt: '2026-03-07T06:00:00.000Z',
      runAt: '2026-03-07T15:30:00.000Z',
    });
  });

  it('the end of quiet hours uses the offset of its own day', () => {
    // Entered 2026-03-08T05:00Z = 21:00 PST on the 7th; + 1 h = 22:00 PST (06:00Z), quiet.
    // 07:30 on the 8th is already PDT (UTC-7): 14:30Z.
    expect(schedule('2026-03-08T05:00:00.000Z', 'PT1H')).toEqual({
      dueAt: '2026-03-08T06:00:00.000Z',
      runAt: '2026-03-08T14:30:00.000Z',
    });
    // Entered 21:30 PST on the 6th (05:30Z on the 7th); P1D = 21:30 PST on the 7th = 05:30Z on the 8th.
    expect(schedule('2026-03-07T05:30:00.000Z', 'P1D')).toEqual({
      dueAt: '2026-03-08T05:30:00.000Z',
      runAt: '2026-03-08T14:30:00.000Z',
    });
  });

  it('without quiet hours runAt is dueAt', () => {
    const { dueAt, runAt } = calculateScheduleTime(new Date('2026-03-07T03:00:00.000Z'), 'PT3H', ZONE);
    // 22:00 PST, quiet under QUIET, but no quiet hours are given.
    expect(dueAt.toISOString()).toBe('2026-03-07T06:00:00.000Z');
    expect(runAt.toISOString()).toBe('2026-03-07T06:00:00.000Z');
  });

  it('accepts a parsed delay', () => {
    const delay = {
      years: 0,
      months: 0,
      weeks: 0,
      days: 0,
      hours: 3,
      minutes: 0,
      seconds: 0,
      milliseconds: 0,
    };
    const { runAt } = calculateScheduleTime(new Date('2026-03-07T03:00:00.000Z'), delay, ZONE, QUIET);
    expect(runAt.toISOString()).toBe('2026-03-07T15:30:00.000Z');
  });

  it('refuses an invalid delay or invalid quiet hours', () => {
    expect(() => schedule('2026-03-07T03:00:00.000Z', '-PT3H')).toThrow(InvalidDurationError);
    expect(() => schedule('2026-03-07T03:00:00.000Z', 'PT3H', { start: '21:00', end: '21:00' })).toThrow(
      InvalidQuietHoursError,
    );
  });
});
