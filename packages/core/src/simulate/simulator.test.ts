import { describe, expect, it } from 'vitest';
import { ImplausibleEventTimeError } from '../errors.ts';
import type { Plan } from '../plan/plan-schema.ts';
import { type SimulationEvent, type SimulationInput, simulationEventsSchema } from './simulation-input.ts';
import { simulate } from './simulator.ts';
import type { TimelineEntry } from './timeline.ts';

/*
 * Scenario tests of DESIGN section 4 through the simulator (which drives the pure engine). Expected
 * instants are worked out by hand in the comments next to them.
 */

const UTC_START = '2026-01-05T10:00:00.000Z'; // a Monday, far from any DST change

function planOf(nodes: Plan['nodes'], extra: Partial<Plan> = {}): Plan {
  return { version: '1.0', timezone: 'UTC', startNodeId: nodes[0]?.id ?? '', nodes, ...extra };
}

function send(
  id: string,
  transitions: NonNullable<Extract<Plan['nodes'][number], { action: 'send' }>['transitions']>,
  delay = 'PT0S',
) {
  return {
    id,
    action: 'send' as const,
    subject: `subject ${id}`,
    body: `body ${id}`,
    schedule: { delay },
    transitions,
  };
}

function ev(at: string, type: SimulationEvent['type'], more: Partial<SimulationEvent> = {}): SimulationEvent {
  return { at: new Date(at), type, ...more };
}

function run(plan: Plan, events: SimulationInput[] = [], start = UTC_START, until?: string) {
  return simulate({
    definition: { plan, timezone: plan.timezone ?? 'UTC' },
    contact: { email: 'ada@example.com', name: 'Ada' },
    start: new Date(start),
    events,
    until: until ? new Date(until) : undefined,
  });
}

function kinds(timeline: TimelineEntry[], kind: TimelineEntry['kind']) {
  return timeline.filter((e) => e.kind === kind);
}

const intro = send('intro', [
  { on: 'opened', to: 'wait_click', within: 'PT72H' },
  { on: 'no_open', to: 'bump', after: 'PT72H' },
]);
const waitClick = {
  id: 'wait_click',
  action: 'wait' as const,
  transitions: [
    { on: 'clicked' as const, to: 'done' },
    { on: 'no_click' as const, to: 'bump', after: 'PT48H' },
  ],
};
const bump = send('bump', [], 'P1D');
const done = { id: 'done', action: 'end' as const };
const seedPlan = planOf([intro, waitClick, bump, done]);

describe('seed scenarios', () => {
  it('send-only campaign: sends once at activation and completes', () => {
    const result = run(planOf([send('only', [])]));
    expect(result.status).toBe('completed');
    expect(result.timeline).toEqual([
      { at: UTC_START, kind: 'enter', node: 'only', step: 1 },
      {
        at: UTC_START,
        kind: 'send',
        node: 'only',
        message: 'msg_1',
        dueAt: UTC_START,
        subject: 'subject only',
      },
      { at: UTC_START, kind: 'end', status: 'completed' },
    ]);
  });

  it('no_open -> bump: the timeout fires 72 h after the send and the bump goes out a day later', () => {
    const result = run(seedPlan);
    expect(result.status).toBe('completed');
    expect(kinds(result.timeline, 'timeout')).toEqual([
      // 2026-01-05T10:00Z + 72 h
      {
        at: '2026-01-08T10:00:00.000Z',
        kind: 'timeout',
        node: 'intro',
        event: 'no_open',
        effect: 'transition',
      },
    ]);
    expect(kinds(result.timeline, 'send').map((s) => [s.at, (s as { node: string }).node])).toEqual([
      [UTC_START, 'intro'],
      ['2026-01-09T10:00:00.000Z', 'bump'], // entered 01-08T10:00Z, delay P1D in UTC
    ]);
  });

  it('open -> next node, click -> end: a multi-step sequence driven by events', () => {
    const result = run(seedPlan, [
      ev('2026-01-05T12:00:00Z', 'opened'),
      ev('2026-01-06T09:00:00Z', 'clicked'),
    ]);
    expect(result.status).toBe('completed');
    expect(result.currentNodeId).toBe('done');
    expect(kinds(result.timeline, 'transition')).toEqual([
      { at: '2026-01-05T12:00:00.000Z', kind: 'transition', from: 'intro', to: 'wait_click', on: 'opened' },
      { at: '2026-01-06T09:00:00.000Z', kind: 'transition', from: 'wait_click', to: 'done', on: 'clicked' },
    ]);
    // Leaving a node cancels its timeouts: no no_open / no_click ever fires.
    expect(kinds(result.timeline, 'timeout')).toEqual([]);
  });
});

describe('rule 1: activation', () => {
  it('enters startNodeId at the activation instant with step 1', () => {
    const result = run(
      planOf([
        { id: 'w', action: 'wait', transitions: [{ on: 'no_open', to: 'done', after: 'PT1H' }] },
        done,
      ]),
    );
    expect(result.timeline[0]).toEqual({ at: UTC_START, kind: 'enter', node: 'w', step: 1 });
  });
});

