import { senderBody, senderPatchBody } from '@campaign/core';
import { z } from 'zod';

/*
 * The senders routes of the OpenAPI document (issue 12), generated from core's body schemas.
 */

const json = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const ok = (description: string, schema: object) => ({
  description,
  content: { 'application/json': { schema } },
});
const body = (name: string) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });
const secured = [{ apiKey: [] }];
const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];

const senderSchema = {
  type: 'object',
  required: [
    'id',
    'channel',
    'from',
    'timezone',
    'caps',
    'warmup',
    'enabled',
    'effectiveDailyCap',
    'usage',
    'health',
  ],
  properties: {
    id: { type: 'string' },
    channel: { enum: ['email', 'sms'] },
    from: { type: 'string' },
    timezone: { type: 'string' },
    caps: {
      type: 'object',
      required: ['daily'],
      properties: {
        daily: { type: 'integer', minimum: 1 },
        hourly: { type: 'integer', minimum: 1 },
        minGap: { type: 'string', description: 'ISO 8601 duration' },
      },
    },
    warmup: {
      type: ['object', 'null'],
      properties: { start: { type: 'integer' }, days: { type: 'integer' } },
    },
    enabled: { type: 'boolean' },
    effectiveDailyCap: {
      type: 'integer',
      description: 'The daily cap on its local day today, warm-up applied',
    },
    usage: {
      type: 'object',
      required: ['today', 'lastHour'],
      properties: { today: { type: 'integer' }, lastHour: { type: 'integer' } },
    },
    health: {
      type: 'object',
      required: ['complaintRate', 'hardBounceRate', 'pausedAt', 'pausedReason'],
      properties: {
        complaintRate: { type: 'number', description: 'Over its latest 1,000 sent messages' },
        hardBounceRate: { type: 'number' },
        pausedAt: { type: ['string', 'null'], format: 'date-time' },
        pausedReason: { type: ['string', 'null'] },
      },
    },
  },
};

export const senderSchemas = {
  Sender: senderSchema,
  CreateSender: json(senderBody),
  UpdateSender: json(senderPatchBody),
};

const invalid = problem(
  'invalid_sender, with `issues` ({path, message}): a cap that is not an integer above 0, an unknown zone, a `from` that is not an email address (email) or not E.164 (sms), a warm-up longer than 366 days, a transport not of the channel',
);

export const senderPaths = {
  '/v1/senders': {
    post: {
      summary: 'Create a sender',
      security: secured,
      requestBody: body('CreateSender'),
      responses: {
        201: ok('The sender', ref('Sender')),
        400: invalid,
        409: problem('sender_exists: the id is taken (a deleted sender keeps its id)'),
      },
    },
    get: {
      summary: 'Every sender, in id order, with caps and usage',
      security: secured,
      responses: { 200: ok('The senders', { type: 'array', items: ref('Sender') }) },
    },
  },
  '/v1/senders/{id}': {
    get: {
      summary: 'A sender',
      security: secured,
      parameters: idParam,
      responses: { 200: ok('The sender', ref('Sender')), 404: problem('not_found') },
    },
    patch: {
      summary: 'Change a sender',
      description:
        'Changes the fields given; `null` clears `caps.hourly`, `caps.minGap` or `warmup`. `enabled: false` defers its sends (reason `sender_disabled`); `enabled: true` also resumes a sender paused for its health.',
      security: secured,
      parameters: idParam,
      requestBody: body('UpdateSender'),
      responses: { 200: ok('The sender', ref('Sender')), 400: invalid, 404: problem('not_found') },
    },
    delete: {
      summary: 'Delete a sender',
      security: secured,
      parameters: idParam,
      responses: {
        204: { description: 'Deleted' },
        404: problem('not_found'),
        409: problem('sender_in_use: it has open campaigns; disable it instead'),
      },
    },
  },
};
