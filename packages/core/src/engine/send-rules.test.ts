import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan-schema.ts';
import { activate, deferSend, initialState, pause, resume } from './engine.ts';
import type { CampaignDefinition, CampaignState, Effect, EngineContext, PlannedAction } from './types.ts';

/* DESIGN section 10: allowed instants when a send is scheduled, executed and resumed; expireAfter. */

const noHistory: EngineContext = { latestMessage: null, latestMessageEvents: [] };
type SendNode = Extract<Plan['nodes'][number], { action: 'send' }>;

function planWith(node: Partial<SendNode>, more: Partial<Plan> = {}): Plan {
  return {
    version: '1.1',
    timezone: 'Europe/Berlin',
    startNodeId: 'intro',
    nodes: [{ id: 'intro', action: 'send', subject: 's', body: 'b', ...node }],
    ...more,
  };
}
const def = (plan: Plan): CampaignDefinition => ({ plan, timezone: plan.timezone ?? 'UTC' });
const scheduled = (effects: Effect[]): Extract<PlannedAction, { kind: 'send' }> | undefined =>
  effects.flatMap((e) => (e.type === 'schedule' && e.action.kind === 'send' ? [e.action] : []))[0];
const WEEKDAYS = { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, start: '09:00', end: '17:00' };
const weekdays = { days: [...WEEKDAYS.days], start: WEEKDAYS.start, end: WEEKDAYS.end };