describe('rule 2: entering a node', () => {
  it('numbers steps, records each transition, and an end node completes the campaign', () => {
    const result = run(seedPlan, [
      ev('2026-01-05T12:00:00Z', 'opened'),
      ev('2026-01-05T13:00:00Z', 'clicked'),
    ]);
    expect(kinds(result.timeline, 'enter')).toEqual([
      { at: UTC_START, kind: 'enter', node: 'intro', step: 1 },
      { at: '2026-01-05T12:00:00.000Z', kind: 'enter', node: 'wait_click', step: 2 },
      { at: '2026-01-05T13:00:00.000Z', kind: 'enter', node: 'done', step: 3 },
    ]);
    expect(result.timeline.at(-1)).toEqual({
      at: '2026-01-05T13:00:00.000Z',
      kind: 'end',
      status: 'completed',
    });
  });

  it('a wait node anchors at its entry: its timeout fires `after` past the entry', () => {
    const result = run(seedPlan, [ev('2026-01-05T12:00:00Z', 'opened')]);
    // entered wait_click at 01-05T12:00Z, no_click after PT48H
    expect(kinds(result.timeline, 'timeout')).toEqual([
      {
        at: '2026-01-07T12:00:00.000Z',
        kind: 'timeout',
        node: 'wait_click',
        event: 'no_click',
        effect: 'transition',
      },
    ]);
  });
});

describe('rule 3: quiet hours and DST', () => {
  const la = { timezone: 'America/Los_Angeles', quietHours: { start: '21:00', end: '07:30' } };

  it('a send due in quiet hours moves to the next local end; dueAt keeps the asked time', () => {
    // 2026-01-05T06:00Z is 22:00 PST on Jan 4: quiet until 07:30 PST Jan 5 = 15:30Z
    const result = run(planOf([send('s', [])], la), [], '2026-01-05T06:00:00Z');
    expect(kinds(result.timeline, 'send')).toEqual([
      {
        at: '2026-01-05T15:30:00.000Z',
        kind: 'send',
        node: 's',
        message: 'msg_1',
        dueAt: '2026-01-05T06:00:00.000Z',
        subject: 'subject s',
      },
    ]);
  });

  it('timeouts are not moved by quiet hours', () => {
    // sent 10:00 PST (18:00Z); no_open after PT12H fires 22:00 PST, inside quiet hours, unmoved
    const plan = planOf([send('s', [{ on: 'no_open', to: 'done', after: 'PT12H' }]), done], la);
    const result = run(plan, [], '2026-01-05T18:00:00Z');
    expect(kinds(result.timeline, 'timeout')[0]?.at).toBe('2026-01-06T06:00:00.000Z');
  });

  it('P1D keeps the local wall clock across spring-forward; PT24H does not', () => {
    const ny = { timezone: 'America/New_York' };
    // Entered 2026-03-07 09:00 EST (14:00Z). DST starts 2026-03-08 02:00.
    const calendar = run(planOf([send('s', [], 'P1D')], ny), [], '2026-03-07T14:00:00Z');
    expect(kinds(calendar.timeline, 'send')[0]?.at).toBe('2026-03-08T13:00:00.000Z'); // 09:00 EDT
    const elapsed = run(planOf([send('s', [], 'PT24H')], ny), [], '2026-03-07T14:00:00Z');
    expect(kinds(elapsed.timeline, 'send')[0]?.at).toBe('2026-03-08T14:00:00.000Z'); // 10:00 EDT
  });

  it('a send that lands on a nonexistent local time is shifted forward by the gap', () => {
    // Entered 2026-03-07 02:30 EST (07:30Z); P1D -> 2026-03-08 02:30, which does not exist -> 03:30 EDT = 07:30Z
    const result = run(
      planOf([send('s', [], 'P1D')], { timezone: 'America/New_York' }),
      [],
      '2026-03-07T07:30:00Z',
    );
    expect(kinds(result.timeline, 'send')[0]?.at).toBe('2026-03-08T07:30:00.000Z');
  });
});

