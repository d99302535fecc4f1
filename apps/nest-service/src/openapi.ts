import { planJsonSchema, TIMEOUT_EVENTS } from '@campaign/core';
import { z } from 'zod';
import { createCampaignBody, eventItem, planBody } from './http/schemas.ts';
import { analyticsPaths, analyticsSchemas } from './openapi-analytics.ts';
import { addContactRoutes } from './openapi-contacts.ts';
import { createCampaignExample, eventsExample, seedPlanExample } from './openapi-examples.ts';
import { finishDocument } from './openapi-finish.ts';
import { inboundPaths } from './openapi-inbound.ts';
import { CAMPAIGN_ID, responseSchemas } from './openapi-responses.ts';
import { senderPaths, senderSchemas } from './openapi-senders.ts';
import { timelineEntrySchema } from './openapi-timeline.ts';
import { twilioPaths } from './openapi-twilio.ts';

const json = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const body = (name: string) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const ok = (description: string, schema: object) => ({
  description,
  content: { 'application/json': { schema } },
});
const idParam = [{ name: 'id', in: 'path', required: true, schema: CAMPAIGN_ID }];
const secured = [{ apiKey: [] }];
/** `GET`/`POST /v1/admin/sending`'s answer. */
const sendingState = {
  type: 'object',
  required: ['enabled', 'since'],
  properties: {
    enabled: { type: 'boolean' },
    since: { type: ['string', 'null'], format: 'date-time' },
  },
};

/**
 * A standalone JSON Schema placed at `at` in the document: its local references (`#/$defs/...`, the
 * plan's recursive conditions) resolve against the document's root, so they are rewritten to point
 * inside the schema where it now stands.
 */
function rebased<T>(schema: T, at: string): T {
  return JSON.parse(
    JSON.stringify(schema, (key, value) =>
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `${at}${value.slice(1)}`
        : value,
    ),
  ) as T;
}

/** The request body of POST /v1/campaigns; its contact needs an email or a phone (a refinement zod cannot emit). */
function createCampaignSchema(): Record<string, unknown> {
  const schema = json(createCampaignBody) as unknown as {
    properties: { contact: Record<string, unknown>; plan: Record<string, unknown> };
  };
  schema.properties.contact = {
    ...schema.properties.contact,
    anyOf: [{ required: ['email'] }, { required: ['phone'] }],
  };
  // The route takes any JSON and answers invalid_plan with every issue; a client is typed with the plan schema.
  schema.properties.plan = { ...ref('Plan'), description: schema.properties.plan.description };
  return schema;
}

