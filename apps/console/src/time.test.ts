import { describe, expect, it } from 'vitest';
import { bothTimes, wallTime } from './time.ts';

// Expected values by hand from the zones' rules (US DST 2026 starts Sunday March 8, 02:00 local).
describe('wallTime', () => {
  it('reads New York before and after the 2026 spring change', () => {
    expect(wallTime('2026-03-08T06:30:00.000Z', 'America/New_York')).toBe('2026-03-08 01:30:00'); // EST, UTC-5
    expect(wallTime('2026-03-08T10:30:00.000Z', 'America/New_York')).toBe('2026-03-08 06:30:00'); // EDT, UTC-4
  });

  it('rolls the date over where the zone is ahead of UTC', () => {
    expect(wallTime('2026-12-01T23:30:05.000Z', 'Europe/Paris')).toBe('2026-12-02 00:30:05');
  });

  it('shows midnight as 00, not 24', () => {
    expect(wallTime('2026-01-01T00:00:00.000Z', 'UTC')).toBe('2026-01-01 00:00:00');
  });
});

describe('bothTimes', () => {
  it('gives the plan time with its zone and UTC', () => {
    expect(bothTimes('2026-07-01T12:00:00.000Z', 'Asia/Tokyo')).toEqual({
      local: '2026-07-01 21:00:00 Asia/Tokyo',
      utc: '2026-07-01 12:00:00 UTC',
    });
  });

  it('refuses a zone that does not exist', () => {
    expect(() => bothTimes('2026-07-01T12:00:00.000Z', 'Mars/Olympus')).toThrow(RangeError);
  });
});