describe('rule 4: the send anchors its node', () => {
  it('timeouts count from the send time, not from the entry time', () => {
    // Entered 10:00Z, delay PT5H -> sent 15:00Z; no_open after PT10H -> 01:00Z next day
    const plan = planOf([send('s', [{ on: 'no_open', to: 'done', after: 'PT10H' }], 'PT5H'), done]);
    const result = run(plan);
    expect(kinds(result.timeline, 'send')[0]?.at).toBe('2026-01-05T15:00:00.000Z');
    expect(kinds(result.timeline, 'timeout')[0]?.at).toBe('2026-01-06T01:00:00.000Z');
  });

  it('`within` counts from the send time', () => {
    // sent 15:00Z; opened within PT2H: an open at 16:59Z matches, though 6h59m after entry
    const plan = planOf([
      send(
        's',
        [
          { on: 'opened', to: 'done', within: 'PT2H' },
          { on: 'no_open', to: 'other', after: 'PT2H' },
        ],
        'PT5H',
      ),
      done,
      { id: 'other', action: 'end' },
    ]);
    const result = run(plan, [ev('2026-01-05T16:59:00Z', 'opened')]);
    expect(result.currentNodeId).toBe('done');
  });

  it('nothing is sent once the campaign is no longer active at that step', () => {
    const plan = planOf([send('s', [], 'PT1H')]);
    const result = run(plan, [ev('2026-01-05T10:30:00Z', 'cancel')]);
    expect(kinds(result.timeline, 'send')).toEqual([]);
    expect(result.status).toBe('cancelled');
  });

  it('a send node without transitions completes after sending', () => {
    const result = run(planOf([send('s', [])]));
    expect(result.status).toBe('completed');
    expect(result.currentNodeId).toBe('s');
  });
});

