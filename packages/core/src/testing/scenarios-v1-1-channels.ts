import type { Plan } from '../plan/plan-schema.ts';
import type { Contact, SimulationEvent } from '../simulate/simulation-input.ts';
import type { Scenario } from './scenarios.ts';

/*
 * Plan v1.1 scenarios about who is reached and how (DESIGN section 10), each worked out by hand: an SMS
 * opt-out, the split key when the contact has no id (the email lower-cased, else the phone), and a
 * threaded chain past an SMS. Hashes by `openssl dgst -sha256`. Each contact's addresses are its own:
 * a split scenario's contact goes to the database as given.
 */

type PlanNode = Plan['nodes'][number];
type SendNode = Extract<PlanNode, { action: 'send' }>;

function email(id: string, more: Partial<SendNode> = {}): SendNode {
  return {
    id,
    action: 'send',
    subject: `${id} for {{name|there}}`,
    body: '<p>Hi {{name|there}}</p>',
    ...more,
  };
}
function sms(id: string, more: Partial<SendNode> = {}): SendNode {
  return { id, action: 'send', channel: 'sms', text: 'Hi {{name|there}}, reply STOP to opt out', ...more };
}
function plan(startNodeId: string, nodes: PlanNode[], more: Partial<Plan> = {}): Plan {
  return { version: '1.1', timezone: 'Europe/Berlin', startNodeId, nodes, ...more };
}
function ev(at: string, type: SimulationEvent['type'], id: string): SimulationEvent {
  return { at: new Date(at), type, id };
}

const ada: Contact = { email: 'ada@example.com', name: 'Ada' };

export const V1_1_CHANNEL_SCENARIOS: readonly Scenario[] = [
  {
    name: 'v1.1 SMS STOP: an inbound opt-out on the SMS stops the campaign (unsubscribed)',
    plan: plan(
      'text',
      [
        sms('text', { transitions: [{ on: 'no_reply', to: 'done', after: 'P2D' }] }),
        { id: 'done', action: 'end' },
      ],
      { timezone: 'America/New_York' },
    ),
    // a number of its own: the STOP suppresses it for SMS in the parity database
    contact: { phone: '+14155550124', name: 'Ada' },
    // 10:00 EST: sent at once; STOP an hour later is the unsubscribed event (default exitOn)
    start: new Date('2026-01-06T15:00:00Z'),
    events: [ev('2026-01-06T16:00:00Z', 'unsubscribed', 'v11-stop-1')],
    expected: {
      status: 'stopped',
      currentNodeId: 'text',
      sends: 1,
      stopReason: 'unsubscribed',
      entries: [
        { kind: 'send', node: 'text', channel: 'sms' },
        { kind: 'end', at: '2026-01-06T16:00:00.000Z', status: 'stopped', reason: 'unsubscribed' },
      ],
    },
  },
  splitBetween(
    'v1.1 split keyed by the email lower-cased: Ada@Acme.example hashes as ada@acme.example, A at 60/40',
    'subject-q4',
    // sha256("subject-q4:ada@acme.example") starts 9968e18e (DESIGN's worked example; openssl dgst):
    // u = 0.599257 < 0.60, so A. The address as written ("Ada@Acme...") starts fb4362f7, u = 0.98: B.
    { email: 'Ada@Acme.example', name: 'Ada' },
    [60, 40],
    'A',
  ),
  splitBetween(
    'v1.1 split keyed by the phone when there is no id or email: B at 35/65',
    'exp-phone',
    // sha256("exp-phone:+14155550125") starts 59da432e (openssl dgst): u = 0.350987 >= 0.35, so B
    { phone: '+14155550125', name: 'Ada' },
    [35, 65],
    'B',
    sms,
  ),
  {
    name: 'v1.1 threaded chain past an SMS: each bump replies to the latest email, "Re: " + its subject',
    plan: plan('intro', [
      email('intro', { transitions: [{ on: 'no_reply', to: 'text', after: 'P1D' }] }),
      sms('text', { transitions: [{ on: 'no_reply', to: 'bump', after: 'P1D' }] }),
      {
        id: 'bump',
        action: 'send',
        thread: true,
        body: '<p>Any thoughts?</p>',
        transitions: [{ on: 'no_reply', to: 'bump2', after: 'P1D' }],
      },
      { id: 'bump2', action: 'send', thread: true, body: '<p>Last one</p>' },
    ]),
    contact: { ...ada, phone: '+14155550126' },
    // Monday 11:00 CET, then a day apart each (11:00 local, inside SMS hours): msg_1 intro, msg_2 the
    // SMS, msg_3 the bump replying to msg_1 (the SMS is not an email), msg_4 replying to msg_3 with
    // "Re: " + msg_3's subject
    start: new Date('2026-01-05T10:00:00Z'),
    events: [],
    expected: {
      status: 'completed',
      currentNodeId: 'bump2',
      sends: 4,
      sentAt: [
        '2026-01-05T10:00:00.000Z',
        '2026-01-06T10:00:00.000Z',
        '2026-01-07T10:00:00.000Z',
        '2026-01-08T10:00:00.000Z',
      ],
      entries: [
        { kind: 'send', node: 'intro', message: 'msg_1', subject: 'intro for Ada' },
        { kind: 'send', node: 'text', message: 'msg_2', channel: 'sms' },
        { kind: 'send', node: 'bump', message: 'msg_3', subject: 'Re: intro for Ada', inReplyTo: 'msg_1' },
        {
          kind: 'send',
          node: 'bump2',
          message: 'msg_4',
          subject: 'Re: Re: intro for Ada',
          inReplyTo: 'msg_3',
        },
      ],
    },
  },
];

/** A two-way split in `experiment` at `weights` (A then B), each variant a send; `variant` is taken. */
function splitBetween(
  name: string,
  experiment: string,
  contact: Contact,
  weights: [number, number],
  variant: 'A' | 'B',
  send: (id: string) => SendNode = email,
): Scenario {
  const to = variant === 'A' ? 'email_a' : 'email_b';
  return {
    name,
    plan: plan('ab', [
      {
        id: 'ab',
        action: 'split',
        experiment,
        variants: [
          { id: 'A', weight: weights[0], to: 'email_a' },
          { id: 'B', weight: weights[1], to: 'email_b' },
        ],
      },
      send('email_a'),
      send('email_b'),
    ]),
    contact,
    start: new Date('2026-01-05T10:00:00Z'),
    events: [],
    expected: {
      status: 'completed',
      currentNodeId: to,
      sends: 1,
      entries: [{ kind: 'transition', from: 'ab', to, on: 'split', variant }],
    },
  };
}
