import { addDuration, isValidIsoDuration, localDayNumber, localDayStart } from '@campaign/schedule-utils';
import { DomainError } from '../errors.ts';
import { effectiveDailyCap, type Sender } from './sender.ts';

/* DESIGN section 11, "Throttling": whether a due send may take a slot of its sender and its contact now,
 * else the earliest instant that satisfies every cap and is an allowed instant of section 10. Pure. */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** How far ahead a throttled send looks for a slot (as section 10 looks for an allowed instant). */
const MAX_THROTTLE_SEARCH_DAYS = 366;

/** What the decision reads of a sender. */
export type ThrottledSender = Pick<Sender, 'timezone' | 'caps' | 'warmup' | 'createdAt'>;

/** The sender's use, counted under its row lock: every message claimed or sent. */
export interface SenderUsage {
  /** Messages claimed since the start of the sender's local day of `now` (see `usageDayStart`). */
  today: number;
  /** Claim instants within the 60 minutes up to `now` (any order). */
  lastHour: readonly Date[];
  /** The latest claim instant, null if none. */
  last: Date | null;
  /** Slots already promised on later local days (local day number, see localDayNumber): counted as used. */
  byDay?: ReadonlyMap<number, number> | undefined;
}

/** `CONTACT_FREQUENCY_CAP`: at most `count` messages to a contact in any `window` (ISO duration), both channels. */
export interface ContactFrequencyCap {
  count: number;
  window: string;
}

export type ThrottleReason =
  | 'sender_daily_cap'
  | 'sender_hourly_cap'
  | 'sender_min_gap'
  | 'contact_frequency_cap';

export type ThrottleDecision =
  | { kind: 'send' }
  /** `until` null: no instant within 366 days satisfies every cap and section 10 (the send cannot go). */
  | { kind: 'defer'; until: Date | null; reason: ThrottleReason };

export interface ThrottleInput {
  /** Null when the campaign has no sender for the channel: only the contact's cap applies. */
  sender: ThrottledSender | null;
  usage: SenderUsage;
  contactCap?: ContactFrequencyCap | undefined;
  /** The contact's message instants within `contactCap.window` up to `now` (all campaigns, both channels). */
  contactSends: readonly Date[];
  now: Date;
  /** Section 10 for the send's plan and node: `t` if allowed, else the next allowed instant, null if none. */
  nextAllowed: (t: Date) => Date | null;
}

/** `CONTACT_FREQUENCY_CAP` is not `N/duration` with N a positive integer and a positive ISO duration. */
export class InvalidContactFrequencyCapError extends DomainError {
  readonly code = 'invalid_contact_frequency_cap';
  constructor(value: string) {
    super(
      `CONTACT_FREQUENCY_CAP ${JSON.stringify(value)} is invalid: expected N/duration with N a positive integer and a positive ISO 8601 duration, e.g. 2/P7D`,
    );
    this.name = 'InvalidContactFrequencyCapError';
  }
}

/** Parses `N/duration` (e.g. `2/P7D`). @throws InvalidContactFrequencyCapError */
export function parseContactFrequencyCap(value: string): ContactFrequencyCap {
  const match = /^\s*([1-9]\d{0,8})\s*\/\s*(\S+)\s*$/.exec(value);
  const window = match?.[2];
  if (!match || window === undefined || !isValidIsoDuration(window, { positive: true })) {
    throw new InvalidContactFrequencyCapError(value);
  }
  return { count: Number(match[1]), window };
}

/** The instant from which `SenderUsage.today` counts: the start of the sender's local day of `now`. */
export function usageDayStart(sender: ThrottledSender, now: Date): Date {
  return localDayStart(now, sender.timezone);
}

/** Earliest instant >= t at which fewer than `limit` of `sends` lie in (t' - span, t'], given no new send. */
function rollingFree(sends: readonly Date[], limit: number, t: number, end: (s: Date) => number): number {
  const inWindow = sends
    .map(end)
    .filter((e) => e > t)
    .sort((a, b) => a - b);
  if (inWindow.length < limit) return t;
  // Dropping the oldest (length - limit + 1) leaves limit - 1 in the window.
  return inWindow[inWindow.length - limit] as number;
}

/** Earliest instant >= t satisfying the one cap, given the usage (no send between now and t). */
function capFree(input: ThrottleInput, reason: ThrottleReason, t: number): number {
  const { sender, usage, contactCap, now } = input;
  if (reason === 'contact_frequency_cap') {
    if (!contactCap) return t;
    return rollingFree(input.contactSends, contactCap.count, t, (s) =>
      addDuration(s, contactCap.window, 'UTC').getTime(),
    );
  }
  if (!sender) return t;
  if (reason === 'sender_daily_cap') {
    const at = new Date(t);
    const day = localDayNumber(at, sender.timezone);
    const used = day === localDayNumber(now, sender.timezone) ? usage.today : (usage.byDay?.get(day) ?? 0);
    return used < effectiveDailyCap(sender, at) ? t : localDayStart(at, sender.timezone, 1).getTime();
  }
  if (reason === 'sender_hourly_cap') {
    const hourly = sender.caps.hourly;
    if (hourly == null) return t;
    return rollingFree(usage.lastHour, hourly, t, (s) => s.getTime() + HOUR_MS);
  }
  const gap = sender.caps.minGap;
  if (gap == null || usage.last === null) return t;
  return Math.max(t, addDuration(usage.last, gap, sender.timezone).getTime());
}

const REASONS: readonly ThrottleReason[] = [
  'sender_daily_cap',
  'sender_hourly_cap',
  'sender_min_gap',
  'contact_frequency_cap',
];

/**
 * Whether a due send may take a slot now. `send` when every cap holds at `now` (the caller has already
 * checked section 10 at `now`); else `defer` with the first cap that fails now (in the order daily,
 * hourly, min gap, contact) and `until`, the earliest instant that satisfies every cap (counting the
 * usage as it stands: no other send in between) and is allowed by `nextAllowed`. A cap of 0 on a
 * warm-up day moves to the next day with a slot.
 */
export function throttleDecision(input: ThrottleInput): ThrottleDecision {
  const now = input.now.getTime();
  const reason = REASONS.find((r) => capFree(input, r, now) > now);
  if (reason === undefined) return { kind: 'send' };
  const limit = now + MAX_THROTTLE_SEARCH_DAYS * DAY_MS;
  let t = now;
  // Each cap's earliest free instant only grows with t, and nextAllowed(t) >= t: iterate to a fixed point.
  for (;;) {
    let next = t;
    for (const r of REASONS) next = Math.max(next, capFree(input, r, next));
    const allowed = input.nextAllowed(new Date(next));
    if (allowed === null) return { kind: 'defer', until: null, reason };
    next = Math.max(next, allowed.getTime());
    if (next > limit) return { kind: 'defer', until: null, reason };
    if (next === t) return { kind: 'defer', until: new Date(t), reason };
    t = next;
  }
}