describe('rule 5: engagement events', () => {
  it('an exitOn event stops the campaign and cancels its pending actions', () => {
    const plan = { ...seedPlan, exitOn: ['replied' as const] };
    const result = run(plan, [ev('2026-01-05T11:00:00Z', 'replied', { id: 'r1' })]);
    expect(result.status).toBe('stopped');
    expect(result.stopReason).toBe('replied');
    expect(kinds(result.timeline, 'event')).toEqual([
      {
        at: '2026-01-05T11:00:00.000Z',
        kind: 'event',
        type: 'replied',
        message: 'msg_1',
        id: 'r1',
        effect: 'exit',
      },
    ]);
    expect(result.timeline.at(-1)).toEqual({
      at: '2026-01-05T11:00:00.000Z',
      kind: 'end',
      status: 'stopped',
      reason: 'replied',
    });
    // the no_open timeout at 01-08 never fires
    expect(kinds(result.timeline, 'timeout')).toEqual([]);
  });

  it('unsubscribed and complained stop the campaign even when exitOn leaves them out', () => {
    for (const type of ['unsubscribed', 'complained'] as const) {
      const result = run({ ...seedPlan, exitOn: [] }, [ev('2026-01-05T11:00:00Z', type)]);
      expect(result.status).toBe('stopped');
      expect(result.stopReason).toBe(type);
    }
  });

  it('a bounce not in exitOn does not stop the campaign', () => {
    const result = run({ ...seedPlan, exitOn: ['replied'] }, [ev('2026-01-05T11:00:00Z', 'bounced')]);
    expect(result.status).toBe('completed');
    expect(kinds(result.timeline, 'event')[0]).toMatchObject({ type: 'bounced', effect: 'ignored' });
  });

  it('transitions are tried in plan order: the first match wins', () => {
    const plan = planOf([
      send('s', [
        { on: 'opened', to: 'first', within: 'PT1H' },
        { on: 'opened', to: 'second' },
        { on: 'no_open', to: 'second', after: 'PT1H' },
      ]),
      { id: 'first', action: 'end' },
      { id: 'second', action: 'end' },
    ]);
    expect(run(plan, [ev('2026-01-05T10:30:00Z', 'opened')]).currentNodeId).toBe('first');
    // past the first one's window, the second one matches
    const late = planOf([
      send('s', [
        { on: 'opened', to: 'first', within: 'PT1H' },
        { on: 'opened', to: 'second' },
        { on: 'no_open', to: 'second', after: 'PT3H' },
      ]),
      { id: 'first', action: 'end' },
      { id: 'second', action: 'end' },
    ]);
    expect(run(late, [ev('2026-01-05T11:30:00Z', 'opened')]).currentNodeId).toBe('second');
  });

  it('`within` is inclusive at its bound and excludes anything later', () => {
    const plan = planOf([
      send('s', [
        { on: 'opened', to: 'done', within: 'PT72H' },
        { on: 'no_open', to: 'late', after: 'PT72H' },
      ]),
      done,
      { id: 'late', action: 'end' },
    ]);
    // exactly 72 h after the 10:00Z send: matches (and comes before the timeout due at the same instant)
    expect(run(plan, [ev('2026-01-08T10:00:00Z', 'opened')]).currentNodeId).toBe('done');
    const outside = run(
      planOf([
        send('s', [
          { on: 'opened', to: 'done', within: 'PT1H' },
          { on: 'no_click', to: 'late', after: 'PT2H' },
        ]),
        done,
        { id: 'late', action: 'end' },
      ]),
      [ev('2026-01-05T11:00:00.001Z', 'opened')],
    );
    expect(outside.currentNodeId).toBe('late');
    expect(kinds(outside.timeline, 'event')[0]).toMatchObject({ effect: 'ignored' });
  });

  it('a click with no clicked transition is tried against opened (the transition says opened)', () => {
    const result = run(seedPlan, [ev('2026-01-05T12:00:00Z', 'clicked')]);
    expect(kinds(result.timeline, 'transition')[0]).toEqual({
      at: '2026-01-05T12:00:00.000Z',
      kind: 'transition',
      from: 'intro',
      to: 'wait_click',
      on: 'opened',
    });
  });

  it('an exact clicked transition wins over the opened fallback', () => {
    const plan = planOf([
      send('s', [
        { on: 'opened', to: 'via_open' },
        { on: 'clicked', to: 'via_click' },
        { on: 'no_open', to: 'via_open', after: 'PT1H' },
      ]),
      { id: 'via_open', action: 'end' },
      { id: 'via_click', action: 'end' },
    ]);
    expect(run(plan, [ev('2026-01-05T10:10:00Z', 'clicked')]).currentNodeId).toBe('via_click');
  });

  it('an event about an older message does not move the current node (never backwards)', () => {
    // intro -> (no_open 72h) -> s2 sends at 01-08T10:00Z; a late open of intro's message then matches nothing
    const plan = planOf([
      send('intro', [{ on: 'no_open', to: 's2', after: 'PT72H' }]),
      send('s2', [
        { on: 'opened', to: 'done' },
        { on: 'no_open', to: 'other', after: 'PT24H' },
      ]),
      done,
      { id: 'other', action: 'end' },
    ]);
    const result = run(plan, [ev('2026-01-08T12:00:00Z', 'opened', { node: 'intro' })]);
    expect(kinds(result.timeline, 'event')[0]).toMatchObject({ message: 'msg_1', effect: 'ignored' });
    expect(result.currentNodeId).toBe('other');
  });

  it('a send node matches nothing before it has sent', () => {
    // s2 is entered at 11:00Z but sends only at 13:00Z; an open of msg_1 at 12:00Z must not move s2
    const plan = planOf([
      send('s1', [
        { on: 'opened', to: 's2' },
        { on: 'no_open', to: 's2', after: 'PT1H' },
      ]),
      send(
        's2',
        [
          { on: 'opened', to: 'done' },
          { on: 'no_open', to: 'other', after: 'PT1H' },
        ],
        'PT2H',
      ),
      done,
      { id: 'other', action: 'end' },
    ]);
    const result = run(plan, [ev('2026-01-05T12:00:00Z', 'opened')]);
    expect(result.currentNodeId).toBe('other');
  });

  it('machine opens, bot clicks and auto-replies are recorded but count for nothing', () => {
    const result = run({ ...seedPlan, exitOn: ['replied'] }, [
      ev('2026-01-05T10:01:00Z', 'opened', { machine: true }),
      ev('2026-01-05T10:02:00Z', 'clicked', { bot: true }),
      ev('2026-01-05T10:03:00Z', 'replied', { autoReply: true }),
    ]);
    expect(kinds(result.timeline, 'event').map((e) => (e as { effect: string }).effect)).toEqual([
      'ignored',
      'ignored',
      'ignored',
    ]);
    // and the no_open timeout still takes its transition: the machine open did not satisfy it
    expect(kinds(result.timeline, 'timeout')[0]).toMatchObject({ event: 'no_open', effect: 'transition' });
    expect(result.status).toBe('completed');
  });

  it('regression: a bot open (a scanner open, Mailgun client-info.bot) took the opened branch and cancelled no_open', () => {
    const result = run(seedPlan, [ev('2026-01-05T10:01:00Z', 'opened', { bot: true })]);
    expect(kinds(result.timeline, 'event')).toEqual([
      { at: '2026-01-05T10:01:00.000Z', kind: 'event', type: 'opened', message: 'msg_1', effect: 'ignored' },
    ]);
    expect(kinds(result.timeline, 'timeout')[0]).toMatchObject({ event: 'no_open', effect: 'transition' });
    expect(kinds(result.timeline, 'transition')[0]).toMatchObject({ from: 'intro', on: 'no_open' });
  });

  it('an event id seen before is dropped', () => {
    const result = run(seedPlan, [
      ev('2026-01-05T12:00:00Z', 'delivered', { id: 'd1' }),
      ev('2026-01-05T12:00:01Z', 'delivered', { id: 'd1' }),
    ]);
    expect(kinds(result.timeline, 'event')).toHaveLength(1);
  });

  it('an event for a campaign that is over is recorded and changes nothing', () => {
    const result = run(planOf([send('s', [])]), [ev('2026-01-05T12:00:00Z', 'unsubscribed')]);
    expect(result.status).toBe('completed');
    expect(kinds(result.timeline, 'event')[0]).toMatchObject({ effect: 'ignored' });
  });

  it('entering a wait node replays the events already recorded for its reference message, oldest first', () => {
    const plan = planOf([
      send('intro', [
        { on: 'opened', to: 'wait_click' },
        { on: 'no_open', to: 'bump', after: 'PT72H' },
      ]),
      waitClick,
      bump,
      done,
    ]);
    // a click by a link scanner at 11:00 is ignored at intro and replayed at wait_click, where it is ignored
    // too; the genuine click at 11:30 is tried at intro (fallback to opened) and moves to wait_click, where
    // replaying it moves on to done at once.
    const result = run(plan, [
      ev('2026-01-05T11:00:00Z', 'clicked', { bot: true }),
      ev('2026-01-05T11:30:00Z', 'clicked'),
    ]);
    expect(kinds(result.timeline, 'transition')).toEqual([
      { at: '2026-01-05T11:30:00.000Z', kind: 'transition', from: 'intro', to: 'wait_click', on: 'opened' },
      { at: '2026-01-05T11:30:00.000Z', kind: 'transition', from: 'wait_click', to: 'done', on: 'clicked' },
    ]);
  });
  it('an engagement recorded before the wait began is taken at entry', () => {
    // the click at 10:04 matches nothing at intro (no clicked or opened transition); delivery at 10:05
    // moves to wait_click, whose replay finds the click
    const plan = planOf([
      send('intro', [
        { on: 'delivered', to: 'wait_click' },
        { on: 'no_open', to: 'bump', after: 'PT72H' },
      ]),
      waitClick,
      bump,
      done,
    ]);
    const result = run(plan, [
      ev('2026-01-05T10:04:00Z', 'clicked'),
      ev('2026-01-05T10:05:00Z', 'delivered'),
    ]);
    expect(kinds(result.timeline, 'event').map((e) => (e as { effect: string }).effect)).toEqual([
      'ignored',
      'transition',
    ]);
    expect(kinds(result.timeline, 'transition')).toEqual([
      {
        at: '2026-01-05T10:05:00.000Z',
        kind: 'transition',
        from: 'intro',
        to: 'wait_click',
        on: 'delivered',
      },
      { at: '2026-01-05T10:05:00.000Z', kind: 'transition', from: 'wait_click', to: 'done', on: 'clicked' },
    ]);
  });

  it('replayed events are tried in the order they occurred', () => {
    const plan = planOf([
      send('intro', [
        { on: 'delivered', to: 'w' },
        { on: 'no_open', to: 'by_open', after: 'PT72H' },
      ]),
      {
        id: 'w',
        action: 'wait',
        transitions: [
          { on: 'clicked', to: 'by_click' },
          { on: 'opened', to: 'by_open' },
          { on: 'no_open', to: 'by_open', after: 'PT1H' },
        ],
      },
      { id: 'by_open', action: 'end' },
      { id: 'by_click', action: 'end' },
    ]);
    // the open (10:01) happened before the click (10:02), so the open is replayed first and wins
    // even though the wait node lists `clicked` first
    const result = run({ ...plan, exitOn: [] }, [
      ev('2026-01-05T10:01:00Z', 'opened'),
      ev('2026-01-05T10:02:00Z', 'clicked'),
      ev('2026-01-05T10:05:00Z', 'delivered'),
    ]);
    expect(result.currentNodeId).toBe('by_open');
  });
});

