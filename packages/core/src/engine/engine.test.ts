import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan-schema.ts';
import {
  actionReadiness,
  activate,
  cancel,
  deferSend,
  initialState,
  onAddressSuppressed,
  onEvent,
  onSendExecuted,
  onSendFailed,
  onTimeout,
  pause,
  resume,
  timeoutsFromAnchor,
} from './engine.ts';
import type { CampaignDefinition, CampaignState, EngineContext, MessageRef, RecordedEvent } from './types.ts';

/* Direct tests of the pure engine for what the simulator cannot show: idempotency, staleness, effects. */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const plan: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'intro',
  exitOn: ['replied'],
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 's',
      body: 'b',
      transitions: [
        { on: 'opened', to: 'wait', within: 'PT72H' },
        { on: 'no_open', to: 'done', after: 'PT72H' },
      ],
    },
    {
      id: 'wait',
      action: 'wait',
      transitions: [
        { on: 'clicked', to: 'clicked_end' },
        { on: 'opened', to: 'done' },
        { on: 'no_click', to: 'done', after: 'PT48H' },
      ],
    },
    { id: 'done', action: 'end' },
    { id: 'clicked_end', action: 'end' },
  ],
};
const def: CampaignDefinition = { plan, timezone: 'UTC' };
const noHistory: EngineContext = { latestMessage: null, latestMessageEvents: [] };

function activeAtIntro(): CampaignState {
  return activate(def, initialState(), T0, noHistory).state;
}

const msg: MessageRef = { id: 'm1', nodeId: 'intro', step: 1, sentAt: T0 };
function event(type: RecordedEvent['type'], at: string, more: Partial<RecordedEvent> = {}): RecordedEvent {
  return { id: `${type}-${at}`, messageId: 'm1', type, occurredAt: new Date(at), ...more };
}

describe('activation (rule 1)', () => {
  it('moves pending to active and enters the start node', () => {
    const { state, effects } = activate(def, initialState(), T0, noHistory);
    expect(state).toMatchObject({ status: 'active', currentNodeId: 'intro', step: 1 });
    expect(effects[0]).toEqual({
      type: 'enter',
      at: T0,
      from: null,
      to: 'intro',
      step: 1,
      on: null,
      trigger: { kind: 'activation' },
    });
    expect(effects[1]).toMatchObject({
      type: 'schedule',
      action: { kind: 'send', nodeId: 'intro', step: 1 },
    });
  });

  it('is a no-op when re-run', () => {
    const once = activate(def, initialState(), T0, noHistory).state;
    const again = activate(def, once, new Date('2026-01-06T00:00:00Z'), noHistory);
    expect(again.state).toBe(once);
    expect(again.effects).toEqual([]);
  });
});

describe('send execution (rule 4)', () => {
  it('anchors at the send time and schedules timeouts from there', () => {
    const sentAt = new Date('2026-01-05T12:00:00Z');
    const { state, effects } = onSendExecuted(def, activeAtIntro(), sentAt);
    expect(state.anchorAt).toEqual(sentAt);
    expect(effects).toEqual([
      {
        type: 'schedule',
        action: {
          kind: 'timeout',
          nodeId: 'intro',
          step: 1,
          event: 'no_open',
          transitionIndex: 1,
          dueAt: new Date('2026-01-08T12:00:00Z'),
          runAt: new Date('2026-01-08T12:00:00Z'),
        },
      },
    ]);
  });

  it('a send for another step, or for a campaign that is not active, is stale; paused defers it', () => {
    const state = activeAtIntro();
    expect(actionReadiness(state, { nodeId: 'intro', step: 1 })).toBe('run');
    expect(actionReadiness(state, { nodeId: 'intro', step: 2 })).toBe('stale');
    expect(actionReadiness({ ...state, status: 'cancelled' }, { nodeId: 'intro', step: 1 })).toBe('stale');
    expect(actionReadiness({ ...state, status: 'paused' }, { nodeId: 'intro', step: 1 })).toBe('defer');
  });
});

