import { CAMPAIGN_PAGE_SIZE, PATCHABLE_CONTACT_FIELDS } from '@campaign/core';
import { CAMPAIGN_ID } from './openapi-responses.ts';

/*
 * The routes of issue 14 item 1 in the OpenAPI document: the campaign list, a campaign's stored plan and
 * the contact endpoints. addContactRoutes merges them into the document openapi.ts builds (GET next to
 * the POST of /v1/campaigns and the PUT of /v1/campaigns/{id}/plan).
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const ok = (description: string, schema: object) => ({
  description,
  content: { 'application/json': { schema } },
});
const secured = [{ apiKey: [] }];
const campaignIdParam = [{ name: 'id', in: 'path', required: true, schema: CAMPAIGN_ID }];
const contactIdParam = [
  {
    name: 'id',
    in: 'path',
    required: true,
    description: 'The contact id: the one given at creation, else the one derived from its address',
    schema: { type: 'string' },
  },
];
const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra });
const STATUSES = ['pending', 'active', 'paused', 'completed', 'stopped', 'cancelled'];

const contactSchemas = {
  Contact: {
    type: 'object',
    required: ['id', 'email', 'phone', 'name', 'timezone', 'attributes', 'suppressed', 'smsSuppressed'],
    properties: {
      id: { type: 'string' },
      email: nullable('string', { description: 'Null for an SMS-only or erased contact' }),
      phone: nullable('string', { description: 'E.164' }),
      name: nullable('string'),
      timezone: nullable('string', { description: 'IANA zone' }),
      attributes: { type: 'object', additionalProperties: true },
      suppressed: {
        type: 'boolean',
        description: 'Its email address is suppressed (unsubscribe, complaint)',
      },
      smsSuppressed: { type: 'boolean', description: 'Its number opted out of SMS' },
    },
    example: {
      id: '5f2b7c1e-8d4a-4a8e-9c61-2f7d3b0a9e14',
      email: 'ada@example.com',
      phone: '+14155550123',
      name: 'Ada',
      timezone: 'America/New_York',
      attributes: { firstName: 'Ada', company: 'Acme' },
      suppressed: false,
      smsSuppressed: false,
    },
  },
  ContactPatch: {
    type: 'object',
    description:
      'A JSON Merge Patch (RFC 7396): a member set to null removes it; `attributes` merges member by member. The email is not patched.',
    additionalProperties: false,
    properties: {
      name: nullable('string'),
      timezone: nullable('string', { description: 'IANA zone, such as "Europe/Berlin"' }),
      phone: nullable('string', { description: 'E.164, such as "+4915112345678"' }),
      attributes: { type: ['object', 'null'], additionalProperties: true },
    },
    example: { timezone: 'Europe/Berlin', attributes: { plan: 'pro', trialEndsAt: null } },
  },
  ContactErasure: {
    type: 'object',
    required: ['contactId', 'cancelledCampaignIds'],
    properties: {
      contactId: { type: 'string' },
      cancelledCampaignIds: { type: 'array', items: CAMPAIGN_ID },
    },
  },
  CampaignListItem: {
    type: 'object',
    required: [
      'id',
      'contactId',
      'status',
      'currentNodeId',
      'planVersion',
      'mode',
      'senderIds',
      'createdAt',
      'planShape',
    ],
    properties: {
      id: CAMPAIGN_ID,
      contactId: { type: 'string' },
      status: { enum: STATUSES },
      currentNodeId: nullable('string'),
      planVersion: { type: 'integer', minimum: 1 },
      mode: { enum: ['live', 'shadow'] },
      senderIds: {
        type: 'object',
        required: ['email', 'sms'],
        properties: { email: nullable('string'), sms: nullable('string') },
      },
      createdAt: { type: 'string', format: 'date-time' },
      planShape: nullable('string', { description: "The plan graph's fingerprint (SHA-256 hex)" }),
    },
  },
  CampaignList: {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: ref('CampaignListItem') },
      nextCursor: nullable('string', { description: 'Pass back as `cursor`; null on the last page' }),
    },
  },
  StoredPlan: {
    type: 'object',
    required: ['campaignId', 'planVersion', 'plan'],
    properties: {
      campaignId: CAMPAIGN_ID,
      planVersion: { type: 'integer', minimum: 1 },
      plan: ref('Plan'),
    },
  },
};

const query = (name: string, description: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

const listCampaigns = {
  summary: 'Campaigns, newest first, by filter, in cursor pages',
  description:
    'Ordered by creation time, then id, both descending. Follow `nextCursor` until it is null to read every matching campaign once. Filters combine (all must hold).',
  security: secured,
  parameters: [
    query('status', 'Only campaigns in this status', { enum: STATUSES }),
    query('email', 'Only the campaigns of contacts with this address (any letter case)'),
    query('sender', 'Only campaigns with this sender (email or SMS)'),
    query(
      'experiment',
      "Only campaigns whose plan has a split of this experiment (an unnamed split's is its node id)",
    ),
    query('planShape', 'Only campaigns whose plan has this shape fingerprint', {
      type: 'string',
      pattern: '^[0-9a-f]{64}$',
    }),
    query('cursor', 'A `nextCursor`; none starts at the newest campaign'),
    query('limit', 'Campaigns per page', {
      type: 'integer',
      minimum: 1,
      maximum: CAMPAIGN_PAGE_SIZE.max,
      default: CAMPAIGN_PAGE_SIZE.default,
    }),
  ],
  responses: {
    200: ok('A page of campaigns', ref('CampaignList')),
    400: problem(
      'invalid_filter (an unknown status, a malformed planShape, an empty filter), invalid_limit or invalid_cursor',
    ),
  },
};

const getCampaignPlan = {
  summary: "The campaign's current plan and its version",
  security: secured,
  parameters: campaignIdParam,
  responses: { 200: ok('The stored plan', ref('StoredPlan')), 404: problem('not_found') },
};

const contactPaths = {
  '/v1/contacts/{id}': {
    get: {
      summary: 'A contact',
      security: secured,
      parameters: contactIdParam,
      responses: { 200: ok('The contact', ref('Contact')), 404: problem('not_found') },
    },
    patch: {
      summary: 'Update a contact (JSON Merge Patch)',
      description: `Changes ${PATCHABLE_CONTACT_FIELDS.join(', ')} by RFC 7396. A zone change moves the pending sends (not the timeouts) of the active campaigns whose plan has no zone to the first instant the plan's rules allow in the new zone. Each open campaign's timeline gets {"kind": "contact_update", "at", "fields"}. A patch that changes nothing records nothing.`,
      security: secured,
      parameters: contactIdParam,
      requestBody: {
        required: true,
        content: {
          'application/merge-patch+json': { schema: ref('ContactPatch') },
          'application/json': { schema: ref('ContactPatch') },
        },
      },
      responses: {
        200: ok('The updated contact', ref('Contact')),
        400: problem(
          'invalid_phone (not E.164, or a number that cannot exist), invalid_timezone (not an IANA zone), invalid_contact (not an object, a member that cannot be patched, a value of the wrong type), missing_contact_address (neither email nor phone left)',
        ),
        404: problem('not_found'),
        409: problem('missing_variable: a pending send uses a variable the patch removes; nothing changed'),
        415: problem('unsupported_media_type: not application/merge-patch+json or application/json'),
      },
    },
    delete: {
      summary: 'Erase a contact',
      description:
        "Cancels the contact's open campaigns and removes its personal data: name, email, phone, zone, attributes, and its messages' recipient, subject and body. A suppressed email or number is kept only as its SHA-256 (the address trimmed and lowercased; the number in E.164), so a later campaign for it is still refused. Erasing again changes nothing.",
      security: secured,
      parameters: contactIdParam,
      responses: { 200: ok('What the erasure did', ref('ContactErasure')), 404: problem('not_found') },
    },
  },
};

type Doc = {
  components: { schemas: Record<string, unknown> };
  paths: Record<string, Record<string, unknown>>;
};

/** The document with this file's schemas and routes added (existing path items keep their operations). */
export function addContactRoutes<T extends Doc>(doc: T): T {
  Object.assign(doc.components.schemas, contactSchemas);
  doc.paths['/v1/campaigns'] = { get: listCampaigns, ...doc.paths['/v1/campaigns'] };
  doc.paths['/v1/campaigns/{id}/plan'] = { get: getCampaignPlan, ...doc.paths['/v1/campaigns/{id}/plan'] };
  Object.assign(doc.paths, contactPaths);
  return doc;
}