describe('rule 6: timeouts', () => {
  it('a timeout whose condition no longer holds is skipped', () => {
    // The node waits for a click; the contact opens but never clicks, so no_open no longer holds.
    const plan = planOf([
      send('s', [
        { on: 'clicked', to: 'done' },
        { on: 'no_open', to: 'other', after: 'PT24H' },
      ]),
      done,
      { id: 'other', action: 'end' },
    ]);
    const result = run(plan, [ev('2026-01-05T12:00:00Z', 'opened')], UTC_START, '2026-01-10T00:00:00Z');
    expect(kinds(result.timeline, 'timeout')).toEqual([
      { at: '2026-01-06T10:00:00.000Z', kind: 'timeout', node: 's', event: 'no_open', effect: 'skipped' },
    ]);
    expect(result.currentNodeId).toBe('s');
    expect(result.status).toBe('active');
  });

  it('regression: a send node with no_open and no opened transition, stranded by an open, stayed active forever', () => {
    // the open at 12:00 breaks no_open (due 01-06T10:00Z); nothing else can move the node: it completes
    const plan = planOf([
      send('s', [{ on: 'no_open', to: 'other', after: 'PT24H' }]),
      { id: 'other', action: 'end' },
    ]);
    const result = run(plan, [ev('2026-01-05T12:00:00Z', 'opened')], UTC_START, '2026-01-10T00:00:00Z');
    expect(result.timeline.slice(-2)).toEqual([
      { at: '2026-01-06T10:00:00.000Z', kind: 'timeout', node: 's', event: 'no_open', effect: 'skipped' },
      { at: '2026-01-06T10:00:00.000Z', kind: 'end', status: 'completed', reason: 'no_path' },
    ]);
    expect(result).toMatchObject({ status: 'completed', currentNodeId: 's', stopReason: 'no_path' });
  });

  it('regression: paused past the timeout, a late open does not strand the campaign at resume', () => {
    // no_open due 01-08T10:00Z (72 h); paused at 48 h; open at 74 h (outside `within`); resumed at 96 h
    const result = run(seedPlan, [
      ev('2026-01-07T10:00:00Z', 'pause'),
      ev('2026-01-08T12:00:00Z', 'opened'),
      ev('2026-01-09T10:00:00Z', 'resume'),
    ]);
    expect(kinds(result.timeline, 'timeout')).toEqual([
      {
        at: '2026-01-09T10:00:00.000Z',
        kind: 'timeout',
        node: 'intro',
        event: 'no_open',
        effect: 'transition',
      },
    ]);
    expect(result.status).toBe('completed');
  });

  it('a click also breaks no_open (a click implies an open)', () => {
    const plan = planOf([
      send('s', [
        { on: 'replied', to: 'done' },
        { on: 'no_open', to: 'other', after: 'PT24H' },
      ]),
      done,
      { id: 'other', action: 'end' },
    ]);
    const result = run(
      { ...plan, exitOn: [] },
      [ev('2026-01-05T12:00:00Z', 'clicked')],
      UTC_START,
      '2026-01-10T00:00:00Z',
    );
    expect(kinds(result.timeline, 'timeout')[0]).toMatchObject({ effect: 'skipped' });
  });

  it('without an engagement the timeout takes its transition', () => {
    const result = run(seedPlan);
    expect(kinds(result.timeline, 'timeout')[0]).toMatchObject({ effect: 'transition' });
    expect(kinds(result.timeline, 'transition')[0]).toMatchObject({
      from: 'intro',
      to: 'bump',
      on: 'no_open',
    });
  });
});

