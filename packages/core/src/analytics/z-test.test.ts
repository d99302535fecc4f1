import { describe, expect, it } from 'vitest';
import { normalCdf, twoProportionZTest } from './z-test.ts';

describe('normalCdf', () => {
  // Tabulated values of the standard normal CDF (Abramowitz and Stegun, table 26.1).
  it.each([
    [0, 0.5],
    [0.5, 0.6914624613],
    [1, 0.8413447461],
    [1.645, 0.9500150945],
    [1.96, 0.9750021049],
    [2, 0.9772498681],
    [2.5758, 0.9949995763],
    [3, 0.998650102],
    [-1, 0.1586552539],
    [-1.96, 0.0249978951],
    [-3, 0.001349898],
  ])('Φ(%f) = %f', (x, expected) => {
    expect(Math.abs(normalCdf(x) - expected)).toBeLessThan(2e-7);
  });
});

describe('twoProportionZTest (pooled, two-sided)', () => {
  it('the worked example: 120/1000 against 150/1000 gives z = 1.963, p = 0.0496', () => {
    const result = twoProportionZTest(120, 1000, 150, 1000);
    expect(result?.z).toBeCloseTo(1.963, 3);
    expect(result?.p).toBeCloseTo(0.0496, 4);
  });

  it('is antisymmetric in z and symmetric in p', () => {
    const ab = twoProportionZTest(150, 1000, 120, 1000);
    expect(ab?.z).toBeCloseTo(-1.963, 3);
    expect(ab?.p).toBeCloseTo(0.0496, 4);
  });

  it('equal proportions: z = 0, p = 1', () => {
    expect(twoProportionZTest(30, 100, 60, 200)).toEqual({ z: 0, p: 1 });
  });

  it('null when any cell is under 5 (successes or failures of either group)', () => {
    expect(twoProportionZTest(4, 100, 50, 100)).toBeNull();
    expect(twoProportionZTest(50, 100, 96, 100)).toBeNull();
    expect(twoProportionZTest(0, 0, 0, 0)).toBeNull();
    expect(twoProportionZTest(5, 10, 5, 10)).not.toBeNull();
  });

  it('refuses counts that are not counts', () => {
    expect(() => twoProportionZTest(11, 10, 5, 10)).toThrow(RangeError);
    expect(() => twoProportionZTest(-1, 10, 5, 10)).toThrow(RangeError);
    expect(() => twoProportionZTest(1.5, 10, 5, 10)).toThrow(RangeError);
  });
});
