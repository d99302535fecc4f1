import { describe, expect, it } from 'vitest';
import { localDayNumber, localDayStart } from './local-day.ts';

describe('localDayStart / localDayNumber', () => {
  it('reads the day in the zone, not in UTC', () => {
    // 2026-03-03 23:30 in New York (EST, -05:00) is 04:30 UTC on the 4th.
    const at = new Date('2026-03-04T04:30:00Z');
    expect(localDayStart(at, 'America/New_York')).toEqual(new Date('2026-03-03T05:00:00Z'));
    expect(localDayStart(at, 'America/New_York', 1)).toEqual(new Date('2026-03-04T05:00:00Z'));
    expect(localDayStart(at, 'UTC')).toEqual(new Date('2026-03-04T00:00:00Z'));
    expect(localDayNumber(at, 'UTC') - localDayNumber(at, 'America/New_York')).toBe(1);
  });

  it('a day across spring-forward is 23 hours long; the next one starts at the new offset', () => {
    // New York springs forward on 2026-03-08 at 02:00 EST.
    const at = new Date('2026-03-08T12:00:00Z');
    expect(localDayStart(at, 'America/New_York')).toEqual(new Date('2026-03-08T05:00:00Z'));
    expect(localDayStart(at, 'America/New_York', 1)).toEqual(new Date('2026-03-09T04:00:00Z'));
  });

  it('a midnight inside a DST gap begins the day at 01:00 (Havana)', () => {
    // Cuba springs forward on 2026-03-08 at 00:00 CST (-05:00) to 01:00 CDT (-04:00).
    const at = new Date('2026-03-08T12:00:00Z');
    expect(localDayStart(at, 'America/Havana')).toEqual(new Date('2026-03-08T05:00:00Z'));
  });

  it('refuses an invalid date', () => {
    expect(() => localDayStart(new Date(Number.NaN), 'UTC')).toThrow(RangeError);
  });
});
