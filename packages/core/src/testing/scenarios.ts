import type { Plan } from '../plan/plan-schema.ts';
import type { Contact, SimulationEvent, SimulationInput } from '../simulate/simulation-input.ts';
import { GOAL_SCENARIOS } from './scenarios-goals.ts';
import { V1_1_SCENARIOS } from './scenarios-v1-1.ts';
import { V1_1_ENGAGEMENT_SCENARIOS } from './scenarios-v1-1-engagement.ts';

/**
 * Plan + events scenarios that every engine must run the same way: the simulator and the database-backed
 * service produce the same timeline for each (the parity suite in packages/db). Each also states, worked
 * out by hand, where it must end, so two engines that agree on a wrong answer still fail.
 */
export interface Scenario {
  name: string;
  plan: Plan;
  contact: Contact;
  start: Date;
  /**
   * Every engagement event carries an id (the database stores provider event ids). A `plan` input is a
   * new plan version (rule 9; the service's updatePlan).
   */
  events: SimulationInput[];
  until?: Date;
  expected: {
    status: string;
    currentNodeId: string | null;
    sends: number;
    stopReason?: string | null;
    /** When each message went out, in order (UTC ISO), where the scenario is about when. */
    sentAt?: string[];
    /** The timeline entries the scenario is about (each must appear, in this order, with these fields). */
    entries?: Record<string, unknown>[];
  };
}

type SendNode = Extract<Plan['nodes'][number], { action: 'send' }>;

function send(id: string, transitions: SendNode['transitions'], delay = 'PT0S'): SendNode {
  return {
    id,
    action: 'send',
    subject: `${id} for {{name|there}}`,
    body: `<p>Hi {{name|there}}</p>`,
    schedule: { delay },
    transitions,
  };
}

let eventSeq = 0;
function ev(at: string, type: SimulationEvent['type'], more: Partial<SimulationEvent> = {}): SimulationEvent {
  eventSeq += 1;
  return { at: new Date(at), type, id: `e${eventSeq}`, ...more };
}

const contact: Contact = { email: 'ada@example.com', name: 'Ada <Lovelace>' };

const seed: Plan = {
  version: '1.0',
  timezone: 'America/Los_Angeles',
  quietHours: { start: '21:00', end: '07:30' },
  startNodeId: 'email_intro',
  exitOn: ['replied', 'bounced', 'complained', 'unsubscribed'],
  nodes: [
    send('email_intro', [
      { on: 'opened', to: 'wait_click', within: 'PT72H' },
      { on: 'no_open', to: 'email_bump_1', after: 'PT72H' },
    ]),
    {
      id: 'wait_click',
      action: 'wait',
      transitions: [
        { on: 'clicked', to: 'done' },
        { on: 'no_click', to: 'email_bump_1', after: 'PT48H' },
      ],
    },
    send('email_bump_1', [], 'P1D'),
    { id: 'done', action: 'end' },
  ],
};

// 2026-03-06T17:00Z is 09:00 PST on a Friday; US DST starts Sunday 2026-03-08.
const FRIDAY_0900_LA = new Date('2026-03-06T17:00:00.000Z');

