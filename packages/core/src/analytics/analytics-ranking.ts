import type { ShapeStats, VariantStats } from './analytics-results.ts';
import { twoProportionZTest } from './z-test.ts';

/** Null sorts after every number; higher first. */
function desc(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return b - a;
}

/**
 * Plan shapes ranked as issue 14 asks: by conversion rate, then reply rate (highest first, null last),
 * then by campaign count (more evidence first), then by fingerprint so the order is stable.
 */
export function rankShapes(shapes: readonly ShapeStats[]): ShapeStats[] {
  return [...shapes].sort(
    (a, b) =>
      desc(a.conversionRate, b.conversionRate) ||
      desc(a.replyRate, b.replyRate) ||
      b.campaigns - a.campaigns ||
      (a.shape < b.shape ? -1 : a.shape > b.shape ? 1 : 0),
  );
}

/** A variant's campaign counts, before its tests. */
export type VariantCounts = Omit<VariantStats, 'replyTest' | 'openTest'>;

/**
 * The variants with their tests: each one after the first gets the pooled two-proportion z-test of its
 * reply rate and of its open rate (campaigns with a genuine reply or open over campaigns) against the
 * first's; the first gets null for both, as does a pair with a cell under 5.
 */
export function withVariantTests(variants: readonly VariantCounts[]): VariantStats[] {
  const control = variants[0];
  return variants.map((v, i) => ({
    ...v,
    replyTest:
      i === 0 || !control
        ? null
        : twoProportionZTest(control.campaignsReplied, control.campaigns, v.campaignsReplied, v.campaigns),
    openTest:
      i === 0 || !control
        ? null
        : twoProportionZTest(control.campaignsOpened, control.campaigns, v.campaignsOpened, v.campaigns),
  }));
}
