import { describe, expect, it } from 'vitest';
import { parseAnalyticsRange } from './analytics-range.ts';

describe('parseAnalyticsRange', () => {
  it('reads two ISO instants with offsets', () => {
    const parsed = parseAnalyticsRange({ from: '2026-01-01T00:00:00Z', to: '2026-01-31T12:00:00+02:00' });
    expect(parsed).toEqual({
      ok: true,
      range: { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-31T10:00:00Z') },
    });
  });

  it('accepts exactly 366 days and an empty range', () => {
    expect(parseAnalyticsRange({ from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }).ok).toBe(true);
    expect(parseAnalyticsRange({ from: '2024-01-01T00:00:00Z', to: '2024-01-01T00:00:00Z' }).ok).toBe(true);
  });

  it.each([
    [{ to: '2026-01-01T00:00:00Z' }, /from is required/],
    [{ from: '2026-01-01T00:00:00Z' }, /to is required/],
    [{ from: '2026-01-01', to: '2026-01-02T00:00:00Z' }, /from "2026-01-01" is not an ISO 8601 instant/],
    [{ from: '2026-01-01T00:00:00', to: '2026-01-02T00:00:00Z' }, /with an offset/],
    [{ from: '2026-02-30T00:00:00Z', to: '2026-03-02T00:00:00Z' }, /not an ISO 8601 instant/],
    [{ from: ['a'], to: '2026-01-02T00:00:00Z' }, /from is required/],
    [{ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, /is before from/],
    [{ from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00.001Z' }, /more than 366 days/],
  ])('refuses %j', (query, detail) => {
    const parsed = parseAnalyticsRange(query);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.detail).toMatch(detail);
  });
});
