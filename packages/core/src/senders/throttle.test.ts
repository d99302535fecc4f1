import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveDailyCap as dailyCapAt } from './sender.ts';
import {
  type ContactFrequencyCap,
  InvalidContactFrequencyCapError,
  parseContactFrequencyCap,
  type ThrottledSender,
  type ThrottleInput,
  throttleDecision,
  usageDayStart,
} from './throttle.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const anyTime = (t: Date) => t;
const d = (iso: string) => new Date(iso);

function sender(caps: ThrottledSender['caps'], more: Partial<ThrottledSender> = {}): ThrottledSender {
  return { timezone: 'UTC', caps, warmup: null, createdAt: d('2026-01-01T00:00:00Z'), ...more };
}

function input(more: Partial<ThrottleInput> & { now: Date }): ThrottleInput {
  return {
    sender: null,
    usage: { today: 0, lastHour: [], last: null },
    contactSends: [],
    nextAllowed: anyTime,
    ...more,
  };
}

describe('CONTACT_FREQUENCY_CAP', () => {
  it('parses N/duration', () => {
    expect(parseContactFrequencyCap('2/P7D')).toEqual({ count: 2, window: 'P7D' });
    expect(parseContactFrequencyCap('10/PT12H')).toEqual({ count: 10, window: 'PT12H' });
  });

  it.each(['', '2', '0/P7D', '-1/P7D', '2/7D', '2/P0D', 'two/P7D', '2/P7D/3', '1.5/P1D'])(
    'refuses %j, naming the variable',
    (value) => {
      expect(() => parseContactFrequencyCap(value)).toThrow(InvalidContactFrequencyCapError);
      expect(() => parseContactFrequencyCap(value)).toThrow(/CONTACT_FREQUENCY_CAP/);
    },
  );
});

describe('warm-up (DESIGN section 11)', () => {
  // start 10, daily 100, 9 days: day k has floor(10 + 90k/9) = 10 + 10k, capped at 100.
  const warm = sender({ daily: 100 }, { warmup: { start: 10, days: 9 }, timezone: 'America/New_York' });
  it('grows linearly from start to daily over the days, on the sender local day', () => {
    // Created 2026-01-01T00:00Z = Dec 31 19:00 New York: local day 0 is Dec 31.
    expect(dailyCapAt(warm, d('2026-01-01T04:59:00Z'))).toBe(10); // still Dec 31 local
    expect(dailyCapAt(warm, d('2026-01-01T05:00:00Z'))).toBe(20); // Jan 1 local, k = 1
    expect(dailyCapAt(warm, d('2026-01-05T12:00:00Z'))).toBe(60); // k = 5
    expect(dailyCapAt(warm, d('2026-01-09T12:00:00Z'))).toBe(100); // k = 9
    expect(dailyCapAt(warm, d('2026-03-01T12:00:00Z'))).toBe(100);
  });
  it('floors: start 1, daily 10, 4 days gives 1, 3, 5, 7, 10', () => {
    const s = sender({ daily: 10 }, { warmup: { start: 1, days: 4 } });
    const caps = [0, 1, 2, 3, 4].map((k) => dailyCapAt(s, new Date(Date.UTC(2026, 0, 1 + k, 12))));
    expect(caps).toEqual([1, 3, 5, 7, 10]); // 1 + 9k/4 = 1, 3.25, 5.5, 7.75, 10
  });
});

