/*
 * Readable examples of the OpenAPI document: the seed campaign of examples/seed-campaign.json and the
 * contact of examples/contact.json (openapi-examples.test.ts keeps these copies equal to those files).
 */

/** examples/seed-campaign.json: the three-touch email sequence of the seed. */
export const seedPlanExample = {
  version: '1.0',
  timezone: 'America/Los_Angeles',
  quietHours: {
    start: '21:00',
    end: '07:30',
  },
  startNodeId: 'email_intro',
  exitOn: ['replied', 'bounced', 'complained', 'unsubscribed'],
  nodes: [
    {
      id: 'email_intro',
      action: 'send',
      subject: 'Introduction to our solution',
      body: "Hi {{name|there}},\n\nI noticed {{company|your team}} is growing fast. We help teams like yours run outreach that respects every contact's time zone.\n\nWorth a look?",
      schedule: {
        delay: 'PT0S',
      },
      transitions: [
        {
          on: 'opened',
          to: 'wait_click',
          within: 'PT72H',
        },
        {
          on: 'no_open',
          to: 'email_bump_1',
          after: 'PT72H',
        },
      ],
    },
    {
      id: 'wait_click',
      action: 'wait',
      transitions: [
        {
          on: 'clicked',
          to: 'email_meeting',
        },
        {
          on: 'no_click',
          to: 'email_bump_1',
          after: 'PT48H',
        },
      ],
    },
    {
      id: 'email_bump_1',
      action: 'send',
      subject: 'Re: Introduction to our solution',
      body: 'Hi {{name|there}}, bumping this in case it got buried. Happy to send a two-minute overview.',
      schedule: {
        delay: 'P1D',
      },
      transitions: [
        {
          on: 'opened',
          to: 'wait_reply',
          within: 'P4D',
        },
        {
          on: 'no_open',
          to: 'email_breakup',
          after: 'P4D',
        },
      ],
    },
    {
      id: 'wait_reply',
      action: 'wait',
      transitions: [
        {
          on: 'clicked',
          to: 'email_meeting',
        },
        {
          on: 'no_reply',
          to: 'email_breakup',
          after: 'P3D',
        },
      ],
    },
    {
      id: 'email_meeting',
      action: 'send',
      subject: 'A time to talk, {{name|there}}?',
      body: 'Thanks for taking a look, {{name|there}}. Would 20 minutes next week work for {{company|your team}}?',
      schedule: {
        delay: 'PT2H',
      },
      transitions: [
        {
          on: 'opened',
          to: 'done',
          within: 'P5D',
        },
        {
          on: 'no_open',
          to: 'done',
          after: 'P5D',
        },
      ],
    },
    {
      id: 'email_breakup',
      action: 'send',
      subject: 'Closing the loop',
      body: 'Hi {{name|there}}, I will stop writing about this. If timing changes, just reply.',
      schedule: {
        delay: 'P2D',
      },
      transitions: [],
    },
    {
      id: 'done',
      action: 'end',
    },
  ],
};

/** examples/contact.json. */
export const contactExample = {
  email: 'ada@example.com',
  name: 'Ada',
  attributes: {
    company: 'Analytical Engines',
  },
};

/** The campaign's uuid, then its contact's id (here derived from the address, so a uuid as well). */
const campaignId = '0b7d4c9e-2f1a-4c3b-9e8d-5a6f7b8c9d0e.5e0c3a1b-7d2f-4e8a-9b6c-1f2e3d4c5b6a';

/** POST /v1/campaigns: the seed plan for the example contact. */
export const createCampaignExample = { contact: contactExample, plan: seedPlanExample };

/** The 201 of POST /v1/campaigns for that request: active at its first node. */
export const campaignSummaryExample = {
  id: campaignId,
  status: 'active',
  currentNodeId: 'email_intro',
  planVersion: 1,
};

/** POST /v1/events: the intro email opened. */
export const eventsExample = {
  events: [
    {
      type: 'opened',
      messageId: '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
      occurredAt: '2026-03-06T18:02:11.000Z',
      id: 'evt-1',
    },
  ],
};
