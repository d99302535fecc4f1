/*
 * The inbound mail routes of the OpenAPI document (issue 13, DESIGN section 14).
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const secured = [{ apiKey: [] }];
const KINDS = ['hard_bounce', 'soft_bounce', 'auto_reply', 'complaint', 'reply'];

/** What every inbound route answers for a message it took. */
const inboundResult = {
  type: 'object',
  required: ['result', 'messageId', 'kind', 'decidedBy'],
  properties: {
    result: {
      enum: ['accepted', 'duplicate', 'unmatched', 'implausible_time'],
      description:
        '`duplicate`: this message (by its Message-ID) came in before, by any way in; `unmatched`: it answers nothing we sent and is kept in GET /v1/inbound/unmatched (no contact is created).',
    },
    messageId: {
      type: 'string',
      description: 'The inbound Message-ID (or `sha256:<hex>` of the raw message): the event id.',
    },
    kind: { enum: KINDS },
    decidedBy: { type: 'string', description: 'What decided the kind, e.g. `Auto-Submitted: auto-replied`.' },
    effect: {
      enum: ['transition', 'exit', 'ignored', 'deferred'],
      description: 'For `accepted`: what it did to the campaign.',
    },
  },
};

const refusals = {
  400: problem(
    'malformed_mime (not a parseable message), or malformed_request (the field holding the message is missing)',
  ),
  401: problem(
    'Forged: missing_credentials, invalid_credentials, invalid_signature, replayed, provider_not_configured...',
  ),
  413: problem('message_too_large: over 25 MB'),
};

const taken = {
  200: { description: 'The message was taken', content: { 'application/json': { schema: inboundResult } } },
  ...refusals,
};

export const inboundPaths = {
  '/v1/inbound/mime': {
    post: {
      summary: 'An inbound message as raw MIME (a reply, auto-reply, DSN bounce or ARF complaint)',
      security: secured,
      requestBody: {
        required: true,
        content: { 'message/rfc822': { schema: { type: 'string', format: 'binary' } } },
      },
      responses: taken,
    },
  },
  '/v1/webhooks/sendgrid-inbound': {
    post: {
      summary:
        'SendGrid Inbound Parse with "POST the raw, full MIME message" on: the message in the form field `email`. Basic auth (SENDGRID_INBOUND_USER / SENDGRID_INBOUND_PASSWORD) in the destination URL',
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: { type: 'object', required: ['email'], properties: { email: { type: 'string' } } },
          },
        },
      },
      responses: taken,
    },
  },
  '/v1/webhooks/mailgun-inbound/mime': {
    post: {
      summary:
        'A Mailgun route forward (Mailgun posts the raw message only to a URL ending in `mime`): `body-mime`, signed by timestamp, token and signature as Mailgun events are (MAILGUN_WEBHOOK_SIGNING_KEY). /v1/webhooks/mailgun-inbound is the same',
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['body-mime', 'timestamp', 'token', 'signature'],
              properties: {
                'body-mime': { type: 'string' },
                timestamp: { type: 'string' },
                token: { type: 'string' },
                signature: { type: 'string' },
              },
            },
          },
        },
      },
      responses: taken,
    },
  },
  '/v1/webhooks/postmark-inbound': {
    post: {
      summary:
        'Postmark inbound with "Include raw email content in JSON payload" on: the message in `RawEmail`. Basic auth (POSTMARK_WEBHOOK_USER / POSTMARK_WEBHOOK_PASSWORD) in the webhook URL',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { type: 'object', required: ['RawEmail'], properties: { RawEmail: { type: 'string' } } },
          },
        },
      },
      responses: taken,
    },
  },
  '/v1/inbound/unmatched': {
    get: {
      summary: 'Inbound messages that matched nothing we sent, newest first, in pages',
      security: secured,
      parameters: [
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
        {
          name: 'cursor',
          in: 'query',
          description: 'A previous page`s nextCursor.',
          schema: { type: 'string' },
        },
      ],
      responses: {
        200: {
          description: '{items, nextCursor}',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['items', 'nextCursor'],
                properties: {
                  items: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        messageId: { type: 'string' },
                        source: { enum: ['sendgrid', 'mailgun', 'postmark', 'mime', 'imap'] },
                        from: { type: ['string', 'null'] },
                        to: { type: 'array', items: { type: 'string' } },
                        subject: { type: ['string', 'null'] },
                        kind: { enum: KINDS },
                        decidedBy: { type: 'string' },
                        refersTo: { type: 'array', items: { type: 'string' } },
                        receivedAt: { type: 'string', format: 'date-time' },
                      },
                    },
                  },
                  nextCursor: { type: ['string', 'null'] },
                },
              },
            },
          },
        },
        400: problem('invalid_limit or invalid_cursor'),
      },
    },
  },
};
