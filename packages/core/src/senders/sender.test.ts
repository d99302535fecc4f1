import { describe, expect, it } from 'vitest';
import { effectiveDailyCap, localDayRange } from './sender.ts';

/*
 * Warm-up (DESIGN section 11): on the sender's local day k since creation the daily cap is
 * min(daily, floor(start + (daily - start) * k / days)). Expected values worked out by hand.
 */

const created = new Date('2026-03-02T10:00:00.000Z'); // 11:00 in Berlin, local day 0 = 2 March
const sender = (warmup: { start: number; days: number } | null, daily = 100) => ({
  caps: { daily },
  warmup,
  timezone: 'Europe/Berlin',
  createdAt: created,
});
const dayAfter = (k: number) => new Date(created.getTime() + k * 86_400_000);

describe('effectiveDailyCap', () => {
  it('is the daily cap without a warm-up', () => {
    expect(effectiveDailyCap(sender(null), created)).toBe(100);
  });

  it('grows linearly from start to daily over the warm-up days, then stays at daily', () => {
    const s = sender({ start: 10, days: 9 });
    // 10 + 90k/9 = 10 + 10k
    expect([0, 1, 4, 8, 9, 20].map((k) => effectiveDailyCap(s, dayAfter(k)))).toEqual([
      10, 20, 50, 90, 100, 100,
    ]);
  });

  it('rounds down: start 10, daily 50 over 3 days gives 10, 23, 36, 50', () => {
    const s = sender({ start: 10, days: 3 }, 50);
    // 10 + 40/3 = 23.33, 10 + 80/3 = 36.67
    expect([0, 1, 2, 3].map((k) => effectiveDailyCap(s, dayAfter(k)))).toEqual([10, 23, 36, 50]);
  });

  it("counts the sender's local days, not UTC days", () => {
    const late = { ...sender({ start: 10, days: 9 }), createdAt: new Date('2026-03-02T22:30:00.000Z') }; // 23:30 Berlin
    // 23:30 UTC is 00:30 on 3 March in Berlin: local day 1 although the UTC date is still 2 March.
    expect(effectiveDailyCap(late, new Date('2026-03-02T23:30:00.000Z'))).toBe(20);
    expect(effectiveDailyCap(late, new Date('2026-03-02T22:59:59.999Z'))).toBe(10);
  });
});

describe('localDayRange', () => {
  it('is the local midnight to the next one, 23 hours on the spring-forward day', () => {
    // Berlin goes from 02:00 to 03:00 on 29 March 2026.
    const { start, end } = localDayRange('Europe/Berlin', new Date('2026-03-29T12:00:00.000Z'));
    expect(start.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(end.toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });
});
