import { localDayNumber, localDayStart, nominalDurationMs, parseIsoDuration } from '@campaign/schedule-utils';
import { effectiveDailyCap } from './sender.ts';
import {
  type SenderUsage,
  type ThrottleDecision,
  type ThrottledSender,
  type ThrottleInput,
  throttleDecision,
} from './throttle.ts';

/* DESIGN section 11, "Deferral keeps due order per sender": the decision for a send with `ahead` sends of
 * the same sender before it in due order, each of which takes the slot the caps give it first. Pure. */

/** How far ahead (from `now`) the closed form below checks the plan's allowed instants minute by minute. */
const CLOSED_FORM_SPAN_MS = 30 * 60_000;
const MINUTE_MS = 60_000;

/**
 * The decision for a send with `ahead` sends of the same sender before it in due order: each of those
 * takes the slot the sender's caps give it (now, or its `until`), then this one decides on that usage.
 * The sends ahead are other contacts' (the contact's cap is this send's alone) and are placed as if
 * the plan's allowed instants (`nextAllowed`) were theirs too.
 *
 * A min gap of fixed length (no days, weeks, months or years), no hourly cap, every slot on today's
 * local day within the daily cap and every minute up to this send's slot allowed: the sends ahead go
 * one gap apart from the first free slot, so the answer is computed in closed form (the common burst:
 * 1,000 waiting behind one sender decide in constant time under its lock). No min gap and the caps
 * holding with every send ahead counted now: they all go now (closed form too, hourly cap or not).
 * Otherwise the sends ahead are placed one by one (`decideOneByOne`); both give the same decision where
 * the closed form applies.
 */
export function decideAfter(input: ThrottleInput, ahead: number): ThrottleDecision {
  const sender = input.sender;
  if (ahead === 0 || sender === null) return throttleDecision(input);
  return closedForm(input, sender, ahead) ?? decideOneByOne(input, ahead);
}

/** The length of a min gap in ms when it has one (no calendar part), else null. */
export function fixedGapMs(minGap: string): number | null {
  const d = parseIsoDuration(minGap);
  if (d.years !== 0 || d.months !== 0 || d.weeks !== 0 || d.days !== 0) return null;
  return nominalDurationMs(d);
}

function closedForm(input: ThrottleInput, sender: ThrottledSender, ahead: number): ThrottleDecision | null {
  const { usage, now } = input;
  const minGap = sender.caps.minGap;
  if (minGap == null) return withoutMinGap(input, sender, ahead);
  if (sender.caps.hourly != null) return null;
  const gap = fixedGapMs(minGap);
  if (gap === null) return null;
  const t = now.getTime();
  const first = usage.last === null ? t : Math.max(t, usage.last.getTime() + gap);
  // This send's slot when every send ahead takes its own, one gap after the other.
  const slot = first + ahead * gap;
  if (slot - t > CLOSED_FORM_SPAN_MS) return null;
  if (localDayNumber(new Date(slot), sender.timezone) !== localDayNumber(now, sender.timezone)) return null;
  if (usage.today + ahead >= effectiveDailyCap(sender, now)) return null;
  // Minute by minute (section 10's rules change only on whole minutes): every slot ahead is allowed.
  for (let m = Math.floor(t / MINUTE_MS) * MINUTE_MS; m <= slot; m += MINUTE_MS) {
    const at = Math.max(m, t);
    if (input.nextAllowed(new Date(at))?.getTime() !== at) return null;
  }
  const last = new Date(slot - gap);
  return throttleDecision({ ...input, usage: { ...usage, today: usage.today + ahead, last } });
}

/**
 * No min gap: the sends ahead may all go now when the caps hold with every one of them counted at `now`
 * (then each of them, counted with fewer, holds too). With an hourly cap they are counted in the last
 * hour at `now` (a burst behind an hourly cap: 500 waiting decided in constant time, not one by one).
 */
function withoutMinGap(
  input: ThrottleInput,
  sender: ThrottledSender,
  ahead: number,
): ThrottleDecision | null {
  const { usage, now } = input;
  const lastHour =
    sender.caps.hourly == null ? usage.lastHour : [...usage.lastHour, ...Array(ahead).fill(now)];
  const all: SenderUsage = { ...usage, today: usage.today + ahead, lastHour };
  const decision = throttleDecision({ ...input, usage: all });
  return decision.kind === 'send' ? decision : null;
}

/** The sends ahead placed one by one, each at the instant its own decision gives (exported for tests). */
export function decideOneByOne(input: ThrottleInput, ahead: number): ThrottleDecision {
  const sender = input.sender as ThrottledSender;
  // The sends ahead are other contacts': this contact's cap is not theirs.
  const phantom: ThrottleInput = { ...input, contactCap: undefined, contactSends: [] };
  // One array and one map grown in place: copying them per send ahead would be quadratic.
  const lastHour = [...input.usage.lastHour];
  const byDay = new Map(input.usage.byDay ?? []);
  const current = { today: input.usage.today, lastHour, last: input.usage.last, byDay };
  const nowDay = localDayNumber(input.now, sender.timezone);
  const nextDayStart = localDayStart(input.now, sender.timezone, 1).getTime();
  for (let i = 0; i < ahead; i++) {
    const d = throttleDecision({ ...phantom, usage: current });
    if (d.kind === 'defer' && d.until === null) return d;
    const at = d.kind === 'send' ? input.now : (d.until as Date);
    if (at.getTime() < nextDayStart) current.today += 1;
    else {
      const day = localDayNumber(at, sender.timezone);
      if (day === nowDay) current.today += 1;
      else byDay.set(day, (byDay.get(day) ?? 0) + 1);
    }
    // The instants are read only by an hourly cap.
    if (sender.caps.hourly != null) lastHour.push(at);
    if (current.last === null || at.getTime() > current.last.getTime()) current.last = at;
  }
  // The reason is the cap that holds this send now, the sends ahead counted.
  return throttleDecision({ ...input, usage: current });
}