describe('rule 8: pause, resume, cancel', () => {
  it('pause executes nothing; resume runs what fell due at resume time', () => {
    const result = run(seedPlan, [ev('2026-01-06T00:00:00Z', 'pause'), ev('2026-01-10T00:00:00Z', 'resume')]);
    // no_open was due 01-08T10:00Z, while paused: it fires at resume
    expect(kinds(result.timeline, 'timeout')).toEqual([
      {
        at: '2026-01-10T00:00:00.000Z',
        kind: 'timeout',
        node: 'intro',
        event: 'no_open',
        effect: 'transition',
      },
    ]);
    expect(kinds(result.timeline, 'pause')).toEqual([{ at: '2026-01-06T00:00:00.000Z', kind: 'pause' }]);
    expect(kinds(result.timeline, 'resume')).toEqual([{ at: '2026-01-10T00:00:00.000Z', kind: 'resume' }]);
  });

  it('a send that fell due while paused obeys quiet hours at resume', () => {
    const la = { timezone: 'America/Los_Angeles', quietHours: { start: '21:00', end: '07:30' } };
    // entered 2026-01-05T18:00Z (10:00 PST), delay PT1H -> due 19:00Z, paused at 18:30Z;
    // resumed 2026-01-06T06:00Z = 22:00 PST, quiet -> 07:30 PST Jan 6 = 15:30Z
    const plan = planOf([send('s', [], 'PT1H')], la);
    const result = run(
      plan,
      [ev('2026-01-05T18:30:00Z', 'pause'), ev('2026-01-06T06:00:00Z', 'resume')],
      '2026-01-05T18:00:00Z',
    );
    expect(kinds(result.timeline, 'send')).toEqual([
      {
        at: '2026-01-06T15:30:00.000Z',
        kind: 'send',
        node: 's',
        message: 'msg_1',
        dueAt: '2026-01-05T19:00:00.000Z',
        subject: 'subject s',
      },
    ]);
  });

  it('actions not yet due at resume keep their time', () => {
    const result = run(seedPlan, [ev('2026-01-06T00:00:00Z', 'pause'), ev('2026-01-07T00:00:00Z', 'resume')]);
    expect(kinds(result.timeline, 'timeout')[0]?.at).toBe('2026-01-08T10:00:00.000Z');
  });

  it('a reply recorded while paused stops the campaign at resume instead of a bump going out', () => {
    const result = run({ ...seedPlan, exitOn: ['replied'] }, [
      ev('2026-01-06T00:00:00Z', 'pause'),
      ev('2026-01-07T00:00:00Z', 'replied'),
      ev('2026-01-10T00:00:00Z', 'resume'),
    ]);
    // recorded while paused, it is the reply that stopped the campaign at resume
    expect(kinds(result.timeline, 'event')[0]).toMatchObject({ type: 'replied', effect: 'exit' });
    expect(result.status).toBe('stopped');
    expect(result.stopReason).toBe('replied');
    expect(kinds(result.timeline, 'send')).toHaveLength(1);
    expect(result.timeline.at(-1)).toEqual({
      at: '2026-01-10T00:00:00.000Z',
      kind: 'end',
      status: 'stopped',
      reason: 'replied',
    });
  });

  it('an unsubscribe while paused stops the campaign at once', () => {
    const result = run(seedPlan, [
      ev('2026-01-06T00:00:00Z', 'pause'),
      ev('2026-01-07T00:00:00Z', 'unsubscribed'),
    ]);
    expect(result.status).toBe('stopped');
    expect(result.stopReason).toBe('unsubscribed');
  });

  it('cancel cancels every pending action and ends the campaign', () => {
    const result = run(seedPlan, [ev('2026-01-06T00:00:00Z', 'cancel')]);
    expect(result.status).toBe('cancelled');
    expect(kinds(result.timeline, 'timeout')).toEqual([]);
    expect(result.timeline.slice(-2)).toEqual([
      { at: '2026-01-06T00:00:00.000Z', kind: 'cancel' },
      { at: '2026-01-06T00:00:00.000Z', kind: 'end', status: 'cancelled' },
    ]);
  });

  it('a pause the status does not allow changes nothing', () => {
    const result = run(planOf([send('s', [])]), [ev('2026-01-06T00:00:00Z', 'pause')]);
    expect(result.status).toBe('completed');
    expect(kinds(result.timeline, 'pause')).toEqual([]);
  });
});

