import { describe, expect, it } from 'vitest';
import { durationCovers } from './index.ts';

describe('durationCovers', () => {
  it.each([
    ['PT72H', 'PT72H', true],
    ['P3D', 'P3D', true],
    ['P4D', 'P3D', true],
    ['P1DT1H', 'PT24H', true], // at least 23 h + 1 h
    ['PT25H', 'P1D', true], // a calendar day is at most 25 h
    ['P1D', 'PT24H', false], // a spring-forward day is 23 h
    ['PT72H', 'P3D', false], // three days across fall-back are 73 h
    ['PT24H', 'P1D', false],
    ['PT1H', 'PT2H', false],
    ['P1M', 'P31D', false], // February
    ['P1M', 'P27D', true],
  ])('%s covers %s: %s', (longer, shorter, expected) => {
    expect(durationCovers(longer, shorter)).toBe(expected);
  });
});