describe('scheduling a send (rule 2 with section 10)', () => {
  it('a send due on a Saturday goes at the window start on Monday', () => {
    // 2026-01-10 is a Saturday; 09:00 CET on Monday 2026-01-12 is 08:00Z
    const d = def(planWith({}, { sendWindow: weekdays }));
    const { effects } = activate(d, initialState(), new Date('2026-01-10T10:00:00Z'), noHistory);
    expect(scheduled(effects)).toMatchObject({
      dueAt: new Date('2026-01-10T10:00:00Z'),
      runAt: new Date('2026-01-12T08:00:00Z'),
    });
  });

  it("the node's window replaces the plan's", () => {
    const d = def(
      planWith({ sendWindow: { days: ['sat'], start: '12:00', end: '13:00' } }, { sendWindow: weekdays }),
    );
    const { effects } = activate(d, initialState(), new Date('2026-01-10T10:00:00Z'), noHistory);
    // Saturday 12:00 CET = 11:00Z
    expect(scheduled(effects)?.runAt).toEqual(new Date('2026-01-10T11:00:00Z'));
  });

  it('a listed holiday moves the send to the next local midnight', () => {
    // 2026-12-24 10:00 CET is a listed date: the next allowed instant is 2026-12-25 00:00 CET = 2026-12-24T23:00Z
    const d = def(planWith({}, { holidays: { dates: ['2026-12-24'] } }));
    const { effects } = activate(d, initialState(), new Date('2026-12-24T09:00:00Z'), noHistory);
    expect(scheduled(effects)?.runAt).toEqual(new Date('2026-12-24T23:00:00Z'));
  });

  it('an SMS due at 21:00 local goes at 08:00 the next day, without a window on the plan', () => {
    // 21:00 CET = 20:00Z; 08:00 CET next day = 07:00Z
    const d = def(planWith({ channel: 'sms', text: 'hi', subject: undefined, body: undefined }));
    const { effects } = activate(d, initialState(), new Date('2026-01-05T20:00:00Z'), noHistory);
    expect(scheduled(effects)?.runAt).toEqual(new Date('2026-01-06T07:00:00Z'));
  });

  it('expiresAt = due + expireAfter; a send whose first allowed instant is past it is skipped at entry', () => {
    // Friday 2026-01-09 17:30 CET (16:30Z) + PT12H = 04:30Z Saturday, before Monday's 09:00 CET
    const d = def(planWith({ schedule: { expireAfter: 'PT12H' } }, { sendWindow: weekdays }));
    const at = new Date('2026-01-09T16:30:00Z');
    const { state, effects } = activate(d, initialState(), at, noHistory);
    expect(scheduled(effects)).toBeUndefined();
    expect(effects.filter((e) => e.type !== 'enter')).toEqual([
      { type: 'skip', at, node: 'intro', step: 1, dueAt: at, actionId: null, reason: 'expired' },
      { type: 'cancel_pending' },
      { type: 'end', at, status: 'stopped', reason: 'send_expired' },
    ]);
    expect(state).toMatchObject({ status: 'stopped', stopReason: 'send_expired' });
  });

  it('a send whose first allowed instant is exactly due + expireAfter is scheduled (inclusive)', () => {
    // Friday 17:00 CET (16:00Z) + P2DT16H = Monday 09:00 CET (08:00Z) = the window start
    const d = def(planWith({ schedule: { expireAfter: 'P2DT16H' } }, { sendWindow: weekdays }));
    const { effects } = activate(d, initialState(), new Date('2026-01-09T16:00:00Z'), noHistory);
    expect(scheduled(effects)).toMatchObject({
      runAt: new Date('2026-01-12T08:00:00Z'),
      expiresAt: new Date('2026-01-12T08:00:00Z'),
    });
  });

  it('a send with no allowed instant within 366 days is skipped at entry, expireAfter or not', () => {
    // SMS hours end at 21:00, the window opens at 21:00: never allowed
    const never = { days: ['mon' as const], start: '21:00', end: '22:00' };
    const d = def(
      planWith({ channel: 'sms', text: 't', subject: undefined, body: undefined, sendWindow: never }),
    );
    const at = new Date('2026-01-05T10:00:00Z');
    const { state, effects } = activate(d, initialState(), at, noHistory);
    expect(scheduled(effects)).toBeUndefined();
    expect(effects).toContainEqual({
      type: 'skip',
      at,
      node: 'intro',
      step: 1,
      dueAt: at,
      actionId: null,
      reason: 'expired',
    });
    expect(state).toMatchObject({ status: 'stopped', stopReason: 'send_expired' });
  });

  it('a 1.0 plan schedules no expiresAt and only obeys quiet hours', () => {
    const plan: Plan = {
      version: '1.0',
      timezone: 'Europe/Berlin',
      quietHours: { start: '20:00', end: '08:00' },
      startNodeId: 'intro',
      nodes: [{ id: 'intro', action: 'send', subject: 's', body: 'b' }],
    };
    // Saturday 21:00 CET (20:00Z) is quiet: 08:00 CET Sunday = 07:00Z, weekend or not
    const { effects } = activate(def(plan), initialState(), new Date('2026-01-10T20:00:00Z'), noHistory);
    expect(scheduled(effects)).toEqual({
      kind: 'send',
      nodeId: 'intro',
      step: 1,
      dueAt: new Date('2026-01-10T20:00:00Z'),
      runAt: new Date('2026-01-11T07:00:00Z'),
    });
  });
});