describe('simulation bounds', () => {
  it('stops at --until and reports the campaign still active', () => {
    const result = run(seedPlan, [], UTC_START, '2026-01-07T00:00:00Z');
    expect(result.status).toBe('active');
    expect(result.currentNodeId).toBe('intro');
    expect(kinds(result.timeline, 'timeout')).toEqual([]);
  });
});

describe('the default exitOn (a plan that leaves exitOn out)', () => {
  // seedPlan has no exitOn and no replied or bounced transition: only the default can stop it.
  it('regression: a reply, or a bounce, stops a plan without exitOn (deleting the default made it mail on)', () => {
    expect(seedPlan.exitOn).toBeUndefined();
    for (const type of ['replied', 'bounced'] as const) {
      const result = run(seedPlan, [ev('2026-01-05T11:00:00Z', type)]);
      expect(result.status, type).toBe('stopped');
      expect(result.stopReason, type).toBe(type);
      expect(result.timeline.at(-1), type).toEqual({
        at: '2026-01-05T11:00:00.000Z',
        kind: 'end',
        status: 'stopped',
        reason: type,
      });
      // The no_open timeout (01-08) and the bump never happen.
      expect(kinds(result.timeline, 'send'), type).toHaveLength(1);
    }
  });

  it('an explicit empty exitOn stops on neither: the campaign mails on to the bump', () => {
    for (const type of ['replied', 'bounced'] as const) {
      const result = run({ ...seedPlan, exitOn: [] }, [ev('2026-01-05T11:00:00Z', type)]);
      expect(result.status, type).toBe('completed');
      expect(result.stopReason, type).toBeNull();
      expect(kinds(result.timeline, 'event')[0], type).toMatchObject({ type, effect: 'ignored' });
      expect(
        kinds(result.timeline, 'send').map((s) => s.at),
        type,
      ).toEqual([
        UTC_START,
        '2026-01-09T10:00:00.000Z', // no_open at 01-08 10:00, then the bump's P1D delay
      ]);
    }
  });

  it('an auto-reply does not stop a plan without exitOn', () => {
    const result = run(seedPlan, [ev('2026-01-05T11:00:00Z', 'replied', { autoReply: true })]);
    expect(result.status).toBe('completed');
    expect(kinds(result.timeline, 'send')).toHaveLength(2);
  });
});

