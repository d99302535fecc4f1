import type { Plan } from '../plan/plan-schema.ts';

/**
 * Plan fixtures shared by the test suites, instead of the same plan literal re-declared in each file.
 * Every builder returns a fresh object (callers may spread and change it) and, with its defaults, the
 * exact plan the tests wrote by hand; the options cover the variants that differ only in a wording or a
 * duration. Every plan starts at node `intro`, in UTC.
 */

/** A single send, `intro`, with no transition: the campaign completes once it is sent. */
export function oneSendPlan(options: { subject?: string; body?: string } = {}): Plan {
  const { subject = 'Hello', body = '<p>Hi</p>' } = options;
  return {
    version: '1.0',
    timezone: 'UTC',
    startNodeId: 'intro',
    nodes: [{ id: 'intro', action: 'send', subject, body, transitions: [] }],
  };
}

/**
 * `intro` ends at `done` whether it is opened within `window` or not opened after it
 * (an opened transition, so that an open does not strand the node).
 */
export function openOrTimeoutPlan(options: { window?: string; subject?: string; body?: string } = {}): Plan {
  const { window = 'PT1H', subject = 'Hello', body = '<p>Hi</p>' } = options;
  return {
    version: '1.0',
    timezone: 'UTC',
    startNodeId: 'intro',
    nodes: [
      {
        id: 'intro',
        action: 'send',
        subject,
        body,
        transitions: [
          { on: 'opened', to: 'done', within: window },
          { on: 'no_open', to: 'done', after: window },
        ],
      },
      { id: 'done', action: 'end' },
    ],
  };
}

/** `intro`, then `done` (an end) when it is not opened after `after`: one send whose timeout is due later. */
export function noOpenEndPlan(options: { after?: string; subject?: string; body?: string } = {}): Plan {
  const { after = 'PT72H', subject = 'Hello', body = 'Hi' } = options;
  return {
    version: '1.0',
    timezone: 'UTC',
    startNodeId: 'intro',
    nodes: [
      { id: 'intro', action: 'send', subject, body, transitions: [{ on: 'no_open', to: 'done', after }] },
      { id: 'done', action: 'end' },
    ],
  };
}

/**
 * `intro`, then the send `bump` when it is not opened after `after`: two sends, the second due later.
 * With `delay`, intro itself is scheduled that long after activation.
 */
export function noOpenBumpPlan(
  options: { after?: string; body?: string; bumpBody?: string; delay?: string } = {},
): Plan {
  const { after = 'PT72H', body = 'Hi', bumpBody = 'Still there?', delay } = options;
  return {
    version: '1.0',
    timezone: 'UTC',
    startNodeId: 'intro',
    nodes: [
      {
        id: 'intro',
        action: 'send',
        subject: 'Hello',
        body,
        // `delay`: intro is sent that long after activation (no `schedule` key without it).
        ...(delay === undefined ? {} : { schedule: { delay } }),
        transitions: [{ on: 'no_open', to: 'bump', after }],
      },
      { id: 'bump', action: 'send', subject: 'Bump', body: bumpBody, transitions: [] },
    ],
  };
}

/**
 * The seed plan: `intro`; opened within 72 h it goes to `wait`, else to the send `bump`; `wait` goes to
 * `bump` when not clicked after 48 h.
 */
export function seedPlan(options: { subject?: string } = {}): Plan {
  const { subject = 'Hello' } = options;
  return {
    version: '1.0',
    timezone: 'UTC',
    startNodeId: 'intro',
    nodes: [
      {
        id: 'intro',
        action: 'send',
        subject,
        body: 'Hi',
        transitions: [
          { on: 'opened', to: 'wait', within: 'PT72H' },
          { on: 'no_open', to: 'bump', after: 'PT72H' },
        ],
      },
      { id: 'wait', action: 'wait', transitions: [{ on: 'no_click', to: 'bump', after: 'PT48H' }] },
      { id: 'bump', action: 'send', subject: 'Bump', body: 'Still there?', transitions: [] },
    ],
  };
}

