import {
  addDuration,
  calculateSendTime,
  disallowReason,
  type HolidayCalendar,
  holidayCalendar,
  nextAllowedInstant,
  type SendRules,
} from '@campaign/schedule-utils';
import type { Holidays, SendNode } from '../plan/plan-schema.ts';
import type { CampaignDefinition, CampaignState, DeferReason, Effect } from './types.ts';

/* DESIGN section 10: the allowed instant of a send (quiet hours, send window, holidays, SMS hours) and expiry. */

/** Holiday calendars per plan `holidays` object: built once (date-holidays is slow to set up). */
const calendars = new WeakMap<Holidays, HolidayCalendar>();

function calendarOf(holidays: Holidays | undefined): HolidayCalendar | undefined {
  if (holidays === undefined) return undefined;
  let calendar = calendars.get(holidays);
  if (!calendar) {
    calendar = holidayCalendar(holidays);
    calendars.set(holidays, calendar);
  }
  return calendar;
}

/**
 * The rules a send of `node` obeys: the plan's quiet hours, the node's send window (else the plan's),
 * the plan's holidays, in the campaign's zone, for the node's channel (email by default). A 1.0 plan
 * has only quiet hours and email, so its sends go exactly where calculateScheduleTime put them.
 */
export function sendRulesOf(def: CampaignDefinition, node: SendNode): SendRules {
  return {
    zone: def.timezone,
    quietHours: def.plan.quietHours,
    sendWindow: node.sendWindow ?? def.plan.sendWindow,
    holidays: calendarOf(def.plan.holidays),
    channel: node.channel ?? 'email',
  };
}

/**
 * Rule 2 for a send node entered at `at`, step `step`: due = at + delay; it runs at the first allowed
 * instant from due. With `expireAfter`, `expiresAt` = due + expireAfter (calendar-aware in the zone);
 * when no allowed instant exists by then the send is not scheduled: a `skip` (no action) and an `end`
 * (stopped, `send_expired`) follow, and the returned state is stopped. A send with no allowed instant
 * within 366 days at all ends the same way, expiry or not: activation refuses such a plan
 * (`no_send_time`), so only a node entered later can meet it, and stopping visibly beats a send that
 * waits forever (or an error that fails every retry of the transaction).
 */
export function scheduleSend(
  def: CampaignDefinition,
  state: CampaignState,
  node: SendNode,
  at: Date,
  effects: Effect[],
): CampaignState {
  const rules = sendRulesOf(def, node);
  const { dueAt, runAt } = calculateSendTime(at, node.schedule?.delay ?? 'PT0S', rules);
  const expireAfter = node.schedule?.expireAfter;
  const expiresAt = expireAfter === undefined ? undefined : addDuration(dueAt, expireAfter, def.timezone);
  if (runAt === null || (expiresAt !== undefined && runAt.getTime() > expiresAt.getTime())) {
    return expire(state, { node: node.id, step: state.step, dueAt, actionId: null }, at, effects);
  }
  effects.push({
    type: 'schedule',
    action: {
      kind: 'send',
      nodeId: node.id,
      step: state.step,
      dueAt,
      runAt,
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    },
  });
  return state;
}

/** The send is not sent: `skip` (reason `expired`), pending actions cancelled, the campaign stopped. */
export function expire(
  state: CampaignState,
  send: { node: string; step: number; dueAt: Date; actionId: string | null },
  at: Date,
  effects: Effect[],
): CampaignState {
  effects.push(
    { type: 'skip', at, ...send, reason: 'expired' },
    { type: 'cancel_pending' },
    { type: 'end', at, status: 'stopped', reason: 'send_expired' },
  );
  return { ...state, status: 'stopped', stopReason: 'send_expired', pausedAt: null };
}

/** What a due send may do at `now`: go, wait until `until` (why: `reason`), or expire. */
export type SendTiming =
  | { kind: 'go' }
  | { kind: 'defer'; until: Date; reason: DeferReason }
  | { kind: 'expire' };

/**
 * Rule 3 at execution time with section 10's rules: a send runs at `now` if `now` is an allowed instant
 * and not past `expiresAt` (inclusive: a send may go at exactly due + expireAfter); else at the next
 * allowed instant if that is not past `expiresAt`; else it expires (also when no allowed instant
 * exists within 366 days, expiry or not: such a send can never go, and retrying it forever would hide it).
 */
export function sendTiming(rules: SendRules, now: Date, expiresAt: Date | null | undefined): SendTiming {
  const late = (t: Date) => expiresAt != null && t.getTime() > expiresAt.getTime();
  const reason = disallowReason(now, rules);
  if (reason === null) return late(now) ? { kind: 'expire' } : { kind: 'go' };
  const until = nextAllowedInstant(now, rules);
  if (until === null || late(until)) return { kind: 'expire' };
  // DisallowReason and DeferReason name the same rules.
  const why: DeferReason = reason;
  return { kind: 'defer', until, reason: why };
}
