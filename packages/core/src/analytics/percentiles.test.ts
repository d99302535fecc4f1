import { describe, expect, it } from 'vitest';
import { distributionOf, percentile } from './percentiles.ts';

describe('percentile (type 7, as Postgres percentile_cont)', () => {
  it('interpolates between closest ranks', () => {
    // 1..10: h = 9q; the median is halfway between 5 and 6; p90 at h = 8.1.
    const values = [10, 3, 1, 7, 2, 9, 4, 8, 6, 5];
    expect(percentile(values, 0.5)).toBe(5.5);
    expect(percentile(values, 0.9)).toBeCloseTo(9.1, 12);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 1)).toBe(10);
  });

  it('one value is every percentile; none is null', () => {
    expect(percentile([42], 0.99)).toBe(42);
    expect(percentile([], 0.5)).toBeNull();
    expect(distributionOf([])).toEqual({ count: 0, p50: null, p90: null, p99: null });
  });

  it('refuses a q outside [0, 1]', () => {
    expect(() => percentile([1], 1.5)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('summarizes a distribution', () => {
    expect(distributionOf([500, 2000, 60000])).toEqual({ count: 3, p50: 2000, p90: 48400, p99: 58840 });
  });
});
