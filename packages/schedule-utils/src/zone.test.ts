import { describe, expect, it } from 'vitest';
import { checkTimezone, isValidTimezone } from './zone.ts';

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
    // ICU accepts the old Java ids; the tz database does not name them.
    ['PST', 'regression: an ICU-only abbreviation'],
    ['BST', 'regression: an ICU-only abbreviation (Dhaka to ICU)'],
    ['IST', 'regression: an ICU-only abbreviation'],
  ])('refuses %j (%s)', (zone) => {
    expect(isValidTimezone(zone)).toBe(false);
  });

  it('refuses non-strings at run time', () => {
    expect(isValidTimezone(undefined as unknown as string)).toBe(false);
    expect(isValidTimezone(2 as unknown as string)).toBe(false);
  });
});

describe('checkTimezone', () => {
  it.each([
    ['PST', 'America/Los_Angeles'],
    ['PDT', 'America/Los_Angeles'],
    ['CST', 'America/Chicago'],
    ['CDT', 'America/Chicago'],
    ['MDT', 'America/Denver'],
    ['EDT', 'America/New_York'],
    // ICU reads BST as Asia/Dhaka (Bangladesh); a Briton means British Summer Time.
    ['BST', 'Europe/London'],
    // DESIGN's list of old Java ids: JST is Japan for Java and ICU alike, but not an IANA name.
    ['JST', 'Asia/Tokyo'],
    ['pst', 'America/Los_Angeles'],
  ])('regression: %s is not an IANA name; did you mean %s', (zone, suggestion) => {
    expect(checkTimezone(zone)).toEqual({ valid: false, reason: 'abbreviation', suggestion });
  });

  it.each([
    ['IST', ['Asia/Kolkata', 'Europe/Dublin', 'Asia/Jerusalem']],
    ['AST', ['America/Halifax', 'America/Puerto_Rico', 'Asia/Riyadh', 'America/Anchorage']],
  ])(
    'regression: the ambiguous %s is refused with candidates and no single suggestion',
    (zone, candidates) => {
      const check = checkTimezone(zone);
      expect(check.valid).toBe(false);
      expect(check.reason).toBe('abbreviation');
      expect(check.suggestion).toBeUndefined();
      expect(check.candidates).toEqual(candidates);
    },
  );

  it.each([
    ['EST', '-05:00', 'America/New_York'],
    ['MST', '-07:00', 'America/Denver'],
    ['HST', '-10:00', 'Pacific/Honolulu'],
    // POSIX inverts the sign: Etc/GMT+5 is five hours behind UTC. No city stands for it.
    ['Etc/GMT+5', '-05:00', undefined],
    ['Etc/GMT-14', '+14:00', undefined],
  ])('%s is valid, a fixed offset %s without DST', (zone, offset, suggestion) => {
    expect(checkTimezone(zone)).toEqual({
      valid: true,
      fixedOffset: true,
      offset,
      ...(suggestion ? { suggestion } : {}),
    });
  });

  it.each(['US/Eastern', 'CET', 'Asia/Calcutta', 'America/New_York', 'UTC', 'Etc/GMT', 'EST5EDT'])(
    '%s is a real IANA name (zone or link) with no remark',
    (zone) => {
      expect(checkTimezone(zone)).toEqual({ valid: true });
    },
  );

  it.each([
    ['+02:00', 'offset'],
    ['UTC+2', 'offset'],
    ['Mars/Olympus', 'unknown'],
    ['XYZT', 'abbreviation'],
  ])('%s is refused (%s)', (zone, reason) => {
    expect(checkTimezone(zone)).toEqual({ valid: false, reason });
  });
});