const V1_0_SCENARIOS: readonly Scenario[] = [
  {
    name: 'send-only campaign',
    plan: { version: '1.0', timezone: 'Europe/London', startNodeId: 'only', nodes: [send('only', [])] },
    contact,
    start: new Date('2026-01-05T10:00:00Z'),
    events: [],
    expected: { status: 'completed', currentNodeId: 'only', sends: 1 },
  },
  {
    name: 'no_open -> bump, across spring-forward with quiet hours',
    plan: seed,
    contact,
    start: FRIDAY_0900_LA,
    // no_open at 2026-03-09T17:00Z (72 h); bump P1D later at 10:00 PDT = 2026-03-10T17:00Z
    events: [ev('2026-03-06T17:05:00Z', 'delivered')],
    expected: { status: 'completed', currentNodeId: 'email_bump_1', sends: 2 },
  },
  {
    name: 'open -> wait, click -> end',
    plan: seed,
    contact,
    start: FRIDAY_0900_LA,
    events: [ev('2026-03-06T18:00:00Z', 'opened'), ev('2026-03-07T02:00:00Z', 'clicked')],
    expected: { status: 'completed', currentNodeId: 'done', sends: 1 },
  },
  {
    name: 'open, no click: the bump is due in quiet hours and moves to 07:30 local',
    plan: seed,
    contact,
    start: FRIDAY_0900_LA,
    // open 2026-03-07T04:00Z; no_click 48 h later = 2026-03-09T04:00Z (21:00 PDT on the 8th);
    // bump due P1D later, 21:00 PDT on the 9th: quiet, so 07:30 PDT on the 10th
    events: [ev('2026-03-07T04:00:00Z', 'opened'), ev('2026-03-07T04:01:00Z', 'clicked', { bot: true })],
    expected: { status: 'completed', currentNodeId: 'email_bump_1', sends: 2 },
  },
  {
    name: 'a click without a clicked transition counts as an open',
    plan: seed,
    contact,
    start: FRIDAY_0900_LA,
    events: [ev('2026-03-06T19:00:00Z', 'clicked')],
    // the click moves email_intro -> wait_click (via opened), and is replayed there -> done
    expected: { status: 'completed', currentNodeId: 'done', sends: 1 },
  },
  {
    name: 'machine opens and auto-replies count for nothing',
    plan: seed,
    contact,
    start: FRIDAY_0900_LA,
    events: [
      ev('2026-03-06T17:01:00Z', 'opened', { machine: true }),
      ev('2026-03-06T17:02:00Z', 'replied', { autoReply: true }),
    ],
    expected: { status: 'completed', currentNodeId: 'email_bump_1', sends: 2 },
  },
  {
    name: 'regression: a bot open (Mailgun client-info.bot) cancelled no_open; it counts for nothing',
    plan: {
      version: '1.0',
      timezone: 'UTC',
      startNodeId: 's',
      nodes: [
        send('s', [
          { on: 'opened', to: 'done', within: 'PT24H' },
          { on: 'no_open', to: 'bump', after: 'PT24H' },
        ]),
        send('bump', []),
        { id: 'done', action: 'end' },
      ],
    },
    contact,
    start: new Date('2026-01-05T10:00:00Z'),
    // the scanner open takes no transition and no_open still fires at 2026-01-06T10:00Z: the bump goes out
    events: [ev('2026-01-05T10:01:00Z', 'opened', { bot: true })],
    expected: { status: 'completed', currentNodeId: 'bump', sends: 2 },
  },
  {
    name: 'regression: a node stranded by an open (no_open, no opened transition) stayed active forever',
    plan: {
      version: '1.0',
      timezone: 'UTC',
      startNodeId: 's',
      nodes: [send('s', [{ on: 'no_open', to: 'bump', after: 'PT24H' }]), send('bump', [])],
    },
    contact,
    start: new Date('2026-01-05T10:00:00Z'),
    // the open breaks no_open (due 2026-01-06T10:00Z), which is skipped; nothing else can fire: no_path
    events: [ev('2026-01-05T12:00:00Z', 'opened')],
    until: new Date('2026-01-10T00:00:00Z'),
    expected: { status: 'completed', currentNodeId: 's', sends: 1, stopReason: 'no_path' },
  },
  {
    name: 'a reply stops the campaign',
    plan: seed,
    contact,
    start: FRIDAY_0900_LA,
    events: [ev('2026-03-07T17:00:00Z', 'replied')],
    expected: { status: 'stopped', currentNodeId: 'email_intro', sends: 1, stopReason: 'replied' },
  },
  {
    name: 'an unsubscribe stops a campaign that lists no exit events',
    plan: { ...seed, exitOn: [] },
    contact,
    start: FRIDAY_0900_LA,
    events: [ev('2026-03-06T18:00:00Z', 'opened'), ev('2026-03-06T18:30:00Z', 'unsubscribed')],
    expected: { status: 'stopped', currentNodeId: 'wait_click', sends: 1, stopReason: 'unsubscribed' },
  },
  {
    name: 'an open with no opened transition breaks no_open: the campaign stays',
    plan: {
      version: '1.0',
      timezone: 'UTC',
      startNodeId: 's',
      nodes: [
        send('s', [
          { on: 'clicked', to: 'done' },
          { on: 'no_open', to: 'bump', after: 'PT24H' },
        ]),
        send('bump', []),
        { id: 'done', action: 'end' },
      ],
    },
    contact,
    start: new Date('2026-01-05T10:00:00Z'),
    events: [ev('2026-01-05T12:00:00Z', 'opened')],
    until: new Date('2026-01-10T00:00:00Z'),
    expected: { status: 'active', currentNodeId: 's', sends: 1 },
  },
  {
    name: 'pause and resume: what fell due runs at resume, the send out of quiet hours',
    plan: seed,
    contact,
    start: FRIDAY_0900_LA,
    // paused before no_open (2026-03-09T17:00Z); resumed 2026-03-11T05:00Z = 22:00 PDT: the no_open
    // fires then, the bump is due P1D later (22:00 PDT on the 11th), quiet -> 07:30 PDT on the 12th
    events: [ev('2026-03-07T00:00:00Z', 'pause'), ev('2026-03-11T05:00:00Z', 'resume')],
    expected: { status: 'completed', currentNodeId: 'email_bump_1', sends: 2 },
  },
  {
    name: 'a reply while paused stops the campaign at resume',
    plan: seed,
    contact,
    start: FRIDAY_0900_LA,
    events: [
      ev('2026-03-07T00:00:00Z', 'pause'),
      ev('2026-03-08T00:00:00Z', 'replied'),
      ev('2026-03-11T05:00:00Z', 'resume'),
    ],
    expected: { status: 'stopped', currentNodeId: 'email_intro', sends: 1, stopReason: 'replied' },
  },
  {
    name: 'cancel cancels everything pending',
    plan: seed,
    contact,
    start: FRIDAY_0900_LA,
    events: [ev('2026-03-06T18:00:00Z', 'opened'), ev('2026-03-07T00:00:00Z', 'cancel')],
    expected: { status: 'cancelled', currentNodeId: 'wait_click', sends: 1 },
  },
  {
    name: 'duplicate provider events are applied once',
    plan: seed,
    contact,
    start: FRIDAY_0900_LA,
    events: [
      { at: new Date('2026-03-06T18:00:00Z'), type: 'opened', id: 'dup-1' },
      { at: new Date('2026-03-06T18:00:01Z'), type: 'opened', id: 'dup-1' },
      { at: new Date('2026-03-06T19:00:00Z'), type: 'clicked', id: 'dup-2' },
    ],
    expected: { status: 'completed', currentNodeId: 'done', sends: 1 },
  },
  {
    name: 'P1D keeps 09:00 local across fall-back in New York',
    plan: {
      version: '1.0',
      timezone: 'America/New_York',
      startNodeId: 'a',
      nodes: [
        send('a', [
          { on: 'opened', to: 'b' },
          { on: 'no_open', to: 'b', after: 'PT1H' },
        ]),
        send('b', [], 'P1D'),
      ],
    },
    contact,
    // 2026-10-31T13:00Z is 09:00 EDT; no_open at 10:00 EDT, b due P1D later = 10:00 EST on Nov 1 = 15:00Z
    start: new Date('2026-10-31T13:00:00Z'),
    events: [],
    expected: { status: 'completed', currentNodeId: 'b', sends: 2 },
  },
];

/** Every scenario: the 1.0 ones above, then one per plan v1.1 rule (scenarios-v1-1.ts). */
export const SCENARIOS: readonly Scenario[] = [
  ...V1_0_SCENARIOS,
  ...V1_1_SCENARIOS,
  ...V1_1_ENGAGEMENT_SCENARIOS,
  ...GOAL_SCENARIOS,
];
