/*
 * Response bodies of the OpenAPI document that several routes share: the campaign summary (create and
 * the controls), the answer to a batch of events, health. Written after what the controllers return
 * (campaigns.controller.ts `summaryBody`, core's ApiEventBatchResult, runtime's Readiness).
 */
import { ROUTED_ID_PATTERN } from '@campaign/core';
import { campaignSummaryExample } from './openapi-examples.ts';

const statuses = ['pending', 'active', 'paused', 'completed', 'stopped', 'cancelled'];

const rejected = {
  type: 'array',
  description: 'The refused items, by 0-based position in the batch.',
  items: {
    type: 'object',
    required: ['index', 'code'],
    properties: {
      index: { type: 'integer', minimum: 0 },
      code: {
        type: 'string',
        description:
          'invalid_event, unknown_message, unknown_contact, implausible_time or channel_event_mismatch',
      },
    },
  },
};

/** A campaign id in the API (DESIGN section 9). */
export const CAMPAIGN_ID = {
  type: 'string',
  pattern: ROUTED_ID_PATTERN,
  description:
    'A campaign id: `<uuid>.<contact id>` as the API hands it out (it carries its contact, so a request naming it goes to one database shard), or the bare uuid, which every route also takes.',
};

export const responseSchemas = {
  CampaignSummary: {
    type: 'object',
    required: ['id', 'status', 'currentNodeId', 'planVersion'],
    properties: {
      id: CAMPAIGN_ID,
      status: { enum: statuses },
      currentNodeId: { type: ['string', 'null'], description: 'null once the campaign has ended' },
      planVersion: { type: 'integer', minimum: 1 },
    },
    examples: [campaignSummaryExample],
  },
  EventsResult: {
    type: 'object',
    required: ['accepted', 'duplicates', 'rejected'],
    properties: {
      accepted: { type: 'integer', minimum: 0 },
      duplicates: { type: 'integer', minimum: 0, description: 'Seen before (same id): stored once.' },
      rejected,
    },
  },
  WebhookResult: {
    type: 'object',
    required: ['accepted', 'duplicates', 'ignored', 'rejected'],
    properties: {
      accepted: { type: 'integer', minimum: 0 },
      duplicates: { type: 'integer', minimum: 0 },
      ignored: { type: 'integer', minimum: 0, description: 'Provider events the engine does not act on.' },
      rejected,
    },
  },
  Liveness: {
    type: 'object',
    required: ['status'],
    properties: { status: { const: 'ok' } },
  },
  Readiness: {
    type: 'object',
    required: ['status', 'checks'],
    properties: {
      status: { enum: ['ok', 'unavailable'] },
      checks: {
        type: 'object',
        required: ['database', 'queue'],
        description: '`ok`, or the (URL-redacted) message of the failure',
        properties: { database: { type: 'string' }, queue: { type: 'string' } },
      },
    },
  },
};
