import type { Plan } from '../plan/plan-schema.ts';
import type { Contact, SimulationEvent } from '../simulate/simulation-input.ts';
import type { Scenario } from './scenarios.ts';
import { V1_1_CHANNEL_SCENARIOS } from './scenarios-v1-1-channels.ts';

/*
 * One scenario per plan v1.1 rule (DESIGN section 10), each worked out by hand in its comments: send
 * windows (at scheduling and at execution), holidays, SMS legal hours, expiry (at scheduling and at
 * execution after a pause), branch on an attribute and on engagement, split, SMS sends, threaded sends.
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

let eventSeq = 0;
function ev(at: string, type: SimulationEvent['type'], more: Partial<SimulationEvent> = {}): SimulationEvent {
  eventSeq += 1;
  return { at: new Date(at), type, id: `v11-e${eventSeq}`, ...more };
}

const ada: Contact = { email: 'ada@example.com', name: 'Ada' };
const adaPhone: Contact = { phone: '+14155550123', name: 'Ada' };
const WEEKDAYS: Plan['sendWindow'] = {
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  start: '09:00',
  end: '17:00',
};

export const V1_1_SCENARIOS: readonly Scenario[] = [
  {
    name: 'v1.1 send window at scheduling: a send due on Saturday goes Monday 09:00',
    plan: plan('only', [email('only')], { sendWindow: WEEKDAYS }),
    contact: ada,
    // Saturday 2026-01-10 11:00 CET; Monday 2026-01-12 09:00 CET = 08:00Z
    start: new Date('2026-01-10T10:00:00Z'),
    events: [],
    expected: {
      status: 'completed',
      currentNodeId: 'only',
      sends: 1,
      sentAt: ['2026-01-12T08:00:00.000Z'],
      entries: [{ kind: 'send', node: 'only', dueAt: '2026-01-10T10:00:00.000Z' }],
    },
  },
  {
    name: 'v1.1 send window at execution: a new plan narrows the window under a pending send',
    plan: plan('later', [email('later', { schedule: { delay: 'PT2H' } })]),
    contact: ada,
    // Monday 2026-01-05 09:00 CET; the send is due 11:00 CET (10:00Z). At 10:00 CET the plan gains a
    // 13:00-17:00 window; the pending send keeps its time (rule 9), runs at 10:00Z, is outside the
    // window and is deferred to 13:00 CET = 12:00Z.
    start: new Date('2026-01-05T08:00:00Z'),
    events: [
      {
        at: new Date('2026-01-05T09:00:00Z'),
        type: 'plan',
        plan: plan('later', [email('later', { schedule: { delay: 'PT2H' } })], {
          sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '13:00', end: '17:00' },
        }),
      },
    ],
    expected: {
      status: 'completed',
      currentNodeId: 'later',
      sends: 1,
      sentAt: ['2026-01-05T12:00:00.000Z'],
      entries: [
        {
          kind: 'deferred',
          at: '2026-01-05T10:00:00.000Z',
          node: 'later',
          until: '2026-01-05T12:00:00.000Z',
          reason: 'send_window',
        },
      ],
    },
  },
  {
    name: 'v1.1 holidays: Corpus Christi in Bavaria moves the send to Friday',
    plan: plan('only', [email('only')], { sendWindow: WEEKDAYS, holidays: { country: 'DE', region: 'BY' } }),
    contact: ada,
    // Thursday 2026-06-04 10:00 CEST is Corpus Christi (a public holiday in BY): Friday 09:00 CEST = 07:00Z
    start: new Date('2026-06-04T08:00:00Z'),
    events: [],
    expected: { status: 'completed', currentNodeId: 'only', sends: 1, sentAt: ['2026-06-05T07:00:00.000Z'] },
  },
  {
    name: 'v1.1 SMS legal hours: an SMS due at 21:30 goes at 08:00, then no_reply ends it',
    plan: plan(
      'text',
      [
        sms('text', { transitions: [{ on: 'no_reply', to: 'done', after: 'P1D' }] }),
        { id: 'done', action: 'end' },
      ],
      { timezone: 'America/New_York' },
    ),
    contact: adaPhone,
    // 21:30 EST on 2026-01-05 (02:30Z on the 6th); 08:00 EST = 13:00Z; no_reply P1D later, 13:00Z on the 7th
    start: new Date('2026-01-06T02:30:00Z'),
    events: [ev('2026-01-06T13:00:05Z', 'delivered')],
    expected: {
      status: 'completed',
      currentNodeId: 'done',
      sends: 1,
      sentAt: ['2026-01-06T13:00:00.000Z'],
      entries: [
        { kind: 'send', node: 'text', channel: 'sms', text: 'Hi Ada, reply STOP to opt out', segments: 1 },
        { kind: 'timeout', at: '2026-01-07T13:00:00.000Z', node: 'text', event: 'no_reply' },
      ],
    },
  },
  {
    name: 'v1.1 SMS send: an inbound reply stops the campaign',
    plan: plan(
      'text',
      [
        sms('text', { transitions: [{ on: 'no_reply', to: 'done', after: 'P2D' }] }),
        { id: 'done', action: 'end' },
      ],
      { timezone: 'America/New_York' },
    ),
    contact: adaPhone,
    // 10:00 EST, inside SMS hours: sent at once; a reply an hour later stops it (default exitOn)
    start: new Date('2026-01-06T15:00:00Z'),
    events: [ev('2026-01-06T16:00:00Z', 'replied')],
    expected: {
      status: 'stopped',
      currentNodeId: 'text',
      sends: 1,
      stopReason: 'replied',
      sentAt: ['2026-01-06T15:00:00.000Z'],
    },
  },
  {
    name: 'v1.1 expiry at scheduling: Friday 17:30 + PT12H ends before Monday 09:00',
    plan: plan('only', [email('only', { schedule: { expireAfter: 'PT12H' } })], { sendWindow: WEEKDAYS }),
    contact: ada,
    // due 2026-01-09T16:30Z, expires 2026-01-10T04:30Z, first allowed 2026-01-12T08:00Z: skipped at entry
    start: new Date('2026-01-09T16:30:00Z'),
    events: [],
    expected: {
      status: 'stopped',
      currentNodeId: 'only',
      sends: 0,
      stopReason: 'send_expired',
      entries: [
        {
          kind: 'skipped',
          at: '2026-01-09T16:30:00.000Z',
          node: 'only',
          dueAt: '2026-01-09T16:30:00.000Z',
          reason: 'expired',
        },
        { kind: 'end', at: '2026-01-09T16:30:00.000Z', status: 'stopped', reason: 'send_expired' },
      ],
    },
  },
  {
    name: 'v1.1 expiry at execution: a pause outlasts due + expireAfter, no late send at resume',
    plan: plan('later', [email('later', { schedule: { delay: 'PT1H', expireAfter: 'PT1H' } })]),
    contact: ada,
    // due 11:00Z, expires 12:00Z; paused 10:30Z, resumed 13:00Z: skipped at resume
    start: new Date('2026-01-05T10:00:00Z'),
    events: [ev('2026-01-05T10:30:00Z', 'pause'), ev('2026-01-05T13:00:00Z', 'resume')],
    expected: {
      status: 'stopped',
      currentNodeId: 'later',
      sends: 0,
      stopReason: 'send_expired',
      entries: [
        { kind: 'resume', at: '2026-01-05T13:00:00.000Z' },
        {
          kind: 'skipped',
          at: '2026-01-05T13:00:00.000Z',
          node: 'later',
          dueAt: '2026-01-05T11:00:00.000Z',
          reason: 'expired',
        },
        { kind: 'end', at: '2026-01-05T13:00:00.000Z', status: 'stopped', reason: 'send_expired' },
      ],
    },
  },
  {
    name: 'v1.1 expiry is inclusive: resumed exactly at due + expireAfter, the send goes',
    plan: plan('later', [email('later', { schedule: { delay: 'PT1H', expireAfter: 'PT1H' } })]),
    contact: ada,
    start: new Date('2026-01-05T10:00:00Z'),
    events: [ev('2026-01-05T10:30:00Z', 'pause'), ev('2026-01-05T12:00:00Z', 'resume')],
    expected: { status: 'completed', currentNodeId: 'later', sends: 1, sentAt: ['2026-01-05T12:00:00.000Z'] },
  },
  ...branchOnAttribute(),
  ...branchOnEngaged(),
  ...V1_1_CHANNEL_SCENARIOS,
  {
    name: 'v1.1 split: the contact id hashes to B at 3/97',
    plan: plan('ab', [
      {
        id: 'ab',
        action: 'split',
        experiment: 'subject-q4',
        variants: [
          { id: 'A', weight: 3, to: 'email_a' },
          { id: 'B', weight: 97, to: 'email_b' },
        ],
      },
      email('email_a'),
      email('email_b'),
    ]),
    // sha256("subject-q4:ada-split") starts 0931a066 (openssl dgst): u = 0.0359, past A's 0.03
    contact: { ...ada, id: 'ada-split' },
    start: new Date('2026-01-05T10:00:00Z'),
    events: [],
    expected: {
      status: 'completed',
      currentNodeId: 'email_b',
      sends: 1,
      entries: [
        { kind: 'enter', node: 'ab', step: 1 },
        { kind: 'transition', from: 'ab', to: 'email_b', on: 'split', variant: 'B' },
      ],
    },
  },
  {
    name: 'v1.1 threaded follow-up: "Re: " + the intro subject, in reply to the intro',
    plan: plan('intro', [
      email('intro', { transitions: [{ on: 'no_reply', to: 'bump', after: 'P2D' }] }),
      { id: 'bump', action: 'send', thread: true, body: '<p>Any thoughts?</p>' },
    ]),
    contact: ada,
    // intro Monday 11:00 CET; no_reply two days later; the bump has no subject of its own
    start: new Date('2026-01-05T10:00:00Z'),
    events: [],
    expected: {
      status: 'completed',
      currentNodeId: 'bump',
      sends: 2,
      sentAt: ['2026-01-05T10:00:00.000Z', '2026-01-07T10:00:00.000Z'],
      entries: [
        { kind: 'send', node: 'intro', subject: 'intro for Ada' },
        { kind: 'send', node: 'bump', subject: 'Re: intro for Ada', inReplyTo: 'msg_1' },
      ],
    },
  },
];

function branchOnAttribute(): Scenario[] {
  const segmented = plan('segment', [
    {
      id: 'segment',
      action: 'branch',
      branches: [{ when: { attribute: 'employees', gte: 200 }, to: 'enterprise' }],
      otherwise: 'smb',
    },
    email('enterprise'),
    email('smb'),
  ]);
  const start = new Date('2026-01-05T10:00:00Z');
  const entries = (to: string) => [
    { kind: 'enter', at: '2026-01-05T10:00:00.000Z', node: 'segment', step: 1 },
    { kind: 'transition', at: '2026-01-05T10:00:00.000Z', from: 'segment', to, on: 'branch' },
    { kind: 'enter', at: '2026-01-05T10:00:00.000Z', node: to, step: 2 },
  ];
  return [
    {
      name: 'v1.1 branch on an attribute: 250 employees is enterprise',
      plan: segmented,
      contact: { ...ada, attributes: { employees: 250 } },
      start,
      events: [],
      expected: {
        status: 'completed',
        currentNodeId: 'enterprise',
        sends: 1,
        entries: entries('enterprise'),
      },
    },
    {
      name: 'v1.1 branch on an attribute: "250" (a string) is not >= 200, no coercion',
      plan: segmented,
      contact: { ...ada, attributes: { employees: '250' } },
      start,
      events: [],
      expected: { status: 'completed', currentNodeId: 'smb', sends: 1, entries: entries('smb') },
    },
  ];
}

function branchOnEngaged(): Scenario[] {
  const engagedPlan = plan('intro', [
    email('intro', { transitions: [{ on: 'no_click', to: 'check', after: 'P1D' }] }),
    {
      id: 'check',
      action: 'branch',
      branches: [{ when: { engaged: 'opened', node: 'intro' }, to: 'warm' }],
      otherwise: 'cold',
    },
    email('warm'),
    email('cold'),
  ]);
  const start = new Date('2026-01-05T10:00:00Z');
  // intro sent 10:00Z; the open takes no transition (intro has none on opened) but is recorded; no_click
  // fires 2026-01-06T10:00Z and the branch reads the campaign's genuine engagements
  return [
    {
      name: 'v1.1 branch on engagement: a genuine open of the intro takes the warm path',
      plan: engagedPlan,
      contact: ada,
      start,
      events: [ev('2026-01-05T10:05:00Z', 'opened', { machine: true }), ev('2026-01-05T12:00:00Z', 'opened')],
      expected: {
        status: 'completed',
        currentNodeId: 'warm',
        sends: 2,
        entries: [
          { kind: 'transition', at: '2026-01-06T10:00:00.000Z', from: 'check', to: 'warm', on: 'branch' },
        ],
      },
    },
    {
      name: 'v1.1 branch on engagement: a machine open alone is not engagement',
      plan: engagedPlan,
      contact: ada,
      start,
      events: [ev('2026-01-05T10:05:00Z', 'opened', { machine: true })],
      expected: { status: 'completed', currentNodeId: 'cold', sends: 2 },
    },
  ];
}