describe('events (rule 5)', () => {
  const sent = () => onSendExecuted(def, activeAtIntro(), T0).state;
  const ctx = (events: RecordedEvent[] = []): EngineContext => ({
    latestMessage: msg,
    latestMessageEvents: events,
  });

  it('an unsubscribe stops the campaign, cancels pending actions and suppresses the contact', () => {
    const e = event('unsubscribed', '2026-01-05T11:00:00Z');
    const result = onEvent(def, sent(), e, ctx([e]), e.occurredAt);
    expect(result.effect).toBe('exit');
    expect(result.state).toMatchObject({ status: 'stopped', stopReason: 'unsubscribed' });
    expect(result.effects.map((x) => x.type)).toEqual(['cancel_pending', 'end', 'suppress_contact']);
  });

  it('an exitOn event that is not suppressing stops without suppressing the contact', () => {
    const e = event('replied', '2026-01-05T11:00:00Z');
    const result = onEvent(def, sent(), e, ctx([e]), e.occurredAt);
    expect(result.effects.map((x) => x.type)).toEqual(['cancel_pending', 'end']);
  });

  it('an auto-reply does not count as replied for exitOn', () => {
    const e = event('replied', '2026-01-05T11:00:00Z', { autoReply: true });
    const result = onEvent(def, sent(), e, ctx([e]), e.occurredAt);
    expect(result.effect).toBe('ignored');
    expect(result.state.status).toBe('active');
  });

  it('a pending or completed campaign only records an engagement', () => {
    const e = event('opened', '2026-01-05T11:00:00Z');
    expect(onEvent(def, initialState(), e, ctx([e]), e.occurredAt).effect).toBe('ignored');
    const completed = { ...sent(), status: 'completed' as const };
    expect(onEvent(def, completed, e, ctx([e]), e.occurredAt)).toMatchObject({
      effect: 'ignored',
      effects: [],
    });
  });

  it("a transition cancels the node's pending actions before entering the next node", () => {
    const e = event('opened', '2026-01-05T11:00:00Z');
    const result = onEvent(def, sent(), e, ctx([e]), e.occurredAt);
    expect(result.effect).toBe('transition');
    expect(result.effects[0]).toEqual({ type: 'cancel_pending' });
    expect(result.effects[1]).toMatchObject({
      type: 'enter',
      from: 'intro',
      to: 'wait',
      step: 2,
      on: 'opened',
      trigger: { kind: 'event', eventId: e.id },
    });
  });

  it('wait-entry replay orders recorded events by occurrence, whatever order they are given in', () => {
    const click = event('clicked', '2026-01-05T11:02:00Z');
    const open = event('opened', '2026-01-05T11:01:00Z');
    // The open arrives and moves intro -> wait; the store returns the click before the open. Replaying
    // by occurrence takes the open first (wait: opened -> done), not the click (-> clicked_end).
    const result = onEvent(def, sent(), open, ctx([click, open]), new Date('2026-01-05T11:03:00Z'));
    expect(result.state.currentNodeId).toBe('done');
  });
});

describe('timeouts (rule 6)', () => {
  const timeout = {
    nodeId: 'intro',
    step: 1,
    event: 'no_open' as const,
    transitionIndex: 1,
    dueAt: new Date('2026-01-08T10:00:00Z'),
  };
  const sent = () => onSendExecuted(def, activeAtIntro(), T0).state;
  const at = new Date('2026-01-08T10:00:00Z');

  it('is stale when the campaign has moved to another step', () => {
    const moved = { ...sent(), step: 2, currentNodeId: 'wait' };
    expect(onTimeout(def, moved, timeout, { latestMessage: msg, latestMessageEvents: [] }, at)).toMatchObject(
      { effect: 'stale', effects: [] },
    );
  });

  it('is stale when the campaign is no longer active', () => {
    const stopped = { ...sent(), status: 'stopped' as const };
    expect(onTimeout(def, stopped, timeout, { latestMessage: msg, latestMessageEvents: [] }, at).effect).toBe(
      'stale',
    );
  });

  it('is deferred, not consumed, while paused', () => {
    const paused = { ...sent(), status: 'paused' as const };
    expect(onTimeout(def, paused, timeout, { latestMessage: msg, latestMessageEvents: [] }, at).effect).toBe(
      'deferred',
    );
  });

  it('is skipped when a genuine open of the reference message is recorded, taken when only a machine open is', () => {
    const genuine = event('opened', '2026-01-06T00:00:00Z');
    expect(
      onTimeout(def, sent(), timeout, { latestMessage: msg, latestMessageEvents: [genuine] }, at).effect,
    ).toBe('skipped');
    const machine = event('opened', '2026-01-06T00:00:00Z', { machine: true });
    const taken = onTimeout(def, sent(), timeout, { latestMessage: msg, latestMessageEvents: [machine] }, at);
    expect(taken.effect).toBe('transition');
    expect(taken.state).toMatchObject({ currentNodeId: 'done', status: 'completed', step: 2 });
  });

  it('regression: a bot open (Mailgun client-info.bot) cancelled no_open; it counts for nothing, like a machine open', () => {
    const scanner = event('opened', '2026-01-06T00:00:00Z', { bot: true });
    const taken = onTimeout(def, sent(), timeout, { latestMessage: msg, latestMessageEvents: [scanner] }, at);
    expect(taken.effect).toBe('transition');
    expect(taken.state.currentNodeId).toBe('done');
    // nor does it take the opened transition when it arrives
    const arrived = onEvent(
      def,
      sent(),
      scanner,
      { latestMessage: msg, latestMessageEvents: [scanner] },
      new Date('2026-01-06T00:00:01Z'),
    );
    expect(arrived).toMatchObject({ effect: 'ignored', effects: [] });
    expect(arrived.state.currentNodeId).toBe('intro');
  });

  it('regression: an open after the due time (the timeout ran late) does not skip it', () => {
    const late = event('opened', '2026-01-08T11:00:00Z'); // an hour past no_open's due time
    const result = onTimeout(
      def,
      sent(),
      timeout,
      { latestMessage: msg, latestMessageEvents: [late] },
      new Date('2026-01-09T00:00:00Z'),
    );
    expect(result.effect).toBe('transition');
    expect(result.state.currentNodeId).toBe('done');
  });
});

