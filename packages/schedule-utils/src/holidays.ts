import { createRequire } from 'node:module';
import type HolidaysLibrary from 'date-holidays';

// date-holidays carries every country's rules (a quarter of a second to load): it is loaded on the
// first holiday question, not by everything that imports this package.
const require = createRequire(import.meta.url);
let holidaysClass: typeof HolidaysLibrary | undefined;
function Holidays(): typeof HolidaysLibrary {
  holidaysClass ??= require('date-holidays') as typeof HolidaysLibrary;
  return holidaysClass;
}

import { ScheduleError } from './errors.ts';
import { daysInMonth } from './local-time.ts';
import { closestKey } from './suggest.ts';

/**
 * Dates without sends (DESIGN section 10): the public holidays of `country` (ISO 3166-1 alpha-2,
 * such as 'DE') and optional `region` (its ISO 3166-2 subdivision, 'BY' or 'DE-BY'), as the
 * date-holidays library knows them, plus the local dates in `dates` ('YYYY-MM-DD').
 */
export interface HolidaysSpec {
  country?: string;
  region?: string;
  dates?: readonly string[];
}

/** Answers whether a local date has no sends. */
export interface HolidayCalendar {
  /** `localDate` is 'YYYY-MM-DD', the date of the send in the plan's zone. */
  isHoliday(localDate: string): boolean;
}

type Problem = { field: string; message: string };

/** Thrown by holidayCalendar when the spec has problems (see holidaysProblems). */
export class InvalidHolidaysError extends ScheduleError {
  readonly code = 'invalid_holidays';
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super(`Invalid holidays: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    this.name = 'InvalidHolidaysError';
    this.problems = problems;
  }
}

let lookupInstance: HolidaysLibrary | undefined;
function lookup(): HolidaysLibrary {
  lookupInstance ??= new (Holidays())();
  return lookupInstance;
}
// English and native names, for the did-you-mean ('Germany' and 'Deutschland' -> 'DE').
let countryNames: ReadonlyMap<string, readonly string[]> | undefined;
function countryNameTable(): ReadonlyMap<string, readonly string[]> {
  countryNames ??= namesOf(lookup().getCountries('en'), lookup().getCountries());
  return countryNames;
}
// Common codes that are not ISO 3166-1 alpha-2 codes, with the one meant.
const COUNTRY_ALIASES: Readonly<Record<string, string>> = { UK: 'GB', USA: 'US', EN: 'GB' };

function namesOf(
  english: Record<string, string> | undefined,
  native: Record<string, string> | undefined,
): Map<string, readonly string[]> {
  const names = new Map<string, readonly string[]>();
  for (const code of Object.keys(english ?? {})) {
    names.set(code, [english?.[code] ?? code, native?.[code] ?? code]);
  }
  return names;
}

function suggestion(input: string, codes: ReadonlyMap<string, readonly string[]>, alias?: string): string {
  const upper = input.trim().toUpperCase();
  let meant: string | undefined = alias;
  if (meant === undefined && codes.has(upper)) meant = upper;
  if (meant === undefined) meant = closestKey(input, codes, input.trim().length <= 3 ? 0 : 2);
  if (meant === undefined && upper.length === 2)
    meant = closestKey(upper, new Map([...codes.keys()].map((c) => [c, [c]])), 1);
  return meant !== undefined ? ` Did you mean '${meant}' (${codes.get(meant)?.[0] ?? meant})?` : '';
}

function countryProblem(country: unknown): string | undefined {
  if (typeof country === 'string' && countryNameTable().has(country)) return undefined;
  const text = JSON.stringify(country) ?? String(country);
  const hint =
    typeof country === 'string'
      ? suggestion(country, countryNameTable(), COUNTRY_ALIASES[country.trim().toUpperCase()])
      : '';
  return `${text} is not a country with known public holidays: use an ISO 3166-1 alpha-2 code in capitals, such as 'US' or 'DE'.${hint}`;
}

/** The date-holidays state code of `region` in `country` ('BY' and 'DE-BY' -> 'BY'), or undefined. */
function stateCode(country: string, region: string): string | undefined {
  const states = lookup().getStates(country) ?? {};
  const prefix = `${country}-`;
  const code = region.startsWith(prefix) ? region.slice(prefix.length) : region;
  return Object.hasOwn(states, code) ? code : undefined;
}

function regionProblem(country: string, region: unknown): string | undefined {
  if (typeof region === 'string' && stateCode(country, region) !== undefined) return undefined;
  const text = JSON.stringify(region) ?? String(region);
  const states = namesOf(lookup().getStates(country, 'en'), lookup().getStates(country));
  if (states.size === 0) {
    return `${text} is not a region of ${country}: the holidays of ${country} have no regions, so leave region out`;
  }
  const hint = typeof region === 'string' ? suggestion(region.replace(`${country}-`, ''), states) : '';
  const some = [...states.keys()].slice(0, 5).map((c) => `'${c}'`);
  return `${text} is not a region of ${country}: use its ISO 3166-2 subdivision code, one of ${some.join(', ')}${states.size > 5 ? ', ...' : ''}.${hint}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function dateProblem(date: unknown): string | undefined {
  const text = JSON.stringify(date) ?? String(date);
  const m = typeof date === 'string' ? DATE.exec(date) : null;
  if (m === null) return `${text} is not a date: write 'YYYY-MM-DD', such as '2026-12-24'`;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return `${text} is not a date that exists (${month >= 1 && month <= 12 ? `month ${month} of ${year} has ${daysInMonth(year, month)} days` : 'months are 01 to 12'})`;
  }
  return undefined;
}

/**
 * Problems of a holidays spec, for the validator; empty when valid. `field` is a path relative to
 * the holidays object: 'country' (unknown to date-holidays, with a did-you-mean: 'Germany' -> 'DE'),
 * 'region' (unknown in the country, or given without a country), `dates/${i}` (not 'YYYY-MM-DD',
 * or a date that does not exist such as 2026-02-30), or '' (not an object).
 */
export function holidaysProblems(spec: HolidaysSpec): Problem[] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    return [
      {
        field: '',
        message: "holidays is an object { country?: 'DE', region?: 'BY', dates?: ['YYYY-MM-DD'] }",
      },
    ];
  }
  const problems: Problem[] = [];
  const { country, region, dates } = spec;
  const badCountry = country === undefined ? undefined : countryProblem(country);
  if (badCountry !== undefined) problems.push({ field: 'country', message: badCountry });
  if (region !== undefined) {
    if (country === undefined) {
      problems.push({
        field: 'region',
        message: 'a region needs its country: add country, such as "DE" for region "BY"',
      });
    } else if (badCountry === undefined) {
      const badRegion = regionProblem(country, region);
      if (badRegion !== undefined) problems.push({ field: 'region', message: badRegion });
    }
  }
  if (dates !== undefined) {
    if (!Array.isArray(dates)) {
      problems.push({ field: 'dates', message: "dates must be an array of 'YYYY-MM-DD' dates" });
    } else {
      dates.forEach((date: unknown, i) => {
        const bad = dateProblem(date);
        if (bad !== undefined) problems.push({ field: `dates/${i}`, message: bad });
      });
    }
  }
  return problems;
}

