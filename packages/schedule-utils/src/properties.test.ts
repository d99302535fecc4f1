// Property-based tests. Every oracle here reads local times through luxon's DateTime (its own
// zone conversion) and finds instants by brute-force scanning, independently of the offset
// arithmetic the package implements.
import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addDuration } from './add-duration.ts';
import type { LocalDateTime } from './local-time.ts';
import { resolveLocalTime } from './local-time.ts';
import type { QuietHours } from './quiet-hours.ts';
import { applyQuietHours, isQuietTime } from './quiet-hours.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const FROM = Date.parse('2024-01-01T00:00:00.000Z');
const TO = Date.parse('2031-01-01T00:00:00.000Z');

const ZONES = [
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'America/Los_Angeles',
  'Australia/Sydney',
  'UTC',
] as const;

/** Instants in [FROM, TO) at which the zone's UTC offset changes, found by bisection on tz data. */
function transitionsOf(zone: string): number[] {
  const z = IANAZone.create(zone);
  const found: number[] = [];
  for (let t = FROM; t < TO; t += DAY) {
    if (z.offset(t) === z.offset(t + DAY)) continue;
    let lo = t;
    let hi = t + DAY;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (z.offset(mid) === z.offset(lo)) lo = mid;
      else hi = mid;
    }
    found.push(hi);
  }
  return found;
}

const TRANSITIONS = new Map<string, number[]>(ZONES.map((zone) => [zone, transitionsOf(zone)]));

function transitions(zone: string): number[] {
  return TRANSITIONS.get(zone) ?? [];
}

it('the zones under test have the transitions the properties rely on', () => {
  // Two a year for 7 years in each DST zone, none in Kolkata and UTC.
  expect(transitions('America/New_York')).toHaveLength(14);
  expect(transitions('Australia/Lord_Howe')).toHaveLength(14);
  expect(transitions('Pacific/Chatham')).toHaveLength(14);
  expect(transitions('Asia/Kolkata')).toHaveLength(0);
  // New York springs forward at 2026-03-08T07:00Z.
  expect(transitions('America/New_York')).toContain(Date.parse('2026-03-08T07:00:00.000Z'));
});

const zoneArb = fc.constantFrom(...ZONES);

/** Instants over 2024-2030, half of them within 36 h of a transition, some on whole minutes. */
function instantArb(zone: string): fc.Arbitrary<number> {
  const uniform = fc.integer({ min: FROM, max: TO - 1 });
  const ts = transitions(zone);
  const near =
    ts.length === 0
      ? uniform
      : fc
          .tuple(fc.constantFrom(...ts), fc.integer({ min: -36 * HOUR, max: 36 * HOUR }))
          .map(([t, delta]) => t + delta);
  const any = fc.oneof(uniform, near);
  return fc.oneof(
    any,
    any.map((t) => Math.round(t / MINUTE) * MINUTE),
  );
}

const zoneAndInstantArb = zoneArb.chain((zone) => instantArb(zone).map((instant) => ({ zone, instant })));

const two = (n: number) => String(n).padStart(2, '0');

// Biased towards the small hours, where DST transitions happen.
const timeOfDayArb = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 3 })),
    fc.oneof(fc.integer({ min: 0, max: 59 }), fc.constantFrom(0, 15, 30, 45)),
  )
  .map(([h, m]) => `${two(h)}:${two(m)}`);

const quietArb: fc.Arbitrary<QuietHours> = fc
  .tuple(timeOfDayArb, timeOfDayArb)
  .filter(([start, end]) => start !== end)
  .map(([start, end]) => ({ start, end }));

function local(ms: number, zone: string): DateTime {
  return DateTime.fromMillis(ms, { zone });
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
}

/** Quiet per luxon's local time, to the millisecond. */
function oracleQuiet(ms: number, zone: string, q: QuietHours): boolean {
  const l = local(ms, zone);
  const t = ((l.hour * 60 + l.minute) * 60 + l.second) * 1000 + l.millisecond;
  const start = minutesOf(q.start) * MINUTE;
  const end = minutesOf(q.end) * MINUTE;
  return start < end ? t >= start && t < end : t >= start || t < end;
}