describe('a node stranded by an event completes with reason no_path (rule 6)', () => {
  type Transitions = Extract<Plan['nodes'][number], { action: 'send' }>['transitions'];
  /** A one-send plan whose node `s` has `transitions`, sent at T0; every target is an end node. */
  function sentWith(transitions: Transitions, exitOn?: Plan['exitOn']) {
    const p: Plan = {
      version: '1.0',
      timezone: 'UTC',
      startNodeId: 's',
      ...(exitOn ? { exitOn } : {}),
      nodes: [
        { id: 's', action: 'send', subject: 's', body: 'b', transitions },
        { id: 'next', action: 'end' },
      ],
    };
    const d: CampaignDefinition = { plan: p, timezone: 'UTC' };
    const state = onSendExecuted(d, activate(d, initialState(), T0, noHistory).state, T0).state;
    const ref: MessageRef = { id: 'm1', nodeId: 's', step: 1, sentAt: T0 };
    const fire = (
      event: 'no_open' | 'no_click' | 'no_reply',
      hours: number,
      events: RecordedEvent[],
      atHours = hours,
    ) =>
      onTimeout(
        d,
        state,
        {
          nodeId: 's',
          step: 1,
          event,
          transitionIndex: (transitions ?? []).findIndex((t) => t.on === event),
          dueAt: new Date(T0.getTime() + hours * 3_600_000),
        },
        { latestMessage: ref, latestMessageEvents: events },
        new Date(T0.getTime() + atHours * 3_600_000),
      );
    return { fire };
  }
  const open = event('opened', '2026-01-05T12:00:00Z');

  it('regression: a send node with no_open and no opened transition idled forever after an open', () => {
    const { fire } = sentWith([{ on: 'no_open', to: 'next', after: 'PT24H' }]);
    const result = fire('no_open', 24, [open]);
    expect(result.effect).toBe('skipped');
    expect(result.state).toMatchObject({ status: 'completed', stopReason: 'no_path', currentNodeId: 's' });
    expect(result.effects).toEqual([
      { type: 'cancel_pending' },
      { type: 'end', at: new Date('2026-01-06T10:00:00Z'), status: 'completed', reason: 'no_path' },
    ]);
  });

  it('stays when an engagement transition can still fire: no within, or its window still open', () => {
    const noWithin = sentWith([
      { on: 'clicked', to: 'next' },
      { on: 'no_open', to: 'next', after: 'PT24H' },
    ]);
    expect(noWithin.fire('no_open', 24, [open])).toMatchObject({ effect: 'skipped', effects: [] });
    expect(noWithin.fire('no_open', 24, [open]).state.status).toBe('active');

    const windowed = sentWith([
      { on: 'clicked', to: 'next', within: 'PT48H' },
      { on: 'no_open', to: 'next', after: 'PT24H' },
    ]);
    const onTime = windowed.fire('no_open', 24, [open]);
    expect(onTime).toMatchObject({ effect: 'skipped', effects: [] });
    expect(onTime.state.status).toBe('active');
    // the same timeout run after the click window closed (late, after an outage): nothing can fire
    const late = windowed.fire('no_open', 24, [open], 49);
    expect(late.state).toMatchObject({ status: 'completed', stopReason: 'no_path' });
  });

  it('a transition on an event that ends the campaign first (exitOn, unsubscribe) cannot fire', () => {
    const transitions: Transitions = [
      { on: 'replied', to: 'next' },
      { on: 'unsubscribed', to: 'next' },
      { on: 'no_open', to: 'next', after: 'PT24H' },
    ];
    expect(sentWith(transitions).fire('no_open', 24, [open]).state.stopReason).toBe('no_path');
    // with replied out of exitOn, a reply can still take its transition
    expect(sentWith(transitions, ['bounced']).fire('no_open', 24, [open]).state).toMatchObject({
      status: 'active',
      stopReason: null,
    });
  });

  it('waits for another timeout whose condition still holds; completes at once when every timeout is broken', () => {
    const twoTimeouts = sentWith([
      { on: 'no_open', to: 'next', after: 'PT24H' },
      { on: 'no_reply', to: 'next', after: 'PT72H' },
    ]);
    expect(twoTimeouts.fire('no_open', 24, [open])).toMatchObject({ effect: 'skipped', effects: [] });
    expect(twoTimeouts.fire('no_reply', 72, [open]).effect).toBe('transition');

    // a click breaks both no_open and no_click: the first to run is already the last that could fire
    const click = event('clicked', '2026-01-05T12:00:00Z');
    const bothBroken = sentWith([
      { on: 'no_open', to: 'next', after: 'PT24H' },
      { on: 'no_click', to: 'next', after: 'PT48H' },
    ]);
    expect(bothBroken.fire('no_open', 24, [click]).state).toMatchObject({
      status: 'completed',
      stopReason: 'no_path',
    });
  });
});

