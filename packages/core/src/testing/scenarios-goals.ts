import type { Plan } from '../plan/plan-schema.ts';
import type { Contact, SimulationInput } from '../simulate/simulation-input.ts';
import type { Scenario } from './scenarios.ts';

/*
 * Goals and custom events (DESIGN section 14), each worked out by hand in its comments: a goal ends the
 * campaign as converted (also while paused), a custom event that is no goal changes nothing, and an
 * `event` branch condition reads only the events that occurred before the branch was entered. Run by
 * the simulator and by the database service (scenario parity), which must agree.
 */

type PlanNode = Plan['nodes'][number];

function email(id: string, transitions: Extract<PlanNode, { action: 'send' }>['transitions'] = []): PlanNode {
  return { id, action: 'send', subject: `${id} for {{name|there}}`, body: '<p>Hi</p>', transitions };
}

const ada: Contact = { email: 'ada.goals@example.com', name: 'Ada' };
// Monday 2026-01-05 11:00 Berlin: the intro goes at once (no quiet hours, no window).
const start = new Date('2026-01-05T10:00:00Z');

/** intro, then after three days without a reply the bump; `signed_up` is the plan's goal. */
const goalPlan: Plan = {
  version: '1.1',
  timezone: 'Europe/Berlin',
  goals: ['signed_up'],
  startNodeId: 'intro',
  nodes: [email('intro', [{ on: 'no_reply', to: 'bump', after: 'P3D' }]), email('bump')],
};

/** intro; two days without a reply enter `check`, which takes `thanks` if `demo_booked` occurred. */
const eventPlan: Plan = {
  version: '1.1',
  timezone: 'Europe/Berlin',
  startNodeId: 'intro',
  nodes: [
    email('intro', [{ on: 'no_reply', to: 'check', after: 'P2D' }]),
    {
      id: 'check',
      action: 'branch',
      branches: [{ when: { event: 'demo_booked' }, to: 'thanks' }],
      otherwise: 'bump',
    },
    email('thanks'),
    email('bump'),
  ],
};

function custom(at: string, name: string, id: string): SimulationInput {
  return { at: new Date(at), type: 'custom', name, id };
}

export const GOAL_SCENARIOS: readonly Scenario[] = [
  {
    name: 'goal: signed_up a day after the intro ends the campaign as converted, the bump never goes',
    plan: goalPlan,
    contact: ada,
    start,
    // intro 2026-01-05T10:00Z; the bump would go 2026-01-08T10:00Z; the goal on the 6th ends it first
    events: [custom('2026-01-06T09:00:00Z', 'signed_up', 'g-1')],
    expected: {
      status: 'completed',
      currentNodeId: 'intro',
      sends: 1,
      stopReason: 'goal:signed_up',
      entries: [
        { kind: 'end', at: '2026-01-06T09:00:00.000Z', status: 'completed', reason: 'goal:signed_up' },
      ],
    },
  },
  {
    name: 'goal: a custom event the plan does not list changes nothing, the bump goes after P3D',
    plan: goalPlan,
    contact: ada,
    start,
    events: [custom('2026-01-06T09:00:00Z', 'webinar_joined', 'g-2')],
    expected: {
      status: 'completed',
      currentNodeId: 'bump',
      sends: 2,
      stopReason: null,
      sentAt: ['2026-01-05T10:00:00.000Z', '2026-01-08T10:00:00.000Z'],
    },
  },
  {
    name: 'goal: reached while paused, the campaign ends at once and resume is refused',
    plan: goalPlan,
    contact: ada,
    start,
    events: [
      { at: new Date('2026-01-06T08:00:00Z'), type: 'pause', id: 'g-3p' },
      custom('2026-01-07T08:00:00Z', 'signed_up', 'g-3'),
      { at: new Date('2026-01-09T08:00:00Z'), type: 'resume', id: 'g-3r' },
    ],
    expected: {
      status: 'completed',
      currentNodeId: 'intro',
      sends: 1,
      stopReason: 'goal:signed_up',
      entries: [
        { kind: 'pause', at: '2026-01-06T08:00:00.000Z' },
        { kind: 'end', at: '2026-01-07T08:00:00.000Z', status: 'completed', reason: 'goal:signed_up' },
      ],
    },
  },
  {
    name: 'event condition: demo_booked before the branch is entered takes the thanks path',
    plan: eventPlan,
    contact: ada,
    start,
    // intro 2026-01-05T10:00Z; no_reply after P2D enters check 2026-01-07T10:00Z; the event was on the 6th
    events: [custom('2026-01-06T12:00:00Z', 'demo_booked', 'g-4')],
    expected: {
      status: 'completed',
      currentNodeId: 'thanks',
      sends: 2,
      entries: [
        { kind: 'transition', at: '2026-01-07T10:00:00.000Z', from: 'check', to: 'thanks', on: 'branch' },
      ],
    },
  },
  {
    name: 'event condition: demo_booked after the branch was entered does not count, otherwise is taken',
    plan: eventPlan,
    contact: ada,
    start,
    events: [custom('2026-01-07T11:00:00Z', 'demo_booked', 'g-5')],
    expected: {
      status: 'completed',
      currentNodeId: 'bump',
      sends: 2,
      entries: [
        { kind: 'transition', at: '2026-01-07T10:00:00.000Z', from: 'check', to: 'bump', on: 'branch' },
      ],
    },
  },
];
