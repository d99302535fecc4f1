/**
 * The q-quantile (0 ≤ q ≤ 1) of `values` by linear interpolation between closest ranks (Hyndman and
 * Fan's type 7, what Postgres's `percentile_cont` computes): h = (n − 1)q, the value at floor(h) plus
 * (h − floor(h)) times the step to the next. `null` for no values. `values` need not be sorted.
 */
export function percentile(values: readonly number[], q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`percentile: q must be within [0, 1], got ${q}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const low = sorted[lo] as number;
  const high = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return low + (h - lo) * (high - low);
}

/** The quantiles every analytics distribution reports. */
export const REPORTED_QUANTILES = [0.5, 0.9, 0.99] as const;

/** A distribution as analytics answers it: how many values and their p50, p90, p99 (null when none). */
export interface Distribution {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/** `values` summarized as a Distribution (see `percentile`). */
export function distributionOf(values: readonly number[]): Distribution {
  return {
    count: values.length,
    p50: percentile(values, 0.5),
    p90: percentile(values, 0.9),
    p99: percentile(values, 0.99),
  };
}