function showsEnd(ms: number, zone: string, q: QuietHours): boolean {
  const l = local(ms, zone);
  return l.toFormat('HH:mm:ss.SSS') === `${q.end}:00.000`;
}

/**
 * The instant of `end` on the local dates of forward transitions near `from` on which `end` does
 * not exist, shifted forward by the gap (luxon's fromObject shifts a gap time forward whatever
 * its guess of the offset).
 */
function gapShiftedEnds(from: number, zone: string, q: QuietHours): number[] {
  const out: number[] = [];
  for (const t of transitions(zone)) {
    if (t < from - DAY || t > from + 9 * DAY) continue;
    const day = local(t, zone);
    const [hour, minute] = [Number(q.end.slice(0, 2)), Number(q.end.slice(3))];
    const e = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour, minute }, { zone });
    if (e.hour !== hour || e.minute !== minute) out.push(e.toMillis());
  }
  return out;
}

/**
 * Brute force rule 3: the first whole minute after `input` at which the wall clock shows `end`
 * (or the gap-shifted `end` of a day that skips it) and that is not quiet.
 */
function oracleApply(input: number, zone: string, q: QuietHours): number {
  if (!oracleQuiet(input, zone, q)) return input;
  const shifted = gapShiftedEnds(input, zone, q);
  // All offsets of these zones are whole minutes, so every end falls on a whole UTC minute.
  for (let c = Math.floor(input / MINUTE) * MINUTE + MINUTE; c < input + 9 * DAY; c += MINUTE) {
    if ((showsEnd(c, zone, q) || shifted.includes(c)) && !oracleQuiet(c, zone, q)) return c;
  }
  throw new Error('oracle found no end within 9 days');
}

/** A transition in (after, atOrBefore] at which the wall clock left quiet hours. */
function jumpedOut(after: number, atOrBefore: number, zone: string, q: QuietHours): boolean {
  return transitions(zone).some(
    (t) => t > after && t <= atOrBefore && oracleQuiet(t - 1, zone, q) && !oracleQuiet(t, zone, q),
  );
}

interface QuietCase {
  zone: string;
  instant: number;
  q: QuietHours;
}

/** A time of day `shift` minutes after the wall clock of `zone` just before the transition `t`. */
function aroundTransition(t: number, zone: string, shift: number): string {
  const before = local(t - 1, zone);
  const m = (((before.hour * 60 + before.minute + 1 + shift) % 1440) + 1440) % 1440;
  return `${two(Math.floor(m / 60))}:${two(m % 60)}`;
}

// Transition nights: quiet windows starting or ending within 90 minutes of the wall-clock time of
// a transition (so inside gaps and overlaps), and instants from the evening before to just after.
const dstNightArb: fc.Arbitrary<QuietCase> = fc
  .constantFrom(...ZONES.filter((zone) => transitions(zone).length > 0))
  .chain((zone) =>
    fc.record({
      zone: fc.constant(zone),
      t: fc.constantFrom(...transitions(zone)),
      endShift: fc.integer({ min: -90, max: 90 }),
      start: fc.oneof(timeOfDayArb, fc.integer({ min: -90, max: 90 })),
      delta: fc.oneof(
        fc.integer({ min: -4 * HOUR, max: 2 * HOUR }),
        fc.integer({ min: -26 * HOUR, max: 3 * HOUR }),
      ),
      align: fc.boolean(),
    }),
  )
  .map(({ zone, t, endShift, start, delta, align }) => ({
    zone,
    instant: align ? Math.round((t + delta) / MINUTE) * MINUTE : t + delta,
    q: {
      start: typeof start === 'string' ? start : aroundTransition(t, zone, start),
      end: aroundTransition(t, zone, endShift),
    },
  }))
  .filter(({ q }) => q.start !== q.end);

const quietCaseArb: fc.Arbitrary<QuietCase> = fc.oneof(
  fc.tuple(zoneAndInstantArb, quietArb).map(([{ zone, instant }, q]) => ({ zone, instant, q })),
  dstNightArb,
);

