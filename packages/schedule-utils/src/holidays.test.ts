import { describe, expect, it } from 'vitest';
import { ScheduleError } from './errors.ts';
import type { HolidaysSpec } from './holidays.ts';
import { holidayCalendar, holidaysProblems, InvalidHolidaysError } from './holidays.ts';

const fields = (spec: HolidaysSpec) => holidaysProblems(spec).map((p) => p.field);
const message = (spec: HolidaysSpec, field: string) =>
  holidaysProblems(spec).find((p) => p.field === field)?.message;

describe('holidaysProblems', () => {
  it('accepts a country, a region (short or full ISO 3166-2) and existing dates', () => {
    expect(holidaysProblems({})).toEqual([]);
    expect(holidaysProblems({ country: 'DE', region: 'BY', dates: ['2026-12-24', '2028-02-29'] })).toEqual(
      [],
    );
    expect(holidaysProblems({ country: 'DE', region: 'DE-BY' })).toEqual([]);
    expect(holidaysProblems({ dates: ['2026-12-31'] })).toEqual([]);
  });

  it('refuses an unknown country, with a did-you-mean where one is close', () => {
    expect(fields({ country: 'XX' })).toEqual(['country']);
    expect(message({ country: 'XX' }, 'country')).not.toMatch(/Did you mean/);
    expect(message({ country: 'Germany' }, 'country')).toMatch(/Did you mean 'DE'/);
    expect(message({ country: 'Germny' }, 'country')).toMatch(/Did you mean 'DE'/);
    expect(message({ country: 'de' }, 'country')).toMatch(/Did you mean 'DE'/);
    expect(message({ country: 'UK' }, 'country')).toMatch(/Did you mean 'GB'/);
    expect(message({ country: 'USA' }, 'country')).toMatch(/Did you mean 'US'/);
  });

  it('refuses an unknown region of the country, and a region without a country', () => {
    expect(fields({ country: 'DE', region: 'ZZ' })).toEqual(['region']);
    expect(message({ country: 'DE', region: 'ZZ' }, 'region')).toMatch(/not a region of DE.*'BY'/);
    expect(message({ country: 'DE', region: 'Bayern' }, 'region')).toMatch(/Did you mean 'BY'/);
    expect(message({ country: 'DE', region: 'by' }, 'region')).toMatch(/Did you mean 'BY'/);
    expect(message({ country: 'US', region: 'California' }, 'region')).toMatch(/Did you mean 'CA'/);
    // A region of another country is not one of this country.
    expect(fields({ country: 'US', region: 'BY' })).toEqual(['region']);
    expect(fields({ region: 'BY' })).toEqual(['region']);
    // An unknown country is reported once, not again through its region.
    expect(fields({ country: 'XX', region: 'BY' })).toEqual(['country']);
  });

  it('refuses malformed and non-existent dates, each at its index', () => {
    const spec = { dates: ['2026-12-24', '2026-02-30', '2026-1-1', '2026-13-01', '2026-02-29', 20261224] };
    expect(fields(spec as HolidaysSpec)).toEqual(['dates/1', 'dates/2', 'dates/3', 'dates/4', 'dates/5']);
    expect(message(spec as HolidaysSpec, 'dates/1')).toMatch(/not a date that exists.*28 days/);
    expect(message(spec as HolidaysSpec, 'dates/2')).toMatch(/YYYY-MM-DD/);
    expect(fields({ dates: '2026-12-24' } as unknown as HolidaysSpec)).toEqual(['dates']);
    expect(fields(null as unknown as HolidaysSpec)).toEqual(['']);
  });
});

describe('holidayCalendar', () => {
  it('has Corpus Christi (2026-06-04) in Bavaria and not in Berlin', () => {
    expect(holidayCalendar({ country: 'DE', region: 'BY' }).isHoliday('2026-06-04')).toBe(true);
    expect(holidayCalendar({ country: 'DE', region: 'DE-BY' }).isHoliday('2026-06-04')).toBe(true);
    expect(holidayCalendar({ country: 'DE', region: 'BE' }).isHoliday('2026-06-04')).toBe(false);
    // Nationwide holidays hold in every region, and for the country alone.
    expect(holidayCalendar({ country: 'DE', region: 'BE' }).isHoliday('2026-10-03')).toBe(true);
    expect(holidayCalendar({ country: 'DE' }).isHoliday('2026-06-04')).toBe(false);
  });

  it('counts public holidays only, substitute days included', () => {
    const us = holidayCalendar({ country: 'US' });
    expect(us.isHoliday('2026-11-26')).toBe(true); // Thanksgiving, 4th Thursday of November
    expect(us.isHoliday('2026-07-04')).toBe(true); // a Saturday
    expect(us.isHoliday('2026-07-03')).toBe(true); // its substitute, the Friday before
    expect(us.isHoliday('2027-07-05')).toBe(true); // 2027-07-04 is a Sunday: substitute Monday
    expect(us.isHoliday('2026-02-14')).toBe(false); // Valentine's Day, an observance
    expect(us.isHoliday('2026-11-25')).toBe(false);
    // Christmas Eve is a bank holiday (from 14:00) in Germany, not a public one.
    expect(holidayCalendar({ country: 'DE', region: 'BY' }).isHoliday('2026-12-24')).toBe(false);
  });

  it('adds the listed dates, with or without a country', () => {
    const calendar = holidayCalendar({ country: 'DE', region: 'BY', dates: ['2026-12-24'] });
    expect(calendar.isHoliday('2026-12-24')).toBe(true);
    expect(calendar.isHoliday('2026-12-25')).toBe(true);
    expect(calendar.isHoliday('2026-12-23')).toBe(false);
    const listed = holidayCalendar({ dates: ['2026-12-24'] });
    expect(listed.isHoliday('2026-12-24')).toBe(true);
    expect(listed.isHoliday('2026-12-25')).toBe(false);
  });

  it('throws InvalidHolidaysError (a ScheduleError) for a spec with problems', () => {
    let thrown: unknown;
    try {
      holidayCalendar({ country: 'Germany', dates: ['2026-02-30'] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidHolidaysError);
    expect(thrown).toBeInstanceOf(ScheduleError);
    expect((thrown as InvalidHolidaysError).code).toBe('invalid_holidays');
    expect((thrown as InvalidHolidaysError).problems.map((p) => p.field)).toEqual(['country', 'dates/0']);
  });

  it('refuses a date that is not YYYY-MM-DD when asked about one', () => {
    expect(() => holidayCalendar({ country: 'US' }).isHoliday('26-11-2026')).toThrow(RangeError);
  });
});
