import { senderBody, senderPatchBody } from '@campaign/core';
import { imapSettingsBody } from '@campaign/runtime';
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

type ObjectSchema = { properties: Record<string, object> } & Record<string, unknown>;

/** A sender body's `imap` (email senders only; DESIGN section 14): the password is write-only. */
function imapSettingsSchema(): ObjectSchema {
  const { $schema: _, ...schema } = json(imapSettingsBody) as ObjectSchema;
  return {
    ...schema,
    description:
      "Where the sender's replies land: an IMAP watcher reads them. Needs IMAP_SECRET_KEY on the server (the password is stored AES-256-GCM encrypted under it); never answered back",
    properties: {
      ...schema.properties,
      password: {
        ...schema.properties.password,
        writeOnly: true,
        description:
          'Required when the sender has no imap settings yet; omitted on an update, the stored one stays',
      },
      mailbox: { ...schema.properties.mailbox, description: 'Default: INBOX' },
    },
  };
}

/** A sender answer's `imap`: the settings without the password, and why the watcher is off. */
const senderImapSchema = {
  type: 'object',
  required: ['host', 'port', 'tls', 'user', 'mailbox', 'hasPassword', 'error', 'errorAt'],
  properties: {
    host: { type: 'string' },
    port: { type: 'integer' },
    tls: { type: 'boolean' },
    user: { type: 'string' },
    mailbox: { type: 'string' },
    hasPassword: { const: true, description: 'A password is stored (it is never answered)' },
    error: {
      type: ['string', 'null'],
      description: 'Why the watcher is off (the server refused the login); null while it may run',
    },
    errorAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

function withImap(schema: ObjectSchema, nullable: boolean): ObjectSchema {
  const imap = nullable
    ? { anyOf: [ref('SenderImapSettings'), { type: 'null' }], description: 'null removes the settings' }
    : ref('SenderImapSettings');
  return { ...schema, properties: { ...schema.properties, imap } };
}

export const senderSchemas = {
  Sender: {
    ...senderSchema,
    properties: {
      ...senderSchema.properties,
      imap: { ...ref('SenderImap'), description: 'Email senders with imap settings only' },
    },
  },
  SenderImap: senderImapSchema,
  SenderImapSettings: imapSettingsSchema(),
  CreateSender: withImap(json(senderBody) as ObjectSchema, false),
  UpdateSender: withImap(json(senderPatchBody) as ObjectSchema, true),
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
