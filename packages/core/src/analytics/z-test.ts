/*
 * The two-proportion z-test of experiment variants (issue 14 item 4): each variant against the first,
 * two-sided, with the pooled proportion.
 */

/**
 * The standard normal CDF Φ(x), by the complementary error function of Numerical Recipes (`erfcc`, a
 * Chebyshev fit; fractional error under 1.2e-7 everywhere): Φ(x) = erfc(-x / √2) / 2.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** A test's outcome: z (positive when the second proportion is the higher) and its two-sided p-value. */
export interface ZTestResult {
  z: number;
  p: number;
}

/** Under this many successes or failures in any cell the normal approximation is not trusted. */
export const MIN_CELL = 5;

/**
 * The pooled two-proportion z-test of `x2 / n2` against `x1 / n1`: p̂ = (x1 + x2) / (n1 + n2),
 * z = (x2/n2 − x1/n1) / √(p̂(1 − p̂)(1/n1 + 1/n2)), p = 2(1 − Φ(|z|)). `null` when any of the four cells
 * (x1, n1 − x1, x2, n2 − x2) is under MIN_CELL. Throws on counts that are not integers with 0 ≤ x ≤ n.
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): ZTestResult | null {
  for (const [x, n] of [
    [x1, n1],
    [x2, n2],
  ] as const) {
    if (!Number.isSafeInteger(x) || !Number.isSafeInteger(n) || x < 0 || x > n) {
      throw new RangeError(`twoProportionZTest: ${x} successes of ${n} is not a count`);
    }
  }
  if (Math.min(x1, n1 - x1, x2, n2 - x2) < MIN_CELL) return null;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = (x2 / n2 - x1 / n1) / se;
  // The approximation puts Φ(0) a hair under 0.5; a p-value is a probability.
  return { z, p: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))) };
}