const campaignSchema = {
  type: 'object',
  required: ['id', 'status', 'currentNodeId', 'planVersion', 'contact', 'pendingActions', 'timeline'],
  properties: {
    id: CAMPAIGN_ID,
    status: { enum: ['pending', 'active', 'paused', 'completed', 'stopped', 'cancelled'] },
    currentNodeId: { type: ['string', 'null'] },
    stopReason: { type: ['string', 'null'] },
    planVersion: { type: 'integer' },
    step: { type: 'integer' },
    contact: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        email: { type: ['string', 'null'] },
        phone: { type: ['string', 'null'], description: 'E.164' },
        name: { type: ['string', 'null'] },
        timezone: { type: ['string', 'null'] },
        attributes: { type: 'object' },
        suppressed: { type: 'boolean', description: 'Suppressed for email (an unsubscribe or complaint)' },
        smsSuppressed: {
          type: 'boolean',
          description: 'Opted out of SMS (STOP): its number is suppressed for SMS',
        },
      },
    },
    pendingActions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'kind', 'node', 'runAt'],
        properties: {
          id: { type: 'string' },
          kind: { type: 'string', description: 'send or timeout' },
          node: { type: 'string' },
          event: { type: 'string', description: 'A timeout: the event it fires (no_open, ...)' },
          runAt: { type: 'string', format: 'date-time' },
        },
      },
    },
    timeline: { type: 'array', items: ref('TimelineEntry') },
    timelineNextCursor: { type: ['string', 'null'] },
    senderIds: {
      type: 'object',
      description: 'The senders it got at creation, per channel; email null: the MAIL_FROM default',
      properties: { email: { type: ['string', 'null'] }, sms: { type: ['string', 'null'] } },
    },
  },
};

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const control = (verb: string) => ({
    post: {
      summary: `${verb} a campaign`,
      security: secured,
      parameters: idParam,
      responses: {
        200: ok('Campaign summary', ref('CampaignSummary')),
        404: problem('No such campaign'),
        409: problem(`Cannot ${verb} from the current status`),
      },
    },
  });
  const document = {
    openapi: '3.1.0',
    info: {
      title: 'Campaign engine',
      version: '1.0.0',
      description: 'Runs AI-written campaign plans durably.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Plan: { ...rebased(planJsonSchema(), '#/components/schemas/Plan'), examples: [seedPlanExample] },
        CreateCampaign: createCampaignSchema(),
        ...senderSchemas,
        ...analyticsSchemas,
        ...responseSchemas,
        TimelineEntry: timelineEntrySchema,
        Campaign: campaignSchema,
        PlanBody: { ...json(planBody), examples: [{ plan: seedPlanExample }] },
        Events: {
          type: 'object',
          required: ['events'],
          properties: { events: { type: 'array', items: json(eventItem), maxItems: 1000 } },
        },
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string' },
            detail: { type: 'string' },
            issues: {
              description:
                'With invalid_plan, invalid_request and invalid_sender: what is wrong, each at a JSON pointer into the body (`path`). A plan issue also has `code` and `severity`, and `fix` when it has one obvious repair.',
              type: 'array',
              items: {
                type: 'object',
                required: ['path', 'message'],
                properties: {
                  path: { type: 'string' },
                  message: { type: 'string' },
                  code: { type: 'string' },
                  severity: { type: 'string', enum: ['error', 'warning'] },
                  fix: {
                    description: 'An RFC 6902 JSON Patch against the plan as given',
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['op', 'path'],
                      properties: { op: { type: 'string' }, path: { type: 'string' }, value: {} },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    paths: {
      '/v1/plans/schema': {
        get: {
          summary: 'The plan JSON Schema',
          security: secured,
          responses: { 200: ok('JSON Schema', ref('Plan')) },
        },
      },
      '/v1/plans/validate': {
        post: {
          summary: 'Validate a plan',
          description:
            'Every issue is `{path, code, message, severity}`; one with a single obvious repair also has `fix`, an RFC 6902 JSON Patch against the plan as given. With `fix=true` every such fix is applied (one round at a time, re-validating between rounds) and the answer adds `plan`, the repaired plan, with `valid` and `issues` those of the repaired plan.',
          security: secured,
          parameters: [
            {
              name: 'fix',
              in: 'query',
              required: false,
              schema: { type: 'string', enum: ['true', 'false'], default: 'false' },
              description: "true: apply every issue's fix and return the repaired plan",
            },
          ],
          requestBody: body('PlanBody'),
          responses: {
            200: ok('{valid, issues}; with fix=true, {valid, issues, plan}', {
              type: 'object',
              required: ['valid', 'issues'],
              properties: {
                valid: { type: 'boolean' },
                issues: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['path', 'code', 'message', 'severity'],
                    properties: {
                      path: { type: 'string', description: 'RFC 6901 JSON pointer into the plan' },
                      code: { type: 'string' },
                      message: { type: 'string' },
                      severity: { type: 'string', enum: ['error', 'warning'] },
                      fix: {
                        type: 'array',
                        description: 'RFC 6902 JSON Patch operations: the one obvious repair',
                        items: {
                          type: 'object',
                          required: ['op', 'path'],
                          properties: {
                            op: {
                              type: 'string',
                              enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'],
                            },
                            path: { type: 'string' },
                            from: { type: 'string' },
                            value: {},
                          },
                        },
                      },
                    },
                  },
                },
                plan: { description: 'With fix=true: the repaired plan, as JSON (no defaults filled in)' },
              },
            }),
            400: problem('invalid_request (no plan, or fix neither true nor false)'),
          },
        },
      },
      '/v1/campaigns': {
        post: {
          summary: 'Store a contact plan and activate it',
          security: secured,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: ref('CreateCampaign'),
                examples: { seed: { summary: 'The seed campaign', value: createCampaignExample } },
              },
            },
          },
          responses: {
            201: ok('Created', ref('CampaignSummary')),
            200: ok('Same idempotency key: the existing campaign', ref('CampaignSummary')),
            400: problem(
              'invalid_plan (with issues); invalid_request (the issues name each field, such as /contact/phone for a phone not in E.164 form, or a contact with neither email nor phone); invalid_phone (a number that cannot exist); no_sender (the plan sends SMS and there is no enabled SMS sender); unknown_sender or sender_channel_mismatch (a senderIds entry that names no sender, or one of the other channel)',
            ),
            409: problem(
              'contact_suppressed, or idempotency_conflict: the key was used for this contact with a different request',
            ),
          },
        },
      },
      '/v1/campaigns/{id}': {
        get: {
          summary: 'State, pending actions and the oldest 100 timeline entries',
          description:
            '`timelineNextCursor` (null when the timeline is whole) continues it at /v1/campaigns/{id}/timeline.',
          security: secured,
          parameters: idParam,
          responses: { 200: ok('Campaign', ref('Campaign')), 404: problem('not_found') },
        },
      },
      '/v1/campaigns/{id}/timeline': {
        get: {
          summary: 'The timeline entries after a cursor, oldest first',
          description:
            'Follow `nextCursor` (null at the end) from `timelineNextCursor` to read every entry once, in order, while the campaign goes on. Cursors are opaque and belong to their campaign.',
          security: secured,
          parameters: [
            ...idParam,
            {
              name: 'cursor',
              in: 'query',
              required: false,
              description: 'A `timelineNextCursor` or `nextCursor`; none starts at the oldest entry.',
              schema: { type: 'string' },
            },
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            },
          ],
          responses: {
            200: ok('{entries, nextCursor}', {
              type: 'object',
              required: ['entries', 'nextCursor'],
              properties: {
                entries: { type: 'array', items: ref('TimelineEntry') },
                nextCursor: { type: ['string', 'null'] },
              },
            }),
            400: problem("invalid_cursor (malformed, or another campaign's) or invalid_limit"),
            404: problem('not_found'),
          },
        },
      },
      '/v1/campaigns/{id}/pause': control('pause'),
      '/v1/campaigns/{id}/resume': control('resume'),
      '/v1/campaigns/{id}/cancel': control('cancel'),
      '/v1/campaigns/{id}/plan': {
        put: {
          summary: 'Store a new plan version',
          description:
            "Rule 9: the campaign stays at its current node, which the new plan must have with the same action, and its pending timeouts are recomputed from the node's original anchor. With `dryRun=true` nothing changes: the answer says what the update would do (the version it would store, the node, the timeouts then pending), or is the problem the update would return.",
          security: secured,
          parameters: [
            ...idParam,
            {
              name: 'dryRun',
              in: 'query',
              required: false,
              schema: { type: 'string', enum: ['true', 'false'], default: 'false' },
              description: 'true: answer what the update would do, change nothing',
            },
          ],
          requestBody: body('PlanBody'),
          responses: {
            200: ok('{planVersion}; with dryRun=true, {planVersion, currentNodeId, timeouts}', {
              anyOf: [
                {
                  type: 'object',
                  required: ['planVersion'],
                  properties: { planVersion: { type: 'integer' } },
                },
                {
                  type: 'object',
                  required: ['planVersion', 'currentNodeId', 'timeouts'],
                  properties: {
                    planVersion: { type: 'integer' },
                    currentNodeId: { type: ['string', 'null'] },
                    timeouts: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['node', 'event', 'runAt'],
                        properties: {
                          node: { type: 'string' },
                          event: { type: 'string', enum: [...TIMEOUT_EVENTS] },
                          runAt: { type: 'string', format: 'date-time' },
                        },
                      },
                    },
                  },
                },
              ],
            }),
            400: problem('invalid_plan, or invalid_request (dryRun neither true nor false)'),
            409: problem('plan_conflict or invalid_state'),
          },
        },
      },
      ...senderPaths,
      ...analyticsPaths,
      ...inboundPaths,
      ...twilioPaths,
      '/v1/admin/sending': {
        get: {
          summary: 'The emergency stop: whether sending is enabled, and since when (null: never changed)',
          security: secured,
          responses: { 200: ok('{enabled, since}', sendingState) },
        },
        post: {
          summary: 'Stop or resume every send (DESIGN section 11)',
          description:
            '`{"enabled": false}` holds every due send (it stays pending; its timeline gets a `deferred` entry with reason `emergency_stop` and `until` null). `{"enabled": true}` releases them, oldest due first, throttled and obeying send windows and expiry. `since` changes only when `enabled` does.',
          security: secured,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['enabled'],
                  properties: { enabled: { type: 'boolean' } },
                },
              },
            },
          },
          responses: { 200: ok('{enabled, since}', sendingState), 400: problem('invalid_request') },
        },
      },
      '/v1/events': {
        post: {
          summary: 'Record normalized engagement events and custom (goal) events',
          security: secured,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: ref('Events'),
                examples: { opened: { summary: 'An open of a sent email', value: eventsExample } },
              },
            },
          },
          description:
            'An item is an engagement event of a message (`messageId`), or a custom event of a contact (`{"type": "custom", "name", "contactId" | "email", "occurredAt", "id"}`, from your CRM or app): stored per contact for `event` branch conditions, it ends every open campaign of the contact whose plan lists `name` in `goals` (status completed, reason `goal:<name>`). Each rejected item is `{index, code}`: `invalid_event`, `unknown_message`, `unknown_contact` (a custom event for no contact we know; none is created), `implausible_time` (dated more than 5 minutes before its message was sent or ahead of the server clock; stored nowhere), or `channel_event_mismatch` (an `opened` or `clicked` of an SMS message, which has no opens or clicks; stored nowhere). The other items go on.',
          responses: {
            202: ok('{accepted, duplicates, rejected}', ref('EventsResult')),
            400: problem('invalid_request: no `events` array of 1 to 1000 items'),
          },
        },
      },
      '/v1/webhooks/{provider}': {
        post: {
          summary:
            'Provider webhooks (sendgrid, mailgun, postmark, ses, resend), verified by the provider signature',
          parameters: [
            {
              name: 'provider',
              in: 'path',
              required: true,
              schema: { enum: ['sendgrid', 'mailgun', 'postmark', 'ses', 'resend'] },
            },
          ],
          responses: {
            200: ok('{accepted, duplicates, ignored, rejected}', ref('WebhookResult')),
            400: problem('Malformed'),
            401: problem('Forged or stale'),
          },
        },
      },
      '/v1/unsubscribe/{token}': {
        parameters: [
          {
            name: 'token',
            in: 'path',
            required: true,
            description: 'The signed token of the List-Unsubscribe link.',
            schema: { type: 'string' },
          },
        ],
        post: {
          summary:
            "Unsubscribe: RFC 8058 one-click (form body List-Unsubscribe=One-Click) answers JSON; any other POST (the confirmation page's button) answers an HTML page",
          responses: {
            200: {
              description: '{unsubscribed: true} for one-click, else an HTML page',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['unsubscribed'],
                    properties: { unsubscribed: { const: true } },
                  },
                },
                'text/html': { schema: { type: 'string' } },
              },
            },
            404: {
              description: 'A bad link: invalid_token problem for one-click, else an HTML page',
              content: {
                'application/problem+json': { schema: ref('Problem') },
                'text/html': { schema: { type: 'string' } },
              },
            },
          },
        },
        get: {
          summary: 'Confirmation page (changes nothing)',
          responses: {
            200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } },
            404: {
              description: 'HTML page: a bad link',
              content: { 'text/html': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/health/live': { get: { summary: 'Liveness', responses: { 200: ok('ok', ref('Liveness')) } } },
      '/health/ready': {
        get: {
          summary: 'Readiness (database and queue)',
          responses: { 200: ok('ok', ref('Readiness')), 503: ok('unavailable', ref('Readiness')) },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: {
            200: {
              description: 'text exposition format',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
    },
  };
  return finishDocument(addContactRoutes(document));
}
