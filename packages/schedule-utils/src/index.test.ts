import { describe, expect, it } from 'vitest';
import * as api from './index.ts';

describe('package entry point', () => {
  it('exports the whole contract', () => {
    const functions = [
      'parseIsoDuration',
      'isValidIsoDuration',
      'fractionalCalendarProblem',
      'isZeroDuration',
      'nominalDurationMs',
      'longestDurationMs',
      'isWithinMaxDuration',
      'addDuration',
      'resolveLocalTime',
      'isValidTimezone',
      'checkTimezone',
      'isValidTimeOfDay',
      'isValidQuietHours',
      'isQuietTime',
      'applyQuietHours',
      'calculateScheduleTime',
      'sendWindowProblems',
      'holidaysProblems',
      'holidayCalendar',
      'disallowReason',
      'nextAllowedInstant',
      'calculateSendTime',
    ];
    for (const name of functions)
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
  });

  it('exports error classes carrying the DESIGN error codes', () => {
    expect(new api.InvalidDurationError('P', 'no part given').code).toBe('invalid_duration');
    expect(new api.InvalidTimezoneError('Mars/Olympus').code).toBe('invalid_timezone');
    expect(new api.InvalidQuietHoursError({ start: '21:00', end: '21:00' }).code).toBe('invalid_quiet_hours');
    expect(new api.InvalidSendWindowError([]).code).toBe('invalid_send_window');
    expect(new api.InvalidHolidaysError([]).code).toBe('invalid_holidays');
    expect(api.DAY_NAMES).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
  });

  it('throws its errors as ScheduleError, the package base (core cannot be its base)', () => {
    const at = new Date('2026-03-06T17:00:00.000Z');
    const thrown = (run: () => unknown): unknown => {
      try {
        run();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const errors = [
      thrown(() => api.parseIsoDuration('-P1D')),
      thrown(() => api.isQuietTime(at, 'Mars/Olympus', { start: '21:00', end: '07:30' })),
      thrown(() => api.applyQuietHours(at, 'Europe/Paris', { start: '21:00', end: '21:00' })),
      thrown(() =>
        api.nextAllowedInstant(at, { zone: 'UTC', sendWindow: { days: [], start: '09:00', end: '17:00' } }),
      ),
      thrown(() => api.holidayCalendar({ country: 'XX' })),
    ];
    expect(errors.map((error) => error instanceof api.ScheduleError && error.code)).toEqual([
      'invalid_duration',
      'invalid_timezone',
      'invalid_quiet_hours',
      'invalid_send_window',
      'invalid_holidays',
    ]);
  });
});