describe('implausible event times (issue 9 item 9)', () => {
  // seedPlan: intro sent 01-05T10:00Z; no open, so no_open at 01-08T10:00Z enters bump, sent a day later.
  const BUMP_SENT = '2026-01-09T10:00:00.000Z';

  it('regression: an open naming a node, dated long before that node sent its message, stops the simulation naming the event', () => {
    const events = [
      ev('2026-01-05T11:00:00Z', 'delivered'),
      ev('2026-01-05T12:00:00Z', 'opened', { node: 'bump', id: 'early-open' }),
    ];
    const error = (() => {
      try {
        run(seedPlan, events);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ImplausibleEventTimeError);
    expect(error).toMatchObject({ code: 'implausible_time', pointer: '/1', eventId: 'early-open' });
    expect((error as Error).message).toContain(`sent at ${BUMP_SENT}`);
  });

  it('the bound is 5 minutes before the send, inclusive', () => {
    const at = (ms: number) => new Date(Date.parse(BUMP_SENT) - ms).toISOString();
    expect(() => run(seedPlan, [ev(at(5 * 60_000), 'opened', { node: 'bump' })])).not.toThrow();
    expect(() => run(seedPlan, [ev(at(5 * 60_000 + 1), 'opened', { node: 'bump' })])).toThrow(
      ImplausibleEventTimeError,
    );
  });

  it('an event that names no node concerns the latest message sent before it, so it is never before its send', () => {
    const result = run(seedPlan, [ev('2026-01-05T09:00:00Z', 'opened')]);
    expect(kinds(result.timeline, 'event')).toEqual([
      { at: '2026-01-05T09:00:00.000Z', kind: 'event', type: 'opened', message: null, effect: 'ignored' },
    ]);
  });
});

describe('rule 9: a new plan version in the events file', () => {
  const planEvent = (at: string, plan: unknown): SimulationInput => ({
    at: new Date(at),
    type: 'plan',
    plan,
  });
  const shorterWait = planOf([
    intro,
    {
      ...waitClick,
      transitions: [
        { on: 'clicked', to: 'done' },
        { on: 'no_click', to: 'bump', after: 'PT24H' },
      ],
    },
    bump,
    done,
  ]);

  it('is accepted at the current node; its timeouts are recomputed from the original anchor', () => {
    // opened at 01-05T12:00 -> wait_click anchored then; the update at 01-06T00:00 shortens no_click to
    // 24 h: it fires at 01-06T12:00 (anchor + 24 h), not at 01-07T00:00 (update + 24 h), and the old
    // 48 h timeout (01-07T12:00) is gone.
    const result = run(seedPlan, [
      ev('2026-01-05T12:00:00Z', 'opened'),
      planEvent('2026-01-06T00:00:00Z', shorterWait),
    ]);
    expect(kinds(result.timeline, 'plan_update')).toEqual([
      { at: '2026-01-06T00:00:00.000Z', kind: 'plan_update', version: 2, node: 'wait_click' },
    ]);
    expect(kinds(result.timeline, 'timeout')).toEqual([
      {
        at: '2026-01-06T12:00:00.000Z',
        kind: 'timeout',
        node: 'wait_click',
        event: 'no_click',
        effect: 'transition',
      },
    ]);
    expect(result.status).toBe('completed');
  });

  it('numbers versions from 2 and applies a later version on top of an earlier one', () => {
    const result = run(seedPlan, [
      ev('2026-01-05T12:00:00Z', 'opened'),
      planEvent('2026-01-05T13:00:00Z', seedPlan),
      planEvent('2026-01-06T00:00:00Z', shorterWait),
    ]);
    expect(kinds(result.timeline, 'plan_update').map((e) => (e as { version: number }).version)).toEqual([
      2, 3,
    ]);
    expect(kinds(result.timeline, 'timeout').map((e) => e.at)).toEqual(['2026-01-06T12:00:00.000Z']);
  });

  it('is refused when the new plan lacks the current node, and nothing changes', () => {
    const withoutWait = [send('intro', [{ on: 'no_open', to: 'bump', after: 'PT72H' }]), bump, done];
    const events = [ev('2026-01-05T12:00:00Z', 'opened')];
    const refused = run(seedPlan, [...events, planEvent('2026-01-06T00:00:00Z', planOf(withoutWait))]);
    expect(kinds(refused.timeline, 'plan_update')).toEqual([
      {
        at: '2026-01-06T00:00:00.000Z',
        kind: 'plan_update',
        refused: true,
        reason: 'node_missing: the new plan has no node "wait_click", where the campaign is now',
      },
    ]);
    const unchanged = run(seedPlan, events);
    expect(refused.timeline.filter((e) => e.kind !== 'plan_update')).toEqual(unchanged.timeline);
  });

  it('an invalid plan is refused with its validation errors, and nothing changes', () => {
    const events = [ev('2026-01-05T12:00:00Z', 'opened')];
    const broken = { ...seedPlan, startNodeId: 'nowhere' };
    const refused = run(seedPlan, [...events, planEvent('2026-01-06T00:00:00Z', broken)]);
    const [entry] = kinds(refused.timeline, 'plan_update');
    expect(entry).toMatchObject({ kind: 'plan_update', refused: true });
    expect((entry as { reason: string }).reason).toMatch(/^invalid_plan: \/startNodeId /);
    expect(refused.timeline.filter((e) => e.kind !== 'plan_update')).toEqual(run(seedPlan, events).timeline);
  });

  it('after the campaign ended it is refused (campaign_over)', () => {
    const result = run(planOf([send('only', [])]), [planEvent('2026-01-06T00:00:00Z', seedPlan)]);
    expect(kinds(result.timeline, 'plan_update')).toEqual([
      {
        at: '2026-01-06T00:00:00.000Z',
        kind: 'plan_update',
        refused: true,
        reason: 'campaign_over: cannot update the plan of a campaign that is completed',
      },
    ]);
  });

  it('the events file takes {"at", "type": "plan", "plan"} and nothing else on a plan line', () => {
    const line = { at: '2026-01-06T00:00:00Z', type: 'plan', plan: { nodes: [] } };
    expect(simulationEventsSchema.parse([line])).toEqual([{ ...line, at: new Date(line.at) }]);
    const extra = simulationEventsSchema.safeParse([{ ...line, node: 'intro' }]);
    expect(extra.success).toBe(false);
    const missing = simulationEventsSchema.safeParse([{ at: line.at, type: 'plan' }]);
    expect(missing.error?.issues[0]?.path).toEqual([0, 'plan']);
  });
});