describe('pause, resume, cancel (rule 8)', () => {
  it('pause is only allowed from active; resume only from paused; cancel not from a terminal status', () => {
    const active = activeAtIntro();
    expect(() => pause(initialState(), T0)).toThrow(/cannot pause a campaign that is pending/);
    expect(() => resume(def, active, T0, noHistory, [], [])).toThrow(/cannot resume/);
    expect(() => cancel({ ...active, status: 'completed' }, T0)).toThrow(/cannot cancel/);
  });

  it('resume reschedules only actions that fell due, sends through quiet hours', () => {
    const quietDef: CampaignDefinition = {
      plan: { ...plan, quietHours: { start: '21:00', end: '07:00' } },
      timezone: 'UTC',
    };
    const paused = pause(activeAtIntro(), T0).state;
    const resumeAt = new Date('2026-01-05T22:00:00Z'); // quiet in UTC until 07:00 next day
    const { state, effects } = resume(
      quietDef,
      paused,
      resumeAt,
      noHistory,
      [],
      [
        { id: 'a-send', kind: 'send', runAt: new Date('2026-01-05T11:00:00Z') },
        { id: 'a-timeout', kind: 'timeout', runAt: new Date('2026-01-05T12:00:00Z') },
        { id: 'a-later', kind: 'timeout', runAt: new Date('2026-01-06T12:00:00Z') },
      ],
    );
    expect(state.status).toBe('active');
    expect(effects).toEqual([
      { type: 'resume', at: resumeAt },
      { type: 'reschedule', actionId: 'a-send', runAt: new Date('2026-01-06T07:00:00Z') },
      { type: 'reschedule', actionId: 'a-timeout', runAt: resumeAt },
    ]);
  });
});

describe('new plan version (rule 9 support)', () => {
  it('recomputes the current node timeouts from its original anchor', () => {
    const state = onSendExecuted(def, activeAtIntro(), T0).state;
    const longer: CampaignDefinition = {
      plan: {
        ...plan,
        nodes: plan.nodes.map((n) =>
          n.id === 'intro' && n.action === 'send'
            ? {
                ...n,
                transitions: [
                  { on: 'opened', to: 'wait', within: 'PT96H' },
                  { on: 'no_open', to: 'done', after: 'PT96H' },
                ],
              }
            : n,
        ),
      },
      timezone: 'UTC',
    };
    expect(timeoutsFromAnchor(longer, state).map((a) => a.runAt)).toEqual([new Date('2026-01-09T10:00:00Z')]);
  });
});

