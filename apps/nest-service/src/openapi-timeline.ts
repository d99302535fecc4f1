import { ENGAGEMENT_EVENTS, TIMEOUT_EVENTS } from '@campaign/core';

/*
 * The JSON Schemas of a campaign's timeline entries (core's TimelineEntry, as GET /v1/campaigns/{id}
 * and /v1/campaigns/{id}/timeline return them), for the OpenAPI document. One schema per entry shape,
 * told apart by `kind` (and, for sends, by `channel`).
 */

const instant = { type: 'string', format: 'date-time' } as const;
const text = { type: 'string' } as const;

function entry(kind: string | string[], properties: Record<string, object>, required: string[]) {
  return {
    type: 'object',
    required: ['at', 'kind', ...required],
    properties: {
      at: instant,
      kind: Array.isArray(kind) ? { enum: kind } : { const: kind },
      ...properties,
    },
    additionalProperties: false,
  };
}

const sendBase = {
  node: text,
  message: { type: 'string', description: 'Our message id: the `messageId` of POST /v1/events.' },
  dueAt: { ...instant, description: 'Entry time + delay, before any deferral; `at` is when it was sent.' },
};

/** Every timeline entry shape (a `oneOf`). */
export const timelineEntrySchema = {
  description: 'One timeline entry, oldest first. Every `at` is a UTC ISO instant.',
  oneOf: [
    entry('enter', { node: text, step: { type: 'integer' } }, ['node', 'step']),
    entry(
      'send',
      {
        ...sendBase,
        subject: { type: 'string', description: 'The rendered subject.' },
        inReplyTo: {
          type: 'string',
          description: 'A threaded follow-up (plan 1.1 `thread`): our message id of the email it replies to.',
        },
      },
      ['node', 'message', 'dueAt', 'subject'],
    ),
    entry(
      'send',
      {
        ...sendBase,
        channel: { const: 'sms' },
        text: { type: 'string', description: 'The rendered SMS text.' },
        segments: {
          type: 'integer',
          minimum: 1,
          description: 'Parts the text is sent as (GSM-7 160/153, else UCS-2 70/67 characters a part).',
        },
      },
      ['node', 'message', 'dueAt', 'channel', 'text', 'segments'],
    ),
    entry(
      'event',
      {
        type: { enum: [...ENGAGEMENT_EVENTS] },
        message: { type: ['string', 'null'] },
        id: { type: 'string', description: "The provider's (or your) event id." },
        effect: { enum: ['transition', 'exit', 'ignored'] },
        inbound: {
          type: 'object',
          required: ['kind', 'decidedBy'],
          description:
            'An inbound message (DESIGN section 14): how it was classified and the header that decided it, e.g. `Auto-Submitted: auto-replied`, `report-type=delivery-status; status 5.1.1`, `no automatic marker`.',
          properties: {
            kind: { enum: ['hard_bounce', 'soft_bounce', 'auto_reply', 'complaint', 'reply'] },
            decidedBy: { type: 'string' },
          },
        },
      },
      ['type', 'message', 'effect'],
    ),
    entry(
      'transition',
      {
        from: text,
        to: text,
        on: {
          enum: [...ENGAGEMENT_EVENTS, ...TIMEOUT_EVENTS, 'branch', 'split'],
          description: 'The event or timeout that moved the campaign, or `branch` / `split` (plan 1.1).',
        },
        variant: { type: 'string', description: 'When `on` is `split`: the variant taken.' },
      },
      ['from', 'to', 'on'],
    ),
    entry(
      'timeout',
      {
        node: text,
        event: { enum: [...TIMEOUT_EVENTS] },
        effect: { enum: ['transition', 'stale', 'skipped'] },
      },
      ['node', 'event', 'effect'],
    ),
    entry(['pause', 'resume', 'cancel'], {}, []),
    entry(
      'deferred',
      {
        node: text,
        until: {
          type: ['string', 'null'],
          format: 'date-time',
          description: 'When the send runs instead; null: held without an end (until the hold is lifted).',
        },
        reason: {
          type: 'string',
          description:
            'Why: a plan rule (`quiet_hours`, `send_window`, `holiday`, `sms_hours`) or a sending control (DESIGN section 11).',
          examples: ['quiet_hours', 'send_window', 'holiday', 'sms_hours'],
        },
      },
      ['node', 'until', 'reason'],
    ),
    entry(
      'skipped',
      {
        node: text,
        dueAt: instant,
        reason: { const: 'expired', description: 'Plan 1.1 `expireAfter`: it could not go in time.' },
      },
      ['node', 'dueAt', 'reason'],
    ),
    entry(
      'end',
      {
        status: { enum: ['completed', 'stopped', 'cancelled'] },
        reason: {
          anyOf: [
            { enum: [...ENGAGEMENT_EVENTS, 'send_failed', 'no_path', 'send_expired'] },
            {
              type: 'string',
              pattern: '^goal:',
              description:
                'A goal reached (plan 1.1 `goals`): the custom event name follows `goal:`; status completed.',
            },
          ],
        },
      },
      ['status'],
    ),
    entry('plan_update', { version: { type: 'integer' }, node: { type: ['string', 'null'] } }, [
      'version',
      'node',
    ]),
    entry('plan_update', { refused: { const: true }, reason: text }, ['refused', 'reason']),
    entry(
      'contact_update',
      { fields: { type: 'array', items: { enum: ['name', 'timezone', 'phone', 'attributes'] } } },
      ['fields'],
    ),
  ],
};
