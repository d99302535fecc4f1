import { describe, expect, it } from 'vitest';
import {
  CLEAR_ZONE_ABBREVIATIONS,
  obviousDuration,
  obviousTimeOfDay,
  obviousZone,
} from './obvious-values.ts';

describe('obviousDuration', () => {
  it.each([
    ['3 days', 'P3D'],
    ['72 hours', 'PT72H'],
    ['1 week', 'P1W'],
    ['30 minutes', 'PT30M'],
    ['72h', 'PT72H'],
    ['2 Weeks', 'P2W'],
    ['1 day 12 hours', 'P1DT12H'],
    ['1 day, 12 hrs and 30 mins', 'P1DT12H30M'],
    ['6 months', 'P6M'],
    ['45 seconds', 'PT45S'],
    ['p3d', 'P3D'],
    [' PT72H ', 'PT72H'],
    ['P0.5D', 'PT12H'],
    ['P1.5W', 'P10DT12H'],
    ['P0.3D', 'PT7H12M'],
  ])('%j means %j', (written, meant) => {
    expect(obviousDuration(written)).toBe(meant);
  });

  it.each<[unknown, string]>([
    ['P3D', 'already valid'],
    ['30m', 'minutes or months'],
    ['3', 'no unit'],
    ['3 fortnights', 'unknown unit'],
    ['1 day 2 days', 'a unit twice'],
    ['1.5 days', 'a fraction of a day is ambiguous'],
    ['P0.5Y', 'a fractional year has no one reading'],
    ['P0.0001D', 'not whole minutes'],
    ['soon', 'no number'],
    ['-3 days', 'negative'],
    [72, 'not a string'],
  ])('%j has no obvious reading (%s)', (written) => {
    expect(obviousDuration(written)).toBeUndefined();
  });
});

describe('obviousTimeOfDay', () => {
  it.each([
    ['9pm', '21:00'],
    ['9 PM', '21:00'],
    ['9:30 p.m.', '21:30'],
    ['7.30am', '07:30'],
    ['12am', '00:00'],
    ['12pm', '12:00'],
    ['9:00', '09:00'],
    ['21:00:00', '21:00'],
    ['21.00', '21:00'],
  ])('%j means %j', (written, meant) => {
    expect(obviousTimeOfDay(written)).toBe(meant);
  });

  it.each(['21:00', '9', '2100', '13pm', '0am', '9:75', '25:00', 'noon', ''])('%j has no fix', (written) => {
    expect(obviousTimeOfDay(written)).toBeUndefined();
  });
});

describe('obviousZone', () => {
  it('maps an abbreviation with one reading, in any case', () => {
    expect(obviousZone('PST')).toBe('America/Los_Angeles');
    expect(obviousZone('pdt')).toBe('America/Los_Angeles');
    expect(obviousZone('JST')).toBe('Asia/Tokyo');
    expect(obviousZone('US/Pacific-New')).toBe('America/Los_Angeles');
  });

  it('never fixes the abbreviations DESIGN names ambiguous: BST, IST, CST', () => {
    for (const name of ['BST', 'IST', 'CST', 'CDT', 'AST', 'ECT', 'SST', 'Mars/Olympus_Mons']) {
      expect(obviousZone(name)).toBeUndefined();
    }
  });

  it('never fixes a name that is already an IANA zone', () => {
    expect(obviousZone('EST')).toBeUndefined();
    expect(Object.keys(CLEAR_ZONE_ABBREVIATIONS)).not.toContain('UTC');
  });
});
