import { describe, expect, it } from 'vitest';
import { rankShapes, type VariantCounts, withVariantTests } from './analytics-ranking.ts';
import { ratesOf, type ShapeStats } from './analytics-results.ts';

const counts = {
  sent: 0,
  delivered: 0,
  opened: 0,
  clicked: 0,
  replied: 0,
  bounced: 0,
  complained: 0,
  unsubscribed: 0,
};
const shape = (
  id: string,
  conversionRate: number | null,
  replyRate: number | null,
  campaigns = 10,
): ShapeStats => ({
  shape: id,
  campaigns,
  conversions: 0,
  conversionRate,
  campaignsReplied: 0,
  replyRate,
  counts,
  rates: ratesOf(counts),
});

describe('rankShapes', () => {
  it('by conversion rate, then reply rate, then campaigns; null last', () => {
    const ranked = rankShapes([
      shape('a', 0.1, 0.5),
      shape('b', 0.2, 0.1),
      shape('c', 0.1, 0.6),
      shape('d', null, 0.9),
      shape('e', 0.1, 0.6, 50),
    ]);
    expect(ranked.map((s) => s.shape)).toEqual(['b', 'e', 'c', 'a', 'd']);
  });
});

describe('withVariantTests', () => {
  const variant = (name: string, campaigns: number, replied: number, opened: number): VariantCounts => ({
    variant: name,
    campaigns,
    campaignsOpened: opened,
    campaignsReplied: replied,
    conversions: 0,
    openRate: opened / campaigns,
    replyRate: replied / campaigns,
    conversionRate: 0,
    counts,
    rates: ratesOf(counts),
  });

  it('tests each variant against the first; the first gets null', () => {
    const [control, b, c] = withVariantTests([
      variant('control', 1000, 120, 400),
      variant('b', 1000, 150, 3),
      variant('c', 1000, 120, 400),
    ]);
    expect(control?.replyTest).toBeNull();
    expect(control?.openTest).toBeNull();
    expect(b?.replyTest?.z).toBeCloseTo(1.963, 3);
    expect(b?.replyTest?.p).toBeCloseTo(0.0496, 4);
    expect(b?.openTest).toBeNull(); // 3 opened: a cell under 5
    expect(c?.replyTest).toEqual({ z: 0, p: 1 });
  });
});

describe('ratesOf', () => {
  it('each count over delivered and over sent; null on a zero denominator', () => {
    const rates = ratesOf({ ...counts, sent: 10, delivered: 8, opened: 4, bounced: 2 });
    expect(rates.opened).toEqual({ overDelivered: 0.5, overSent: 0.4 });
    expect(rates.bounced).toEqual({ overDelivered: 0.25, overSent: 0.2 });
    expect(ratesOf(counts).replied).toEqual({ overDelivered: null, overSent: null });
  });
});