describe('throttleDecision, hand-worked', () => {
  const now = d('2026-02-10T15:00:00Z');

  it('sends when every cap holds', () => {
    const s = sender({ daily: 3, hourly: 2, minGap: 'PT10M' });
    const usage = { today: 2, lastHour: [d('2026-02-10T14:40:00Z')], last: d('2026-02-10T14:40:00Z') };
    expect(throttleDecision(input({ sender: s, usage, now }))).toEqual({ kind: 'send' });
  });

  it('daily cap: waits for the next local midnight of the sender zone', () => {
    const s = sender({ daily: 3 }, { timezone: 'Europe/Berlin' });
    const usage = { today: 3, lastHour: [], last: d('2026-02-10T09:00:00Z') };
    // Berlin is UTC+1 in February: the next local day begins 2026-02-10T23:00Z.
    expect(throttleDecision(input({ sender: s, usage, now }))).toEqual({
      kind: 'defer',
      until: d('2026-02-10T23:00:00Z'),
      reason: 'sender_daily_cap',
    });
    expect(usageDayStart(s, now)).toEqual(d('2026-02-09T23:00:00Z'));
  });

  it('hourly cap over a rolling 60 minutes: the slot frees when the oldest counted send is 60 minutes old', () => {
    const s = sender({ daily: 100, hourly: 2 });
    const lastHour = [d('2026-02-10T14:50:00Z'), d('2026-02-10T14:20:00Z')];
    const usage = { today: 5, lastHour, last: d('2026-02-10T14:50:00Z') };
    expect(throttleDecision(input({ sender: s, usage, now }))).toEqual({
      kind: 'defer',
      until: d('2026-02-10T15:20:00Z'),
      reason: 'sender_hourly_cap',
    });
  });

  it('min gap: the last send plus the gap', () => {
    const s = sender({ daily: 100, minGap: 'PT0.05S' });
    const usage = { today: 1, lastHour: [now], last: new Date(now.getTime() - 20) };
    expect(throttleDecision(input({ sender: s, usage, now }))).toEqual({
      kind: 'defer',
      until: new Date(now.getTime() + 30),
      reason: 'sender_min_gap',
    });
  });

  it('contact cap 2/P7D: the third message waits until the older of the two is 7 days old', () => {
    const contactCap: ContactFrequencyCap = { count: 2, window: 'P7D' };
    const contactSends = [d('2026-02-05T09:00:00Z'), d('2026-02-08T09:00:00Z')];
    expect(throttleDecision(input({ contactCap, contactSends, now }))).toEqual({
      kind: 'defer',
      until: d('2026-02-12T09:00:00Z'),
      reason: 'contact_frequency_cap',
    });
    // One of them older than 7 days: the send goes.
    const older = [d('2026-02-03T14:59:59Z'), d('2026-02-08T09:00:00Z')];
    expect(throttleDecision(input({ contactCap, contactSends: older, now }))).toEqual({ kind: 'send' });
  });

  it('until satisfies every cap and section 10 at once, reason is the first cap failing now', () => {
    // Min gap frees at 15:05, the hourly cap at 15:30, and sends are allowed only from 16:00.
    const s = sender({ daily: 100, hourly: 1, minGap: 'PT5M' });
    const usage = { today: 1, lastHour: [d('2026-02-10T14:30:00Z')], last: d('2026-02-10T14:30:00Z') };
    const sixteen = d('2026-02-10T16:00:00Z').getTime();
    const nextAllowed = (t: Date) => (t.getTime() >= sixteen ? t : new Date(sixteen));
    expect(throttleDecision(input({ sender: s, usage, now, nextAllowed }))).toEqual({
      kind: 'defer',
      until: new Date(sixteen),
      reason: 'sender_hourly_cap',
    });
  });

  it('a daily cap reached late in the day, then a quiet night: the next allowed instant of the next day', () => {
    const s = sender({ daily: 1 });
    const usage = { today: 1, lastHour: [], last: d('2026-02-10T08:00:00Z') };
    // Allowed only 08:00-20:00 UTC.
    const nextAllowed = (t: Date) => {
      const h = t.getUTCHours();
      if (h >= 8 && h < 20) return t;
      const n = new Date(t);
      if (h >= 20) n.setUTCDate(n.getUTCDate() + 1);
      n.setUTCHours(8, 0, 0, 0);
      return n;
    };
    expect(throttleDecision(input({ sender: s, usage, now, nextAllowed }))).toEqual({
      kind: 'defer',
      until: d('2026-02-11T08:00:00Z'),
      reason: 'sender_daily_cap',
    });
  });

  it('slots promised on later days count: a full tomorrow moves to the day after', () => {
    const s = sender({ daily: 2 });
    const tomorrow = Math.floor(d('2026-02-11T12:00:00Z').getTime() / 86_400_000);
    const usage = { today: 2, lastHour: [], last: null, byDay: new Map([[tomorrow, 2]]) };
    expect(throttleDecision(input({ sender: s, usage, now }))).toEqual({
      kind: 'defer',
      until: d('2026-02-12T00:00:00Z'),
      reason: 'sender_daily_cap',
    });
  });

  it('no allowed instant: until null', () => {
    const s = sender({ daily: 1 });
    const usage = { today: 1, lastHour: [], last: null };
    expect(throttleDecision(input({ sender: s, usage, now, nextAllowed: () => null }))).toEqual({
      kind: 'defer',
      until: null,
      reason: 'sender_daily_cap',
    });
  });

  it('a warm-up cap of 0 moves to the first day with a slot', () => {
    // start 0, daily 3, 3 days: day 0 has 0, day 1 has 1.
    const s = sender({ daily: 3 }, { warmup: { start: 0, days: 3 }, createdAt: d('2026-02-10T01:00:00Z') });
    const decision = throttleDecision(input({ sender: s, now }));
    expect(decision).toEqual({ kind: 'defer', until: d('2026-02-11T00:00:00Z'), reason: 'sender_daily_cap' });
  });
});