describe('rule 3 when a send executes (deferSend)', () => {
  const quiet: CampaignDefinition = {
    plan: { ...plan, timezone: 'America/New_York', quietHours: { start: '21:00', end: '07:30' } },
    timezone: 'America/New_York',
  };
  const send = { id: 'a1', nodeId: 'intro' };

  it('lets an allowed instant through, the quiet end itself included', () => {
    expect(deferSend(quiet, activeAtIntro(), send, new Date('2026-01-05T20:59:00-05:00'))).toBeNull();
    expect(deferSend(quiet, activeAtIntro(), send, new Date('2026-01-06T07:30:00-05:00'))).toBeNull();
  });

  it('moves a send due in quiet hours to the next local end, and says why', () => {
    const at = new Date('2026-01-05T23:00:00-05:00');
    const decision = deferSend(quiet, activeAtIntro(), send, at);
    expect(decision?.effects).toEqual([
      {
        type: 'defer',
        actionId: 'a1',
        node: 'intro',
        at,
        until: new Date('2026-01-06T07:30:00-05:00'),
        reason: 'quiet_hours',
      },
    ]);
    expect(decision?.state).toEqual(activeAtIntro());
  });

  it('resolves the next end on the zone clock across a DST change (07:30 EDT after a night in EST)', () => {
    const at = new Date('2026-03-08T01:00:00-05:00'); // the spring-forward night in New York
    expect(deferSend(quiet, activeAtIntro(), send, at)?.effects[0]).toMatchObject({
      until: new Date('2026-03-08T07:30:00-04:00'),
    });
  });

  it('a plan without quiet hours never defers', () => {
    expect(deferSend(def, activeAtIntro(), send, new Date('2026-01-05T03:00:00Z'))).toBeNull();
  });
});

describe('onSendFailed', () => {
  it('stops an active campaign with reason send_failed and cancels what is pending', () => {
    const decision = onSendFailed(activeAtIntro(), T0);
    expect(decision.state).toMatchObject({ status: 'stopped', stopReason: 'send_failed' });
    expect(decision.effects).toEqual([
      { type: 'cancel_pending' },
      { type: 'end', at: T0, status: 'stopped', reason: 'send_failed' },
    ]);
  });

  it('leaves a campaign that is already over as it is', () => {
    const over = cancel(activeAtIntro(), T0).state;
    expect(onSendFailed(over, T0)).toEqual({ state: over, effects: [] });
  });
});

describe('onAddressSuppressed', () => {
  it('stops an active or paused campaign with the suppression as its reason and cancels what is pending', () => {
    for (const reason of ['unsubscribed', 'complained'] as const) {
      const decision = onAddressSuppressed(activeAtIntro(), reason, T0);
      expect(decision.state).toMatchObject({ status: 'stopped', stopReason: reason, pausedAt: null });
      expect(decision.effects).toEqual([
        { type: 'cancel_pending' },
        { type: 'end', at: T0, status: 'stopped', reason },
      ]);
    }
    expect(onAddressSuppressed(pause(activeAtIntro(), T0).state, 'unsubscribed', T0).state.status).toBe(
      'stopped',
    );
  });

  it('leaves a campaign that is already over as it is', () => {
    const over = cancel(activeAtIntro(), T0).state;
    expect(onAddressSuppressed(over, 'unsubscribed', T0)).toEqual({ state: over, effects: [] });
  });
});

describe('the default exitOn', () => {
  // No exitOn, and no transition on replied or bounced: only DEFAULT_EXIT_ON can stop this campaign.
  const { exitOn: _dropped, ...withoutExitOn } = plan;
  const defaultDef: CampaignDefinition = { plan: withoutExitOn, timezone: 'UTC' };
  const emptyDef: CampaignDefinition = { plan: { ...plan, exitOn: [] }, timezone: 'UTC' };
  const sentUnder = (d: CampaignDefinition) =>
    onSendExecuted(d, activate(d, initialState(), T0, noHistory).state, T0).state;
  const ctx = (e: RecordedEvent): EngineContext => ({ latestMessage: msg, latestMessageEvents: [e] });

  it('regression: a plan without exitOn is stopped by a reply and by a bounce (stopReason says which)', () => {
    expect(defaultDef.plan.exitOn).toBeUndefined();
    for (const type of ['replied', 'bounced'] as const) {
      const e = event(type, '2026-01-05T11:00:00Z');
      const result = onEvent(defaultDef, sentUnder(defaultDef), e, ctx(e), e.occurredAt);
      expect(result.effect, type).toBe('exit');
      expect(result.state, type).toMatchObject({ status: 'stopped', stopReason: type });
      // Stopped, not suppressed: a reply or a bounce ends this campaign only.
      expect(
        result.effects.map((x) => x.type),
        type,
      ).toEqual(['cancel_pending', 'end']);
    }
  });

  it('exitOn: [] is not stopped by a reply or a bounce', () => {
    for (const type of ['replied', 'bounced'] as const) {
      const e = event(type, '2026-01-05T11:00:00Z');
      const result = onEvent(emptyDef, sentUnder(emptyDef), e, ctx(e), e.occurredAt);
      expect(result.effect, type).toBe('ignored');
      expect(result.state, type).toMatchObject({
        status: 'active',
        currentNodeId: 'intro',
        stopReason: null,
      });
    }
  });
});
