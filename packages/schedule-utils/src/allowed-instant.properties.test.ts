// Property tests of the allowed-instant rules (DESIGN section 10) against a brute-force oracle. The
// oracle reads UTC offsets from luxon's IANAZone and does its own wall-clock arithmetic; it finds
// the opening boundaries by walking whole minutes, and gap-shifted ones by watching the offset jump,
// sharing no code with allowed-instant.ts, local-time.ts or quiet-hours.ts.
import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Channel, DisallowReason, SendRules } from './allowed-instant.ts';
import { disallowReason, nextAllowedInstant } from './allowed-instant.ts';
import { holidayCalendar } from './holidays.ts';
import type { QuietHours } from './quiet-hours.ts';
import { calculateScheduleTime } from './schedule.ts';
import type { DayName, SendWindow } from './send-window.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const FROM = Date.parse('2025-01-01T00:00:00.000Z');
const TO = Date.parse('2029-01-01T00:00:00.000Z');
/** How far the oracle walks; the arbitraries keep allowed instants well within it, or rule them out. */
const HORIZON_DAYS = 24;

const ZONES = [
  'Australia/Lord_Howe', // 30-minute DST
  'Antarctica/Troll', // 2-hour DST
  'America/Santiago', // DST at midnight
  'America/Havana', // DST at midnight
  'Europe/Dublin', // negative DST in tzdata
  'Asia/Kathmandu', // +05:45
  'America/New_York',
] as const;
const DAYS: readonly DayName[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

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

it('the zones under test have the transitions the properties rely on', () => {
  for (const zone of ZONES.filter((z) => z !== 'Asia/Kathmandu')) {
    expect(TRANSITIONS.get(zone)?.length, zone).toBeGreaterThanOrEqual(6);
  }
  expect(TRANSITIONS.get('Asia/Kathmandu')).toEqual([]);
  // Troll jumps two hours, Lord Howe thirty minutes; Havana springs forward at local midnight.
  const jump = (zone: string, at: string) =>
    IANAZone.create(zone).offset(Date.parse(at) + HOUR) - IANAZone.create(zone).offset(Date.parse(at) - HOUR);
  expect(jump('Antarctica/Troll', '2026-03-29T01:00:00Z')).toBe(120);
  expect(jump('Australia/Lord_Howe', '2026-10-03T15:30:00Z')).toBe(30);
  expect(jump('America/Havana', '2026-03-08T05:00:00Z')).toBe(60);
});

const two = (n: number) => String(n).padStart(2, '0');
const hhmm = (minutes: number) => `${two(Math.floor(minutes / 60))}:${two(minutes % 60)}`;
const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

// Biased to the small hours (DST), midnight, and the SMS hours.
const minuteOfDayArb = fc.oneof(
  fc.integer({ min: 0, max: 1439 }),
  fc.constantFrom(0, 30, 60, 90, 120, 150, 180, 480, 1260, 1380, 1410),
  fc.integer({ min: 0, max: 16 }).map((q) => q * 15),
);

interface Case {
  zone: string;
  due: number;
  quiet?: QuietHours;
  window?: SendWindow;
  holidayDates: string[];
  channel: Channel;
}

function dueArb(zone: string): fc.Arbitrary<number> {
  const ts = TRANSITIONS.get(zone) ?? [];
  const uniform = fc.integer({ min: FROM, max: TO - 40 * DAY });
  const near =
    ts.length === 0
      ? uniform
      : fc
          .tuple(fc.constantFrom(...ts.slice(0, -1)), fc.integer({ min: -3 * DAY, max: 3 * DAY }))
          .map(([t, d]) => t + d);
  const any = fc.oneof(uniform, near);
  return fc.oneof(
    any,
    any.map((t) => Math.round(t / MINUTE) * MINUTE),
  );
}

const windowArb: fc.Arbitrary<SendWindow> = fc
  .tuple(fc.subarray([...DAYS], { minLength: 1 }), minuteOfDayArb, fc.integer({ min: 1, max: 1439 }))
  .filter(([, start, length]) => start + length <= 1439)
  .map(([days, start, length]) => ({ days, start: hhmm(start), end: hhmm(start + length) }));

function quietArb(window: SendWindow | undefined): fc.Arbitrary<QuietHours> {
  const free = fc
    .tuple(minuteOfDayArb, minuteOfDayArb)
    .filter(([s, e]) => s !== e)
    .map(([s, e]) => ({ start: hhmm(s), end: hhmm(e) }));
  if (window === undefined) return free;
  // Touching the window from either side: ending where it starts, or starting where it ends.
  const touching = minuteOfDayArb.chain((other) =>
    fc.constantFrom({ start: hhmm(other), end: window.start }, { start: window.end, end: hhmm(other) }),
  );
  return fc.oneof(
    free,
    touching.filter((q) => q.start !== q.end),
  );
}

function localDateOf(ms: number, zone: string): string {
  const wall = new Date(ms + IANAZone.create(zone).offset(ms) * MINUTE);
  return wall.toISOString().slice(0, 10);
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    hasWindow: fc.boolean(),
    hasQuiet: fc.boolean(),
    channel: fc.constantFrom<Channel>('email', 'sms'),
    holidayOffsets: fc.uniqueArray(fc.integer({ min: -1, max: 10 }), { maxLength: 4 }),
  })
  .chain(({ zone, hasWindow, hasQuiet, channel, holidayOffsets }) =>
    fc
      .tuple(
        dueArb(zone),
        hasWindow ? windowArb.map((w) => w as SendWindow | undefined) : fc.constant(undefined),
      )
      .chain(([due, window]) =>
        (hasQuiet ? quietArb(window).map((q) => q as QuietHours | undefined) : fc.constant(undefined)).map(
          (quiet): Case => ({
            zone,
            due,
            channel,
            holidayDates: holidayOffsets.map((d) => localDateOf(due + d * DAY, zone)),
            ...(window !== undefined ? { window } : {}),
            ...(quiet !== undefined ? { quiet } : {}),
          }),
        ),
      ),
  );