/** `intro` ends at `done` when clicked, or when not clicked after `after`. */
export function clickOrTimeoutPlan(options: { after?: string; body?: string } = {}): Plan {
  const { after = 'P3D', body = 'Hi' } = options;
  return {
    version: '1.0',
    timezone: 'UTC',
    startNodeId: 'intro',
    nodes: [
      {
        id: 'intro',
        action: 'send',
        subject: 'Hello',
        body,
        transitions: [
          { on: 'clicked', to: 'done' },
          { on: 'no_click', to: 'done', after },
        ],
      },
      { id: 'done', action: 'end' },
    ],
  };
}

/**
 * `intro` ends at `opened` when opened within an hour, at `done` when not opened after it: the end node
 * tells which way the campaign went.
 */
export function openedOrNotPlan(): Plan {
  return {
    version: '1.0',
    timezone: 'UTC',
    startNodeId: 'intro',
    nodes: [
      {
        id: 'intro',
        action: 'send',
        subject: 'Hello',
        body: '<p>Hi</p>',
        transitions: [
          { on: 'opened', to: 'opened', within: 'PT1H' },
          { on: 'no_open', to: 'done', after: 'PT1H' },
        ],
      },
      { id: 'opened', action: 'end' },
      { id: 'done', action: 'end' },
    ],
  };
}

/**
 * `intro` goes to `wait` when opened within `window`, to `done` when not opened after it; `wait` ends at
 * `done` when not clicked after `clickAfter` (and, with `endOnClick`, at once when clicked).
 */
export function openThenClickPlan(
  options: { window?: string; clickAfter?: string; body?: string; endOnClick?: boolean } = {},
): Plan {
  const { window = 'PT72H', clickAfter = 'PT48H', body = 'Hi', endOnClick = false } = options;
  return {
    version: '1.0',
    timezone: 'UTC',
    startNodeId: 'intro',
    nodes: [
      {
        id: 'intro',
        action: 'send',
        subject: 'Hello',
        body,
        transitions: [
          { on: 'opened', to: 'wait', within: window },
          { on: 'no_open', to: 'done', after: window },
        ],
      },
      {
        id: 'wait',
        action: 'wait',
        transitions: [
          ...(endOnClick ? [{ on: 'clicked' as const, to: 'done' }] : []),
          { on: 'no_click', to: 'done', after: clickAfter },
        ],
      },
      { id: 'done', action: 'end' },
    ],
  };
}

/**
 * The whole funnel on short durations, for tests that run it in real time: `intro` goes to `wait` when
 * opened within `openWithin`, else to the send `bump` after `noOpenAfter`; `wait` ends at `done` when
 * clicked or not clicked after `clickAfter`; `bump` (sent `bumpDelay` after it is entered, when given)
 * is the last send.
 */
export function openClickBumpPlan(
  options: {
    subject?: string;
    body?: string;
    openWithin?: string;
    noOpenAfter?: string;
    clickAfter?: string;
    bumpSubject?: string;
    bumpDelay?: string;
  } = {},
): Plan {
  const {
    subject = 'Hello {{name|there}}',
    body = '<p>Hi {{name|there}}</p>',
    openWithin = 'PT2S',
    noOpenAfter = 'PT2S',
    clickAfter = 'PT1S',
    bumpSubject = 'Bump',
    bumpDelay,
  } = options;
  return {
    version: '1.0',
    timezone: 'UTC',
    startNodeId: 'intro',
    nodes: [
      {
        id: 'intro',
        action: 'send',
        subject,
        body,
        transitions: [
          { on: 'opened', to: 'wait', within: openWithin },
          { on: 'no_open', to: 'bump', after: noOpenAfter },
        ],
      },
      {
        id: 'wait',
        action: 'wait',
        transitions: [
          { on: 'clicked', to: 'done' },
          { on: 'no_click', to: 'done', after: clickAfter },
        ],
      },
      {
        id: 'bump',
        action: 'send',
        subject: bumpSubject,
        body: '<p>Still there?</p>',
        ...(bumpDelay === undefined ? {} : { schedule: { delay: bumpDelay } }),
        transitions: [],
      },
      { id: 'done', action: 'end' },
    ],
  };
}
