import { describe, expect, it } from 'vitest';
import { isValidTimezone } from './zone.ts';

describe('isValidTimezone', () => {
  it.each([
    'America/New_York',
    'America/Los_Angeles',
    'Europe/London',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'Pacific/Chatham',
    'UTC',
    'Etc/UTC',
    // IANA zone whose sign is inverted by POSIX convention: UTC-2.
    'Etc/GMT+2',
    // Backward-compatible IANA aliases.
    'US/Eastern',
    'Asia/Calcutta',
    'America/Port-au-Prince',
  ])('accepts %s', (zone) => {
    expect(isValidTimezone(zone)).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['UTC+2', 'offset notation'],
    ['GMT+2', 'offset notation'],
    ['Mars/Olympus', 'unknown name'],
    ['Europe/Londres', 'unknown name'],
    // Intl (and so luxon) accepts these offset zones, but they are not IANA names.
    ['+02:00', 'offset zone'],
    ['-05', 'offset zone'],
    ['+0200', 'offset zone'],
    ['\u221205:00', 'offset zone with a Unicode minus'],
    [' Europe/London', 'leading space'],
    ['Europe/London ', 'trailing space'],
  ])('refuses %j (%s)', (zone) => {
    expect(isValidTimezone(zone)).toBe(false);
  });

  it('refuses non-strings at run time', () => {
    expect(isValidTimezone(undefined as unknown as string)).toBe(false);
    expect(isValidTimezone(2 as unknown as string)).toBe(false);
  });
});
