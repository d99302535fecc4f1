import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan-schema.ts';
import { activate, decisiveEvents, initialState, onEvent, onSendExecuted, onTimeout } from './engine.ts';
import type { CampaignDefinition, EngineContext, MessageRef, RecordedEvent } from './types.ts';

/*
 * The store hands the engine only the decisive events of the latest message (the earliest genuine one
 * of each type), so that handling an event does not re-read every earlier event of its message. These
 * properties hold that reduction to the engine's semantics: every decision equals the one taken with
 * every recorded event.
 */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const MINUTE = 60_000;

// Windows of several lengths, a click falling back to `opened`, and wait entries that replay and chain.
const plan: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'intro',
  exitOn: ['complained'],
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 's',
      body: 'b',
      transitions: [
        { on: 'opened', to: 'w1', within: 'PT2H' },
        { on: 'no_open', to: 'w1', after: 'PT24H' },
      ],
    },
    {
      id: 'w1',
      action: 'wait',
      transitions: [
        { on: 'clicked', to: 'w2', within: 'PT1H' },
        { on: 'opened', to: 'w3', within: 'PT30M' },
        { on: 'bounced', to: 'end_b' },
        { on: 'no_click', to: 'end_t', after: 'PT24H' },
      ],
    },
    {
      id: 'w2',
      action: 'wait',
      transitions: [
        { on: 'opened', to: 'w3' },
        { on: 'clicked', to: 'end_c', within: 'PT3H' },
        { on: 'no_open', to: 'end_t', after: 'PT12H' },
      ],
    },
    {
      id: 'w3',
      action: 'wait',
      transitions: [
        { on: 'replied', to: 'end_r', within: 'PT100H' },
        { on: 'delivered', to: 'end_d' },
        { on: 'no_reply', to: 'end_t', after: 'PT48H' },
      ],
    },
    { id: 'end_b', action: 'end' },
    { id: 'end_c', action: 'end' },
    { id: 'end_d', action: 'end' },
    { id: 'end_r', action: 'end' },
    { id: 'end_t', action: 'end' },
  ],
};
const def: CampaignDefinition = { plan, timezone: 'UTC' };
const message: MessageRef = { id: 'm1', nodeId: 'intro', step: 1, sentAt: T0 };

const arbEvents = fc
  .array(
    fc.record({
      type: fc.constantFrom('opened', 'clicked', 'replied', 'delivered', 'bounced'),
      // Quarter hours from an hour before the send to two days after: ties are frequent.
      quarter: fc.integer({ min: -4, max: 200 }),
      machine: fc.boolean(),
      bot: fc.boolean(),
      autoReply: fc.boolean(),
    }),
    { maxLength: 30 },
  )
  .map((raw) =>
    raw.map(
      (r, i): RecordedEvent => ({
        id: `e${i}`,
        messageId: 'm1',
        type: r.type,
        occurredAt: new Date(T0.getTime() + r.quarter * 15 * MINUTE),
        machine: r.machine,
        bot: r.bot,
        autoReply: r.autoReply,
      }),
    ),
  );

function contexts(events: RecordedEvent[]): [EngineContext, EngineContext] {
  return [
    { latestMessage: message, latestMessageEvents: events },
    { latestMessage: message, latestMessageEvents: decisiveEvents(events) },
  ];
}

const sentAtIntro = () =>
  onSendExecuted(
    def,
    activate(def, initialState(), T0, { latestMessage: null, latestMessageEvents: [] }).state,
    T0,
  ).state;

describe('decisive events (the context the store reads)', () => {
  it('keeps the earliest genuine event of each type, oldest first, ties in the given order', () => {
    const at = (m: number) => new Date(T0.getTime() + m * MINUTE);
    const events: RecordedEvent[] = [
      { id: 'late-open', messageId: 'm1', type: 'opened', occurredAt: at(30) },
      { id: 'machine-open', messageId: 'm1', type: 'opened', occurredAt: at(1), machine: true },
      { id: 'click-a', messageId: 'm1', type: 'clicked', occurredAt: at(10) },
      { id: 'click-b', messageId: 'm1', type: 'clicked', occurredAt: at(10) },
      { id: 'first-open', messageId: 'm1', type: 'opened', occurredAt: at(5) },
      { id: 'auto-reply', messageId: 'm1', type: 'replied', occurredAt: at(2), autoReply: true },
    ];
    expect(decisiveEvents(events).map((e) => e.id)).toEqual(['first-open', 'click-a']);
  });

  it('a timeout that fires decides the same (condition, wait-entry replay, chained replays)', () => {
    fc.assert(
      fc.property(arbEvents, fc.integer({ min: 0, max: 3000 }), (events, lateMinutes) => {
        const dueAt = new Date(T0.getTime() + 24 * 60 * MINUTE);
        const at = new Date(dueAt.getTime() + lateMinutes * MINUTE);
        const action = { nodeId: 'intro', step: 1, event: 'no_open' as const, transitionIndex: 1, dueAt };
        const [all, decisive] = contexts(events);
        expect(onTimeout(def, sentAtIntro(), action, decisive, at)).toEqual(
          onTimeout(def, sentAtIntro(), action, all, at),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('an event that arrives decides the same, whichever recorded event it is', () => {
    fc.assert(
      fc.property(arbEvents, fc.nat(), (events, pick) => {
        fc.pre(events.length > 0);
        const incoming = events[pick % events.length] as RecordedEvent;
        const [all, decisive] = contexts(events);
        const now = new Date(incoming.occurredAt.getTime() + MINUTE);
        expect(onEvent(def, sentAtIntro(), incoming, decisive, now)).toEqual(
          onEvent(def, sentAtIntro(), incoming, all, now),
        );
      }),
      { numRuns: 500 },
    );
  });
});