describe('executing a send (rule 3 with section 10)', () => {
  const active = (d: CampaignDefinition): CampaignState =>
    activate(d, initialState(), new Date('2026-01-05T08:00:00Z'), noHistory).state;

  it.each([
    // [what, plan, node, now (Berlin), expected until, reason]
    [
      'quiet hours',
      { quietHours: { start: '20:00', end: '08:00' } },
      {},
      '2026-01-06T20:00:00Z',
      '2026-01-07T07:00:00Z',
      'quiet_hours',
    ],
    [
      'outside the window',
      { sendWindow: weekdays },
      {},
      '2026-01-06T17:00:00Z',
      '2026-01-07T08:00:00Z',
      'send_window',
    ],
    [
      'a holiday',
      { holidays: { dates: ['2026-01-07'] } },
      {},
      '2026-01-07T10:00:00Z',
      '2026-01-07T23:00:00Z',
      'holiday',
    ],
    [
      'SMS hours',
      {},
      { channel: 'sms' as const, text: 't', subject: undefined, body: undefined },
      '2026-01-06T06:00:00Z',
      '2026-01-06T07:00:00Z',
      'sms_hours',
    ],
  ])(
    'defers a send due %s to the next allowed instant, with that reason',
    (_what, more, node, now, until, reason) => {
      const d = def(planWith(node, more));
      const decision = deferSend(d, active(d), { id: 'a1', nodeId: 'intro' }, new Date(now));
      expect(decision?.effects).toEqual([
        { type: 'defer', actionId: 'a1', node: 'intro', at: new Date(now), until: new Date(until), reason },
      ]);
    },
  );

  it('lets an allowed instant go', () => {
    const d = def(planWith({}, { sendWindow: weekdays }));
    expect(
      deferSend(d, active(d), { id: 'a1', nodeId: 'intro' }, new Date('2026-01-06T10:00:00Z')),
    ).toBeNull();
  });

  it('skips a send that is past expiresAt, or whose next allowed instant is', () => {
    const d = def(planWith({}, { sendWindow: weekdays }));
    const dueAt = new Date('2026-01-06T09:00:00Z');
    const expiresAt = new Date('2026-01-06T12:00:00Z');
    // allowed now (13:00 CET Tuesday) but one ms past expiry
    const late = new Date(expiresAt.getTime() + 1);
    const decision = deferSend(d, active(d), { id: 'a1', nodeId: 'intro', dueAt, expiresAt }, late);
    expect(decision?.effects).toEqual([
      { type: 'skip', at: late, node: 'intro', step: 1, dueAt, actionId: 'a1', reason: 'expired' },
      { type: 'cancel_pending' },
      { type: 'end', at: late, status: 'stopped', reason: 'send_expired' },
    ]);
    expect(decision?.state).toMatchObject({ status: 'stopped', stopReason: 'send_expired' });
    // exactly at expiry: goes
    expect(deferSend(d, active(d), { id: 'a1', nodeId: 'intro', dueAt, expiresAt }, expiresAt)).toBeNull();
    // 17:00 CET Tuesday: next allowed is Wednesday 09:00 CET, past an expiry of Tuesday 20:00Z
    const evening = new Date('2026-01-06T16:00:00Z');
    const tuesdayNight = new Date('2026-01-06T20:00:00Z');
    const skipped = deferSend(
      d,
      active(d),
      { id: 'a1', nodeId: 'intro', dueAt, expiresAt: tuesdayNight },
      evening,
    );
    expect(skipped?.effects[0]).toMatchObject({ type: 'skip', actionId: 'a1' });
  });
});

describe('resuming (rule 8 with section 10)', () => {
  it('moves a send that fell due while paused to the next allowed instant, or to now when it would expire', () => {
    const d = def(planWith({}, { sendWindow: weekdays }));
    const t0 = new Date('2026-01-05T08:00:00Z');
    const paused = pause(
      activate(d, initialState(), t0, noHistory).state,
      new Date('2026-01-05T08:00:00Z'),
    ).state;
    // resumed Saturday 2026-01-10 10:00Z: next allowed is Monday 2026-01-12 08:00Z
    const at = new Date('2026-01-10T10:00:00Z');
    const pending = (expiresAt?: Date) => [{ id: 'a1', kind: 'send' as const, runAt: t0, expiresAt }];
    expect(resume(d, paused, at, noHistory, [], pending()).effects).toContainEqual({
      type: 'reschedule',
      actionId: 'a1',
      runAt: new Date('2026-01-12T08:00:00Z'),
    });
    expect(
      resume(d, paused, at, noHistory, [], pending(new Date('2026-01-11T00:00:00Z'))).effects,
    ).toContainEqual({
      type: 'reschedule',
      actionId: 'a1',
      runAt: at,
    });
  });
});
