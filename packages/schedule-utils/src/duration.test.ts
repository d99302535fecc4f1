import { describe, expect, it } from 'vitest';
import type { ParsedDuration } from './duration.ts';
import {
  fractionalCalendarProblem,
  InvalidDurationError,
  isValidIsoDuration,
  isWithinMaxDuration,
  isZeroDuration,
  longestDurationMs,
  MAX_DURATION_DAYS,
  nominalDurationMs,
  parseIsoDuration,
} from './duration.ts';

const ZERO: ParsedDuration = {
  years: 0,
  months: 0,
  weeks: 0,
  days: 0,
  hours: 0,
  minutes: 0,
  seconds: 0,
  milliseconds: 0,
};

function parseError(input: string): InvalidDurationError {
  try {
    parseIsoDuration(input);
  } catch (error) {
    if (error instanceof InvalidDurationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('parseIsoDuration', () => {
  it.each<[string, Partial<ParsedDuration>]>([
    ['P1D', { days: 1 }],
    ['PT72H', { hours: 72 }],
    ['P1DT2H30M', { days: 1, hours: 2, minutes: 30 }],
    ['PT0S', {}],
    ['P0D', {}],
    ['P2W', { weeks: 2 }],
    ['PT1.5H', { hours: 1.5 }],
    // ISO allows a comma as the decimal sign.
    ['PT1,5S', { seconds: 1.5 }],
    ['P0.5D', { days: 0.5 }],
    // Weeks combined with other parts (ISO 8601-1:2019), every designator once.
    ['P1Y2M3W4DT5H6M7.25S', { years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7.25 }],
    // No carrying: 36 hours stay 36 hours, not 1 day 12 hours (a day is not always 24 h).
    ['PT36H', { hours: 36 }],
    ['PT90M', { minutes: 90 }],
    // 'M' before 'T' is months, after 'T' minutes.
    ['P1M', { months: 1 }],
    ['PT1M', { minutes: 1 }],
    ['P1MT1M', { months: 1, minutes: 1 }],
    ['P007D', { days: 7 }],
  ])('parses %s', (iso, parts) => {
    expect(parseIsoDuration(iso)).toEqual({ ...ZERO, ...parts });
  });

  it.each([
    ['-P1D', 'negative'],
    ['P-1D', 'negative'],
    ['PT-1H', 'negative'],
    ['+P1D', 'signed'],
    ['72h', 'not ISO'],
    ['', 'empty'],
    ['P', 'no part'],
    ['PT', 'no time part after T'],
    ['P1DT', 'T with nothing after it'],
    ['p1d', 'lower-case designators'],
    ['P1d', 'lower-case designator'],
    ['pt1h', 'lower-case designators'],
    [' P1D', 'leading space'],
    ['P1D ', 'trailing space'],
    ['P1H', 'hours without T'],
    ['PT1D', 'days after T'],
    ['P1D2Y', 'parts out of order'],
    ['PT30M1H', 'parts out of order'],
    ['P1DD', 'repeated designator'],
    ['P1.5DT2H', 'fraction before the smallest part given'],
    ['PT1.5H30M', 'fraction before the smallest part given'],
    ['P1.5W2D', 'fraction before the smallest part given'],
    ['PT1.H', 'no digit after the decimal sign'],
    ['PT.5H', 'no digit before the decimal sign'],
    ['P1e3D', 'exponent'],
    ['P1_000D', 'digit separator'],
    ['PT1H ', 'trailing space'],
    ['P1Y1Y', 'repeated designator'],
    ['1D', 'missing P'],
    ['P99999999999999999999D', 'larger than Number.MAX_SAFE_INTEGER'],
  ])('refuses %j (%s)', (iso) => {
    const error = parseError(iso);
    expect(error.code).toBe('invalid_duration');
    expect(error.input).toBe(iso);
    expect(error.name).toBe('InvalidDurationError');
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain(JSON.stringify(iso));
  });

  it('refuses a non-string at run time (plans arrive as JSON)', () => {
    expect(() => parseIsoDuration(86_400 as unknown as string)).toThrow(InvalidDurationError);
    expect(() => parseIsoDuration(undefined as unknown as string)).toThrow(InvalidDurationError);
  });

  it('accepts the largest safe integer', () => {
    expect(parseIsoDuration('PT9007199254740991S').seconds).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('isValidIsoDuration', () => {
  it('is true when parseIsoDuration succeeds and no calendar part is fractional', () => {
    expect(isValidIsoDuration('P1D')).toBe(true);
    expect(isValidIsoDuration('PT0S')).toBe(true);
    expect(isValidIsoDuration('P')).toBe(false);
    expect(isValidIsoDuration('-P1D')).toBe(false);
    expect(isValidIsoDuration('72h')).toBe(false);
    expect(isValidIsoDuration(null as unknown as string)).toBe(false);
  });

  it('with { positive: true } also refuses zero durations', () => {
    expect(isValidIsoDuration('PT0S', { positive: true })).toBe(false);
    expect(isValidIsoDuration('P0Y0M0W0DT0H0M0S', { positive: true })).toBe(false);
    expect(isValidIsoDuration('PT0.001S', { positive: true })).toBe(true);
    expect(isValidIsoDuration('P1D', { positive: true })).toBe(true);
    expect(isValidIsoDuration('P', { positive: true })).toBe(false);
    // positive: false is the default and accepts zero.
    expect(isValidIsoDuration('PT0S', { positive: false })).toBe(true);
  });

  it('treats a fraction too small to move an instant (under half a millisecond) as zero', () => {
    // 0.0001 s = 0.1 ms, which rounds to 0 ms: as a timeout it would fire immediately.
    expect(isValidIsoDuration('PT0.0001S', { positive: true })).toBe(false);
  });
});

describe('fractional calendar parts', () => {
  it.each([
    // Half a month became 15 days, half a year 182.5 days, half a day 12 elapsed hours: none is what
    // every author means (a day is 23 to 25 hours across DST, a month 28 to 31 days).
    ['P0.5Y', 'years', 'P6M'],
    ['P2.5M', 'months', 'P2M15D'],
    ['P1.5W', 'weeks', 'P10DT12H'],
    ['P0.5D', 'days', 'PT12H'],
    ['P1,5D', 'days', 'P1DT12H'],
    ['P1Y0.25D', 'days', 'P1YT6H'],
  ])('regression: %s (fractional %s) is refused for plans, suggesting %s', (iso, unit, suggestion) => {
    expect(isValidIsoDuration(iso)).toBe(false);
    const problem = fractionalCalendarProblem(iso);
    expect(problem).toContain(`fractional ${unit} are ambiguous`);
    expect(problem).toMatch(/write whole/);
    expect(problem?.endsWith(suggestion) || problem?.includes(`${suggestion} if`)).toBe(true);
  });

  it('names the daylight saving change for days and weeks', () => {
    expect(fractionalCalendarProblem('P0.5D')).toBe(
      'fractional days are ambiguous across daylight saving changes (a day is 23 to 25 hours); write whole days or hours: PT12H',
    );
  });

  it('keeps fractional hours, minutes and seconds: they are elapsed time, exact in every zone', () => {
    for (const iso of ['PT1.5H', 'PT0.5M', 'PT1.25S', 'P1DT1.5H', 'P2.0D', 'P1W']) {
      expect(isValidIsoDuration(iso), iso).toBe(true);
      expect(fractionalCalendarProblem(iso), iso).toBeUndefined();
    }
  });

  it('is undefined for text that is invalid for another reason', () => {
    expect(fractionalCalendarProblem('P1.5DT2H')).toBeUndefined();
    expect(fractionalCalendarProblem('-P0.5D')).toBeUndefined();
    expect(fractionalCalendarProblem(5 as unknown as string)).toBeUndefined();
  });

  it('still reads them, so a campaign stored with one keeps its reading', () => {
    expect(parseIsoDuration('P0.5D')).toEqual({ ...ZERO, days: 0.5 });
  });
});

describe('isZeroDuration', () => {
  it('is true when every part is zero', () => {
    expect(isZeroDuration(parseIsoDuration('PT0S'))).toBe(true);
    expect(isZeroDuration(parseIsoDuration('P0D'))).toBe(true);
    expect(isZeroDuration(ZERO)).toBe(true);
  });

  it('is false when any single part is non-zero', () => {
    for (const field of Object.keys(ZERO) as (keyof ParsedDuration)[]) {
      expect(isZeroDuration({ ...ZERO, [field]: 1 }), field).toBe(false);
    }
    expect(isZeroDuration(parseIsoDuration('PT0.5S'))).toBe(false);
  });
});

describe('nominalDurationMs', () => {
  it.each([
    // 1 day = 24 h = 86 400 000 ms
    ['P1D', 86_400_000],
    ['PT24H', 86_400_000],
    // 7 days
    ['P1W', 604_800_000],
    // 30 days
    ['P1M', 2_592_000_000],
    // 365 days
    ['P1Y', 31_536_000_000],
    // 86 400 000 + 2 * 3 600 000 + 30 * 60 000
    ['P1DT2H30M', 95_400_000],
    // 1.5 * 3 600 000
    ['PT1.5H', 5_400_000],
    ['PT0.5S', 500],
    ['PT0S', 0],
    // 72 * 3 600 000
    ['PT72H', 259_200_000],
  ])('%s is %d ms', (iso, ms) => {
    expect(nominalDurationMs(iso)).toBe(ms);
  });

  it('accepts a parsed duration and counts milliseconds', () => {
    // 2 * 60 000 + 5 * 1000 + 250
    expect(nominalDurationMs({ ...ZERO, minutes: 2, seconds: 5, milliseconds: 250 })).toBe(125_250);
  });

  it('orders durations written differently', () => {
    expect(nominalDurationMs('PT48H')).toBeLessThan(nominalDurationMs('PT72H'));
    expect(nominalDurationMs('P3D')).toBe(nominalDurationMs('PT72H'));
  });

  it('refuses invalid text and invalid objects', () => {
    expect(() => nominalDurationMs('P-1D')).toThrow(InvalidDurationError);
    expect(() => nominalDurationMs({ ...ZERO, days: -1 })).toThrow(InvalidDurationError);
    expect(() => nominalDurationMs({ ...ZERO, hours: Number.NaN })).toThrow(InvalidDurationError);
    expect(() => nominalDurationMs({ ...ZERO, hours: Number.POSITIVE_INFINITY })).toThrow(
      InvalidDurationError,
    );
    const { seconds: _omitted, ...missing } = ZERO;
    expect(() => nominalDurationMs(missing as ParsedDuration)).toThrow(InvalidDurationError);
  });
});

describe('longestDurationMs and isWithinMaxDuration', () => {
  const DAY = 86_400_000;

  it.each([
    // calendar parts at their longest: a year 366 days, a month 31, a week 7, a day 24 h
    ['P1Y', 366 * DAY],
    ['P1M', 31 * DAY],
    ['P1W', 7 * DAY],
    ['P1D', DAY],
    // 366 + 2 * 31 + 3 * 7 + 4 days, then 5 h 6 min 7.5 s of clock
    ['P1Y2M3W4DT5H6M7.5S', 453 * DAY + 5 * 3_600_000 + 6 * 60_000 + 7500],
    ['PT0S', 0],
  ])('%s is at most %d ms long', (iso, ms) => {
    expect(longestDurationMs(iso)).toBe(ms);
  });

  it.each(['P1Y', 'P366D', 'P52W2D', 'PT8784H', 'P11M', 'PT0S', 'P3D', 'PT72H'])(
    '%s is within 366 days',
    (iso) => {
      expect(isWithinMaxDuration(iso)).toBe(true);
    },
  );

  // regression: P300000Y and PT999999999999H parsed, and scheduling a timeout that far failed at run time
  it.each([
    'P300000Y',
    'PT999999999999H',
    'P367D',
    'P1Y1D',
    'P1YT1S',
    'PT8784H0.001S',
    'P12M',
    'P53W',
    'PT9007199254740991S',
  ])('%s is longer than 366 days', (iso) => {
    expect(MAX_DURATION_DAYS).toBe(366);
    expect(isWithinMaxDuration(iso)).toBe(false);
  });

  it('is false for invalid input instead of throwing', () => {
    expect(isWithinMaxDuration('P-1D')).toBe(false);
    expect(isWithinMaxDuration({ ...ZERO, days: Number.NaN })).toBe(false);
    expect(() => longestDurationMs('P-1D')).toThrow(InvalidDurationError);
  });
});
