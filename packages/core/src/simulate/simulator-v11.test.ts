import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan-schema.ts';
import { type Contact, contactSchema, simulationContactFacts } from './simulation-input.ts';
import { simulate } from './simulator.ts';
import type { TimelineEntry } from './timeline.ts';

/* The simulator on plan v1.1 (DESIGN section 10): contact facts, threads, SMS events, engagements. */

type PlanNode = Plan['nodes'][number];
const T0 = new Date('2026-01-05T10:00:00.000Z'); // Monday
const ada: Contact = { email: 'ada@example.com', name: 'Ada', phone: '+14155550123' };

function run(
  nodes: PlanNode[],
  contact: Contact = ada,
  events: Parameters<typeof simulate>[0]['events'] = [],
) {
  const plan: Plan = { version: '1.1', timezone: 'UTC', startNodeId: nodes[0]?.id ?? '', nodes };
  return simulate({ definition: { plan, timezone: 'UTC' }, contact, start: T0, events });
}
const sends = (timeline: TimelineEntry[]) => timeline.filter((e) => e.kind === 'send');

describe('contact facts', () => {
  it('the split key is the id, else the email trimmed and lower-cased, else the phone', () => {
    expect(simulationContactFacts({ id: 'c-1', email: 'A@B.example', phone: '+1' }).key).toBe('c-1');
    expect(simulationContactFacts({ email: ' Ada@Acme.Example ', phone: '+1' }).key).toBe('ada@acme.example');
    expect(simulationContactFacts({ phone: '+14155550123' }).key).toBe('+14155550123');
    expect(simulationContactFacts({ email: 'a@b.example', attributes: { x: 1 } }).attributes).toEqual({
      x: 1,
    });
  });

  it('a contact file needs an email or a phone', () => {
    expect(contactSchema.safeParse({ phone: '+14155550123' }).success).toBe(true);
    expect(contactSchema.safeParse({ email: 'a@b.example' }).success).toBe(true);
    const neither = contactSchema.safeParse({ id: 'c-1', name: 'Ada' });
    expect(neither.success).toBe(false);
    expect(neither.error?.issues[0]?.message).toMatch(/email.*phone/);
  });

  it('the worked example: Ada@Acme.example in subject-q4 at 50/50 gets B', () => {
    const result = run(
      [
        {
          id: 'ab',
          action: 'split',
          experiment: 'subject-q4',
          variants: [
            { id: 'A', weight: 50, to: 'a' },
            { id: 'B', weight: 50, to: 'b' },
          ],
        },
        { id: 'a', action: 'end' },
        { id: 'b', action: 'end' },
      ],
      { email: 'Ada@Acme.example' },
    );
    expect(result.currentNodeId).toBe('b');
    expect(result.timeline).toContainEqual({
      at: T0.toISOString(),
      kind: 'transition',
      from: 'ab',
      to: 'b',
      on: 'split',
      variant: 'B',
    });
  });
});

describe('threaded emails', () => {
  const followUp = (more: object): PlanNode => ({
    id: 'bump',
    action: 'send',
    body: 'b',
    thread: true,
    ...more,
  });

  it('thread on the first email is ignored: its own subject, no inReplyTo', () => {
    const result = run([followUp({ subject: 'Hello' })]);
    expect(sends(result.timeline)).toEqual([expect.objectContaining({ subject: 'Hello' })]);
    expect(sends(result.timeline)[0]).not.toHaveProperty('inReplyTo');
  });

  it("a threaded node's own subject wins, and it still replies to the latest email", () => {
    const result = run([
      {
        id: 'intro',
        action: 'send',
        subject: 'Intro',
        body: 'b',
        transitions: [{ on: 'no_reply', to: 'bump', after: 'P1D' }],
      },
      followUp({ subject: 'Following up, {{name}}' }),
    ]);
    expect(sends(result.timeline)[1]).toMatchObject({ subject: 'Following up, Ada', inReplyTo: 'msg_1' });
  });

  it('replies to the latest email, not to an SMS sent after it', () => {
    const result = run([
      {
        id: 'intro',
        action: 'send',
        subject: 'Intro',
        body: 'b',
        transitions: [{ on: 'no_reply', to: 'text', after: 'P1D' }],
      },
      {
        id: 'text',
        action: 'send',
        channel: 'sms',
        text: 'ping',
        transitions: [{ on: 'no_reply', to: 'bump', after: 'P1D' }],
      },
      followUp({}),
    ]);
    const [intro, text, bump] = sends(result.timeline);
    expect(intro).toMatchObject({ message: 'msg_1', subject: 'Intro' });
    expect(text).toMatchObject({ message: 'msg_2', channel: 'sms', text: 'ping', segments: 1 });
    expect(text).not.toHaveProperty('subject');
    expect(bump).toMatchObject({ message: 'msg_3', subject: 'Re: Intro', inReplyTo: 'msg_1' });
  });
});

describe('SMS events and engagements', () => {
  const smsNode: PlanNode = {
    id: 'text',
    action: 'send',
    channel: 'sms',
    text: 'hi',
    transitions: [{ on: 'no_reply', to: 'done', after: 'P1D' }],
  };

  it('an inbound STOP (unsubscribed) on an SMS step stops the campaign', () => {
    const result = run([smsNode, { id: 'done', action: 'end' }], ada, [
      { at: new Date('2026-01-05T11:00:00Z'), type: 'unsubscribed', id: 'stop-1' },
    ]);
    expect(result).toMatchObject({ status: 'stopped', stopReason: 'unsubscribed' });
    expect(result.timeline.at(-1)).toEqual({
      at: '2026-01-05T11:00:00.000Z',
      kind: 'end',
      status: 'stopped',
      reason: 'unsubscribed',
    });
  });

  it('engaged counts a genuine reply but not an auto-reply', () => {
    const nodes: PlanNode[] = [
      {
        id: 'intro',
        action: 'send',
        subject: 's',
        body: 'b',
        transitions: [{ on: 'no_click', to: 'check', after: 'P1D' }],
      },
      {
        id: 'check',
        action: 'branch',
        branches: [{ when: { engaged: 'replied' }, to: 'yes' }],
        otherwise: 'no',
      },
      { id: 'yes', action: 'end' },
      { id: 'no', action: 'end' },
    ];
    const plan = (replied: { autoReply?: boolean }) =>
      simulate({
        definition: {
          plan: { version: '1.1', timezone: 'UTC', startNodeId: 'intro', exitOn: [], nodes },
          timezone: 'UTC',
        },
        contact: ada,
        start: T0,
        events: [{ at: new Date('2026-01-05T12:00:00Z'), type: 'replied', id: 'r1', ...replied }],
      });
    expect(plan({}).currentNodeId).toBe('yes');
    expect(plan({ autoReply: true }).currentNodeId).toBe('no');
  });
});