/* Property: a brute-force simulation of sends at random instants, each asking the decision, never puts
 * more than a cap into any window, and every `until` is the first instant (to the ms) at which the
 * decision says send. The oracle counts windows directly from the history. */
describe('throttleDecision, properties', () => {
  const T0 = Date.parse('2026-03-01T00:00:00Z');
  const gapMs = 7 * MINUTE;

  function decide(caps: { daily: number; hourly: number; contact: number }, history: number[], t: number) {
    const s = sender(
      { daily: caps.daily, hourly: caps.hourly, minGap: 'PT7M' },
      { timezone: 'Asia/Kolkata' },
    );
    const dayStart = usageDayStart(s, new Date(t)).getTime();
    const past = history.filter((h) => h <= t);
    return throttleDecision({
      sender: s,
      usage: {
        today: past.filter((h) => h >= dayStart).length,
        lastHour: past.filter((h) => h > t - HOUR).map((h) => new Date(h)),
        last: past.length > 0 ? new Date(Math.max(...past)) : null,
      },
      contactCap: { count: caps.contact, window: 'PT6H' },
      contactSends: past.filter((h) => h > t - 6 * HOUR).map((h) => new Date(h)),
      now: new Date(t),
      nextAllowed: anyTime,
    });
  }

  it('never grants over a cap, and until is exactly the first instant that grants', () => {
    fc.assert(
      fc.property(
        fc.record({
          daily: fc.integer({ min: 1, max: 6 }),
          hourly: fc.integer({ min: 1, max: 4 }),
          contact: fc.integer({ min: 1, max: 5 }),
        }),
        fc.array(fc.integer({ min: 0, max: 3 * 24 * 60 }), { minLength: 1, maxLength: 60 }),
        (caps, minutes) => {
          const history: number[] = [];
          for (const t of [...minutes].sort((a, b) => a - b).map((m) => T0 + m * MINUTE)) {
            const decision = decide(caps, history, t);
            if (decision.kind === 'send') {
              history.push(t);
              continue;
            }
            const until = decision.until?.getTime();
            expect(until).toBeGreaterThan(t);
            if (until === undefined) continue;
            expect(decide(caps, history, until).kind).toBe('send');
            expect(decide(caps, history, until - 1).kind).toBe('defer');
          }
          // Oracle: every window of the history, counted directly (Kolkata is UTC+05:30, no DST).
          const kolkataDay = (h: number) => Math.floor((h + 5.5 * HOUR) / 86_400_000);
          for (const [i, h] of history.entries()) {
            expect(history.filter((o) => kolkataDay(o) === kolkataDay(h)).length).toBeLessThanOrEqual(
              caps.daily,
            );
            expect(history.filter((o) => o <= h && o > h - HOUR).length).toBeLessThanOrEqual(caps.hourly);
            expect(history.filter((o) => o <= h && o > h - 6 * HOUR).length).toBeLessThanOrEqual(
              caps.contact,
            );
            if (i > 0) expect(h - (history[i - 1] as number)).toBeGreaterThanOrEqual(gapMs);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
