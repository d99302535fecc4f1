import { nextAllowedInstant } from '@campaign/schedule-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ThrottledSender, ThrottleInput } from './throttle.ts';
import { decideAfter, decideOneByOne, fixedGapMs } from './throttle-queue.ts';

const anyTime = (t: Date) => t;
const d = (iso: string) => new Date(iso);

function sender(caps: ThrottledSender['caps'], timezone = 'UTC'): ThrottledSender {
  return { timezone, caps, warmup: null, createdAt: d('2026-01-01T00:00:00Z') };
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

describe('fixedGapMs', () => {
  it('is the length of a gap without calendar parts, else null', () => {
    expect(fixedGapMs('PT0.05S')).toBe(50);
    expect(fixedGapMs('PT1M30S')).toBe(90_000);
    expect(fixedGapMs('PT2H')).toBe(7_200_000);
    expect(fixedGapMs('P1D')).toBeNull();
    expect(fixedGapMs('P1W')).toBeNull();
  });
});

describe('decideAfter: a send behind others of its sender (DESIGN section 11, due order kept)', () => {
  const now = d('2026-03-02T14:00:00.000Z');

  it('the k-th waiting behind a 50 ms min gap gets the slot k gaps after the first free one', () => {
    const s = sender({ daily: 100_000, minGap: 'PT0.05S' });
    const last = d('2026-03-02T13:59:59.980Z'); // the first free slot is 14:00:00.030
    for (const ahead of [1, 2, 10, 999]) {
      const decision = decideAfter(input({ sender: s, now, usage: { today: 5, lastHour: [], last } }), ahead);
      expect(decision).toEqual({
        kind: 'defer',
        until: new Date(now.getTime() + 30 + 50 * ahead),
        reason: 'sender_min_gap',
      });
    }
  });

  it('the sends ahead take the rest of a daily cap: this one goes to the next local day', () => {
    const s = sender({ daily: 10, minGap: 'PT1S' });
    const decision = decideAfter(input({ sender: s, now, usage: { today: 7, lastHour: [], last: null } }), 3);
    expect(decision).toEqual({ kind: 'defer', until: d('2026-03-03T00:00:00Z'), reason: 'sender_daily_cap' });
  });

  it("the contact's cap is this send's alone: the sends ahead are other contacts'", () => {
    // The contact had one message 10 minutes ago and a cap of 1 per hour: this send waits for 14:50,
    // the two ahead of it take 14:00 and 14:00:01 whatever this contact's cap says.
    const s = sender({ daily: 100, minGap: 'PT1S' });
    const base = input({
      sender: s,
      now,
      contactCap: { count: 1, window: 'PT1H' },
      contactSends: [d('2026-03-02T13:50:00Z')],
    });
    expect(decideAfter(base, 2)).toEqual({
      kind: 'defer',
      until: d('2026-03-02T14:50:00Z'),
      reason: 'sender_min_gap',
    });
    expect(decideOneByOne(base, 2)).toEqual(decideAfter(base, 2));
  });

  it('the closed form agrees with placing the sends ahead one by one', () => {
    const zones = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
    const gaps = ['PT0.05S', 'PT1S', 'PT7S', 'PT1M', 'PT10M'];
    fc.assert(
      fc.property(
        fc.record({
          zone: fc.constantFrom(...zones),
          gap: fc.option(fc.constantFrom(...gaps), { nil: undefined }),
          daily: fc.integer({ min: 1, max: 500 }),
          hourly: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
          // Claims in the last hour, 40 s apart back from now.
          lastHourCount: fc.integer({ min: 0, max: 70 }),
          today: fc.integer({ min: 0, max: 600 }),
          ahead: fc.integer({ min: 0, max: 40 }),
          // Minutes before or after now of the last claim (null: none yet).
          lastOffsetMs: fc.option(fc.integer({ min: -3_600_000, max: 60_000 }), { nil: null }),
          // Around a local midnight, or at a quiet-hours edge of the plan.
          nowIso: fc.constantFrom(
            '2026-03-02T14:00:00.000Z',
            '2026-03-02T23:59:40.000Z',
            '2026-03-08T06:59:30.000Z',
            '2026-03-02T12:59:59.500Z',
          ),
          quiet: fc.boolean(),
          contactCap: fc.boolean(),
        }),
        (c) => {
          const t = new Date(c.nowIso);
          const rules = {
            zone: c.zone,
            ...(c.quiet ? { quietHours: { start: '08:00', end: '08:05' } } : {}),
          };
          const base = input({
            sender: sender(
              {
                daily: c.daily,
                ...(c.gap ? { minGap: c.gap } : {}),
                ...(c.hourly ? { hourly: c.hourly } : {}),
              },
              c.zone,
            ),
            now: t,
            usage: {
              today: c.today,
              lastHour: Array.from(
                { length: c.lastHourCount },
                (_, i) => new Date(t.getTime() - (i + 1) * 40_000),
              ),
              last: c.lastOffsetMs === null ? null : new Date(t.getTime() + c.lastOffsetMs),
            },
            ...(c.contactCap
              ? { contactCap: { count: 1, window: 'PT1H' }, contactSends: [new Date(t.getTime() - 600_000)] }
              : {}),
            nextAllowed: (at) => nextAllowedInstant(at, rules),
          });
          expect(decideAfter(base, c.ahead)).toEqual(decideOneByOne(base, c.ahead));
        },
      ),
      { numRuns: 300 },
    );
  });
});