function rulesOf(c: Case): SendRules {
  return {
    zone: c.zone,
    quietHours: c.quiet,
    sendWindow: c.window,
    holidays: c.holidayDates.length > 0 ? holidayCalendar({ dates: c.holidayDates }) : undefined,
    channel: c.channel,
  };
}

/** The wall clock at `ms`, split by hand from luxon's offset. */
function wallOf(
  ms: number,
  zone: IANAZone,
): { wallMs: number; date: string; weekday: number; msOfDay: number } {
  const wallMs = ms + zone.offset(ms) * MINUTE;
  const d = new Date(wallMs);
  return {
    wallMs,
    date: d.toISOString().slice(0, 10),
    weekday: (d.getUTCDay() + 6) % 7, // 0 = Monday
    msOfDay:
      d.getUTCHours() * HOUR + d.getUTCMinutes() * MINUTE + d.getUTCSeconds() * 1000 + d.getUTCMilliseconds(),
  };
}

function inDaily(msOfDay: number, start: string, end: string): boolean {
  const s = minutesOf(start) * MINUTE;
  const e = minutesOf(end) * MINUTE;
  return s < e ? msOfDay >= s && msOfDay < e : msOfDay >= s || msOfDay < e;
}

function oracleReason(ms: number, c: Case): DisallowReason | null {
  const w = wallOf(ms, IANAZone.create(c.zone));
  if (c.quiet && inDaily(w.msOfDay, c.quiet.start, c.quiet.end)) return 'quiet_hours';
  if (c.window) {
    const listed = c.window.days.includes(DAYS[w.weekday] as DayName);
    if (!listed || !inDaily(w.msOfDay, c.window.start, c.window.end)) return 'send_window';
  }
  if (c.holidayDates.includes(w.date)) return 'holiday';
  if (c.channel === 'sms' && !inDaily(w.msOfDay, '08:00', '21:00')) return 'sms_hours';
  return null;
}

/** Minutes of the day at which a failing rule may start to hold (DESIGN section 10's boundaries). */
function openings(c: Case): number[] {
  const out: number[] = [];
  if (c.quiet) out.push(minutesOf(c.quiet.end));
  if (c.window) out.push(minutesOf(c.window.start));
  if (c.channel === 'sms') out.push(8 * 60);
  if (c.window || c.holidayDates.length > 0) out.push(0);
  return out;
}

function minuteOfDayOf(wallMs: number): number {
  return Math.floor((((wallMs % DAY) + DAY) % DAY) / MINUTE);
}

/**
 * Brute force: every whole minute from 3 h before `due` on; a minute is a candidate when its wall
 * clock shows an opening boundary, and when the offset jumps forward at it, each boundary the jump
 * skips gives the candidate `jump + (boundary - wall clock before the jump)`. The answer is `due`
 * if allowed, else the earliest allowed candidate at or after `due`; undefined when none is found
 * within HORIZON_DAYS.
 */
function oracleNext(c: Case): number | undefined {
  if (oracleReason(c.due, c) === null) return c.due;
  const zone = IANAZone.create(c.zone);
  const open = openings(c);
  let best: number | undefined;
  const consider = (m: number) => {
    if (m >= c.due && (best === undefined || m < best) && oracleReason(m, c) === null) best = m;
  };
  const first = Math.floor((c.due - 3 * HOUR) / MINUTE) * MINUTE;
  // Offsets change at most once an hour: read them per minute only in an hour whose ends differ.
  let hour = Number.NaN;
  let steady: number | undefined;
  const offsetAt = (m: number): number => {
    if (Math.floor(m / HOUR) * HOUR !== hour) {
      hour = Math.floor(m / HOUR) * HOUR;
      const atStart = zone.offset(hour);
      steady = atStart === zone.offset(hour + HOUR) ? atStart : undefined;
    }
    return steady ?? zone.offset(m);
  };
  let previousWall = first - MINUTE + offsetAt(first - MINUTE) * MINUTE;
  for (let m = first; m <= c.due + HORIZON_DAYS * DAY; m += MINUTE) {
    if (best !== undefined && m > best) break;
    const wall = m + offsetAt(m) * MINUTE;
    if (open.includes(minuteOfDayOf(wall))) consider(m);
    // Wall clock minutes in (previous, now) never show; each skipped boundary opens that much late.
    for (let k = 0; previousWall + (k + 1) * MINUTE < wall; k++) {
      if (open.includes(minuteOfDayOf(previousWall + (k + 1) * MINUTE))) consider(m + k * MINUTE);
    }
    previousWall = wall;
  }
  return best;
}