// Hand-picked inputs always run first: end in a gap, a second pass of an overlap, a fall-back
// leaving the window, a gap-shifted end that is itself quiet.
const QUIET_EXAMPLES: QuietCase[] = [
  {
    zone: 'America/New_York',
    instant: Date.parse('2026-03-08T04:00:00.000Z'),
    q: { start: '22:00', end: '02:30' },
  },
  {
    zone: 'America/New_York',
    instant: Date.parse('2026-11-01T06:15:00.000Z'),
    q: { start: '22:00', end: '01:30' },
  },
  {
    zone: 'America/New_York',
    instant: Date.parse('2026-11-01T05:45:00.000Z'),
    q: { start: '01:30', end: '07:00' },
  },
  {
    zone: 'America/New_York',
    instant: Date.parse('2026-11-01T05:50:00.000Z'),
    q: { start: '01:45', end: '01:15' },
  },
  {
    zone: 'Australia/Lord_Howe',
    instant: Date.parse('2026-10-03T15:00:00.000Z'),
    q: { start: '02:45', end: '02:15' },
  },
  {
    zone: 'Australia/Lord_Howe',
    instant: Date.parse('2026-10-03T11:00:00.000Z'),
    q: { start: '21:00', end: '02:15' },
  },
  {
    zone: 'Pacific/Chatham',
    instant: Date.parse('2026-09-26T13:00:00.000Z'),
    q: { start: '22:00', end: '03:00' },
  },
  {
    zone: 'Europe/London',
    instant: Date.parse('2026-10-25T01:10:00.000Z'),
    q: { start: '22:00', end: '01:30' },
  },
];

describe('applyQuietHours properties', () => {
  const params = { numRuns: 400, examples: QUIET_EXAMPLES.map((c): [QuietCase] => [c]) };

  it('the result is never quiet and never earlier than the input; outside quiet hours it is the input', () => {
    fc.assert(
      fc.property(quietCaseArb, ({ zone, instant, q }) => {
        const result = applyQuietHours(new Date(instant), zone, q).getTime();
        expect(oracleQuiet(result, zone, q)).toBe(false);
        expect(isQuietTime(new Date(result), zone, q)).toBe(false);
        expect(result).toBeGreaterThanOrEqual(instant);
        if (!oracleQuiet(instant, zone, q)) expect(result).toBe(instant);
      }),
      params,
    );
  });

  it('every instant between input and result is quiet, unless a DST transition left the window first', () => {
    fc.assert(
      fc.property(
        quietCaseArb,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
        ({ zone, instant, q }, fractions) => {
          const result = applyQuietHours(new Date(instant), zone, q).getTime();
          if (result === instant) return;
          // result - 1 ms is checked too.
          const samples = [...fractions.map((f) => instant + Math.floor(f * (result - instant))), result - 1];
          for (const x of samples) {
            if (x <= instant || x >= result) continue;
            // The exception is DESIGN rule 3 itself: it waits for `end`, so when the wall clock
            // jumps over `end` (02:30 -> 03:30 EDT) or falls back out of the window, instants after
            // that jump are not quiet yet precede the result.
            expect(oracleQuiet(x, zone, q) || jumpedOut(instant, x, zone, q)).toBe(true);
          }
        },
      ),
      {
        ...params,
        examples: QUIET_EXAMPLES.map((c): [QuietCase, number[]] => [c, [0.1, 0.3, 0.5, 0.7, 0.9]]),
      },
    );
  });

  it('equals the brute-force next end', () => {
    fc.assert(
      fc.property(quietCaseArb, ({ zone, instant, q }) => {
        const result = applyQuietHours(new Date(instant), zone, q).getTime();
        expect(new Date(result).toISOString()).toBe(new Date(oracleApply(instant, zone, q)).toISOString());
      }),
      params,
    );
  });
});