// Public holiday dates per (country, state, year): date-holidays computes a year in milliseconds.
const PUBLIC_DATES = new Map<string, ReadonlySet<string>>();
const MAX_CACHED_YEARS = 2_000;

function publicHolidayDates(country: string, state: string | undefined, year: number): ReadonlySet<string> {
  const key = `${country}/${state ?? ''}/${year}`;
  let dates = PUBLIC_DATES.get(key);
  if (dates === undefined) {
    const holidays = state === undefined ? new (Holidays())(country) : new (Holidays())(country, state);
    // `date` is the local date of the holiday ('YYYY-MM-DD hh:mm:ss'), substitute days included;
    // only type 'public' counts: observances (Valentine's Day) and bank holidays do not.
    dates = new Set(
      holidays
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    if (PUBLIC_DATES.size >= MAX_CACHED_YEARS) PUBLIC_DATES.clear();
    PUBLIC_DATES.set(key, dates);
  }
  return dates;
}

/**
 * The calendar of a holidays spec: a local date is a holiday when it is the `date` of a public
 * holiday (type 'public' only, substitute days included) of the country and region in date-holidays,
 * or is listed in `dates`. Public holidays are computed once per (country, region, year).
 *
 * @throws InvalidHolidaysError when holidaysProblems(spec) is non-empty.
 */
export function holidayCalendar(spec: HolidaysSpec): HolidayCalendar {
  const problems = holidaysProblems(spec);
  if (problems.length > 0) throw new InvalidHolidaysError(problems);
  const listed = new Set(spec.dates ?? []);
  const country = spec.country;
  const state =
    country !== undefined && spec.region !== undefined ? stateCode(country, spec.region) : undefined;
  return {
    isHoliday(localDate: string): boolean {
      if (listed.has(localDate)) return true;
      if (country === undefined) return false;
      const year = Number(localDate.slice(0, 4));
      if (!Number.isInteger(year) || !DATE.test(localDate)) {
        throw new RangeError(`isHoliday: ${JSON.stringify(localDate)} is not a 'YYYY-MM-DD' date`);
      }
      return publicHolidayDates(country, state, year).has(localDate);
    },
  };
}
