/*
 * What the API tests create campaigns with: the smallest plans (plan 1.1 in UTC, one `send` node,
 * `hello`, and nothing after it), and an SMS sender whose sends go to the log.
 */

/** One email (subject "Hi"). */
export const emailPlan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'hello',
  nodes: [{ id: 'hello', action: 'send', subject: 'Hi', body: '<p>Hi</p>', transitions: [] }],
};

/** One SMS of `text` (a template). */
export function smsPlan(text = 'Hi') {
  return {
    version: '1.1',
    timezone: 'UTC',
    startNodeId: 'hello',
    nodes: [{ id: 'hello', action: 'send', channel: 'sms', text, transitions: [] }],
  };
}

/** A `POST /v1/senders` body: an SMS sender (UTC, 100 a day) whose sends go to the log. */
export const logSmsSender = {
  channel: 'sms',
  from: '+14155550100',
  timezone: 'UTC',
  caps: { daily: 100 },
  transport: 'log',
};