/** Every instant whose luxon local time is `want`, found around luxon's own resolution. */
function occurrences(want: Required<LocalDateTime>, zone: string): { exists: boolean; earliest: number } {
  const guess = DateTime.fromObject(want, { zone }).toMillis();
  const same = [-HOUR, -30 * MINUTE, 0, 30 * MINUTE, HOUR]
    .map((d) => guess + d)
    .filter((t) => {
      const l = local(t, zone);
      return (
        l.year === want.year &&
        l.month === want.month &&
        l.day === want.day &&
        l.hour === want.hour &&
        l.minute === want.minute &&
        l.second === want.second &&
        l.millisecond === want.millisecond
      );
    });
  // A time in a gap does not exist; luxon's guess is then shifted forward by the gap.
  return same.length === 0
    ? { exists: false, earliest: guess }
    : { exists: true, earliest: Math.min(...same) };
}

describe('addDuration properties', () => {
  it('P{n}D keeps the local wall clock when it exists on the target day, else shifts forward by the gap', () => {
    fc.assert(
      fc.property(zoneAndInstantArb, fc.integer({ min: 1, max: 800 }), ({ zone, instant }, n) => {
        const start = local(instant, zone);
        // The target date by plain calendar arithmetic on the local date.
        const target = new Date(Date.UTC(start.year, start.month - 1, start.day + n));
        const want = {
          year: target.getUTCFullYear(),
          month: target.getUTCMonth() + 1,
          day: target.getUTCDate(),
          hour: start.hour,
          minute: start.minute,
          second: start.second,
          millisecond: start.millisecond,
        };
        const result = addDuration(new Date(instant), `P${n}D`, zone).getTime();
        const { exists, earliest } = occurrences(want, zone);
        if (exists) {
          const l = local(result, zone);
          expect(l.toFormat('yyyy-MM-dd HH:mm:ss.SSS')).toBe(
            `${want.year}-${two(want.month)}-${two(want.day)} ${two(want.hour)}:${two(want.minute)}:${two(want.second)}.${String(want.millisecond).padStart(3, '0')}`,
          );
        }
        expect(new Date(result).toISOString()).toBe(new Date(earliest).toISOString());
      }),
      { numRuns: 500 },
    );
  });

  it('P0D and PT0S return the input, even in the repeated hour of a fall-back', () => {
    fc.assert(
      fc.property(zoneAndInstantArb, fc.constantFrom('P0D', 'PT0S'), ({ zone, instant }, iso) => {
        expect(addDuration(new Date(instant), iso, zone).getTime()).toBe(instant);
      }),
      { numRuns: 200 },
    );
  });

  it('PT{n}H is n * 3 600 000 ms of elapsed time', () => {
    fc.assert(
      fc.property(zoneAndInstantArb, fc.integer({ min: 0, max: 100_000 }), ({ zone, instant }, n) => {
        expect(addDuration(new Date(instant), `PT${n}H`, zone).getTime() - instant).toBe(n * HOUR);
      }),
      { numRuns: 500 },
    );
  });
});

describe('resolveLocalTime properties', () => {
  it('gives the earliest instant showing the local time, or shifts a gap time forward', () => {
    const localArb = fc.record({
      year: fc.integer({ min: 2024, max: 2030 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.oneof(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 3 })),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.integer({ min: 0, max: 59 }),
      millisecond: fc.integer({ min: 0, max: 999 }),
    });
    // Transition days, where gaps and overlaps are.
    const onTransitionDay = zoneArb.chain((zone) => {
      const ts = transitions(zone);
      if (ts.length === 0) return localArb.map((l) => ({ zone, l }));
      return fc.tuple(fc.constantFrom(...ts), localArb).map(([t, l]) => {
        const d = local(t, zone);
        return { zone, l: { ...l, year: d.year, month: d.month, day: d.day } };
      });
    });
    fc.assert(
      fc.property(
        fc.oneof(
          zoneArb.chain((zone) => localArb.map((l) => ({ zone, l }))),
          onTransitionDay,
        ),
        ({ zone, l }) => {
          const { earliest } = occurrences(l, zone);
          expect(resolveLocalTime(l, zone).toISOString()).toBe(new Date(earliest).toISOString());
        },
      ),
      { numRuns: 500 },
    );
  });
});