const CASES = 400;

describe('allowed instants against a brute-force oracle', () => {
  it('disallowReason names the first failing rule, at any instant', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 9 * DAY }), (c, shift) => {
        const at = c.due + shift;
        expect(disallowReason(new Date(at), rulesOf(c))).toBe(oracleReason(at, c));
      }),
      { numRuns: 1000 },
    );
  });

  it('nextAllowedInstant is due when allowed, else the earliest allowed boundary after it', () => {
    const seen = { moved: 0, none: 0, offBoundary: 0 };
    fc.assert(
      fc.property(caseArb, (c) => {
        const got = nextAllowedInstant(new Date(c.due), rulesOf(c));
        const expected = oracleNext(c);
        if (expected === undefined) seen.none++;
        else if (expected !== c.due) seen.moved++;
        // A result whose wall clock shows no boundary was gap-shifted.
        if (expected !== undefined && expected !== c.due) {
          const wall = expected + IANAZone.create(c.zone).offset(expected) * MINUTE;
          if (!openings(c).includes(minuteOfDayOf(wall))) seen.offBoundary++;
        }
        if (expected === undefined) {
          // None within the oracle's horizon: none at all, or a later one.
          if (got !== null) expect(got.getTime()).toBeGreaterThan(c.due + HORIZON_DAYS * DAY);
        } else {
          expect(got?.toISOString()).toBe(new Date(expected).toISOString());
        }
      }),
      { numRuns: CASES },
    );
    // The arbitraries reach every kind of answer: moved, none at all, and gap-shifted.
    expect(seen.moved).toBeGreaterThan(CASES / 5);
    expect(seen.none).toBeGreaterThan(CASES / 50);
  }, 60_000);

  it('shifts a boundary inside a DST gap forward by the gap, as the oracle does', () => {
    // Due shortly before a forward transition, with a window start or a quiet-hours end that the
    // wall clock skips: the random cases above reach these only now and then.
    const forward = ZONES.flatMap((zone) =>
      (TRANSITIONS.get(zone) ?? [])
        .filter((t) => IANAZone.create(zone).offset(t) > IANAZone.create(zone).offset(t - MINUTE))
        .map((t) => ({ zone, t })),
    );
    const gapCaseArb = fc
      .record({
        at: fc.constantFrom(...forward),
        into: fc.integer({ min: 0, max: 119 }),
        before: fc.integer({ min: 1, max: 90 }),
        kind: fc.constantFrom('window', 'quiet'),
        channel: fc.constantFrom<Channel>('email', 'sms'),
      })
      .map(({ at: { zone, t }, into, before, kind, channel }): Case => {
        const z = IANAZone.create(zone);
        const gap = z.offset(t) - z.offset(t - MINUTE);
        const g0 = minuteOfDayOf(t + z.offset(t - MINUTE) * MINUTE);
        const boundary = g0 + (into % gap);
        const rules =
          kind === 'window'
            ? {
                window: {
                  days: [...DAYS],
                  start: hhmm(boundary),
                  end: hhmm(Math.min(boundary + gap + 60, 1439)),
                },
              }
            : { quiet: { start: hhmm((boundary + 1320) % 1440), end: hhmm(boundary) } };
        return { zone, due: t - before * MINUTE, holidayDates: [], channel, ...rules };
      });
    let shifted = 0;
    fc.assert(
      fc.property(gapCaseArb, (c) => {
        const expected = oracleNext(c);
        expect(nextAllowedInstant(new Date(c.due), rulesOf(c))?.getTime()).toBe(expected);
        const wall = (expected ?? 0) + IANAZone.create(c.zone).offset(expected ?? 0) * MINUTE;
        if (expected !== undefined && !openings(c).includes(minuteOfDayOf(wall))) shifted++;
      }),
      { numRuns: 200 },
    );
    expect(shifted).toBeGreaterThan(20);
  });

  it('with only quiet hours and email, equals calculateScheduleTime (the 1.0 rule)', () => {
    const quietOnly = caseArb
      .filter((c) => c.quiet !== undefined)
      .map((c): Case => ({ zone: c.zone, due: c.due, quiet: c.quiet, holidayDates: [], channel: 'email' }));
    fc.assert(
      fc.property(quietOnly, (c) => {
        const got = nextAllowedInstant(new Date(c.due), { zone: c.zone, quietHours: c.quiet });
        const { runAt } = calculateScheduleTime(new Date(c.due), 'PT0S', c.zone, c.quiet);
        expect(got?.toISOString()).toBe(runAt.toISOString());
        expect(got?.getTime()).toBe(oracleNext(c));
      }),
      { numRuns: CASES },
    );
  });
});
