import type { Plan } from '../plan/plan-schema.ts';
import type { Contact, SimulationEvent } from '../simulate/simulation-input.ts';
import type { Scenario } from './scenarios.ts';

/*
 * Regression (F1 item 1): an `opened` or `clicked` event reported for an SMS was ignored in the timeline
 * but still counted by an `{ "engaged": "opened" }` branch condition without `node`. Opens and clicks do
 * not exist for SMS (DESIGN section 10), so neither engine may count them; worked out by hand below.
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

function ev(at: string, type: SimulationEvent['type'], id: string, node: string): SimulationEvent {
  return { at: new Date(at), type, id, node };
}

// Berlin, no quiet hours: the SMS goes inside its legal window [08:00, 21:00) local.
const engagedAfterSms: Plan = {
  version: '1.1',
  timezone: 'Europe/Berlin',
  startNodeId: 'intro',
  nodes: [
    email('intro', { transitions: [{ on: 'no_reply', to: 'text', after: 'P1D' }] }),
    {
      id: 'text',
      action: 'send',
      channel: 'sms',
      text: 'Hi {{name|there}}, reply STOP to opt out',
      transitions: [{ on: 'no_reply', to: 'check', after: 'P1D' }],
    },
    {
      id: 'check',
      action: 'branch',
      branches: [{ when: { any: [{ engaged: 'opened' }, { engaged: 'clicked' }] }, to: 'warm' }],
      otherwise: 'cold',
    },
    email('warm'),
    email('cold'),
  ],
};

// a number of its own in the parity database
const contact: Contact = { email: 'grace@example.com', phone: '+14155550127', name: 'Grace' };
// Monday 2026-01-05 11:00 Berlin: intro at 10:00Z; no_reply a day later enters `text`, sent 2026-01-06
// 10:00Z (11:00 local); no_reply a day later enters `check` at 2026-01-07T10:00Z.
const start = new Date('2026-01-05T10:00:00Z');

export const V1_1_ENGAGEMENT_SCENARIOS: readonly Scenario[] = [
  {
    name: 'v1.1 branch on engagement: an open or click reported for an SMS is refused, not engagement (cold)',
    plan: engagedAfterSms,
    contact,
    start,
    events: [
      ev('2026-01-06T12:00:00Z', 'opened', 'v11-sms-open-1', 'text'),
      ev('2026-01-06T12:05:00Z', 'clicked', 'v11-sms-click-1', 'text'),
    ],
    expected: {
      status: 'completed',
      currentNodeId: 'cold',
      sends: 3,
      entries: [
        { kind: 'send', node: 'text', channel: 'sms', at: '2026-01-06T10:00:00.000Z' },
        { kind: 'transition', at: '2026-01-07T10:00:00.000Z', from: 'check', to: 'cold', on: 'branch' },
      ],
    },
  },
  {
    name: 'v1.1 branch on engagement: the same plan with an open of the email takes the warm path',
    plan: engagedAfterSms,
    contact: { ...contact, phone: '+14155550128' },
    start,
    events: [ev('2026-01-05T12:00:00Z', 'opened', 'v11-email-open-1', 'intro')],
    expected: {
      status: 'completed',
      currentNodeId: 'warm',
      sends: 3,
      entries: [
        { kind: 'transition', at: '2026-01-07T10:00:00.000Z', from: 'check', to: 'warm', on: 'branch' },
      ],
    },
  },
];
