import { type OutboundEmail, type Transport, TransportError } from '@campaign/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailgunTransport } from './mailgun.ts';
import { PostmarkTransport } from './postmark.ts';
import { ProviderStandIn, type RecordedRequest, type StandInAnswer } from './provider-stand-in.ts';
import { ResendTransport } from './resend.ts';
import { SendgridTransport } from './sendgrid.ts';
import { SesTransport } from './ses.ts';

const MESSAGE_ID = '0b5e2d4c-1f3a-4c9e-8d7b-2a6f9e1c3b5d';
/**
 * The message id with its contact's (`ada`), as echo fields that take any text carry it (DESIGN section 9);
 * SES and Resend tags allow only letters, digits, `_` and `-`, so they carry the message id alone.
 */
const ROUTED_ID = `${MESSAGE_ID}.ada`;

/** An email as core's send path hands it over: relay echo headers included (an API transport drops them). */
const email: OutboundEmail = {
  messageId: MESSAGE_ID,
  messageIdHeader: `<${MESSAGE_ID}@mail.acme.example>`,
  campaignId: 'cmp_1',
  contactId: 'ada',
  to: 'ada@lovelace.example',
  subject: 'Hello Ada',
  html: '<p>Hi <b>Ada</b>, see <a href="https://acme.example/x">this</a>.</p>',
  headers: {
    'List-Unsubscribe': '<https://acme.example/u/t>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'In-Reply-To': '<first@mail.acme.example>',
    'X-SMTPAPI': '{"unique_args":{"campaign_message_id":"x"}}',
    'X-Mailgun-Variables': '{"campaign_message_id":"x"}',
    'X-PM-Metadata-campaign_message_id': MESSAGE_ID,
    'X-SES-MESSAGE-TAGS': `campaign_message_id=${MESSAGE_ID}`,
  },
  sender: { id: 'snd_1', from: 'Acme <hello@acme.example>', transport: 'test' },
};

/** The plain-text part, derived by hand from the HTML above (html-to-text keeps links in brackets). */
const TEXT = 'Hi Ada, see this [https://acme.example/x].';

/** The headers every API transport must pass on as given (and nothing of the relay echo headers). */
const PASSED_HEADERS = {
  'List-Unsubscribe': '<https://acme.example/u/t>',
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  'In-Reply-To': '<first@mail.acme.example>',
  'Message-ID': `<${MESSAGE_ID}@mail.acme.example>`,
  'X-Campaign-Id': 'cmp_1',
};

interface ProviderCase {
  name: string;
  make(url: string): Transport;
  /** The provider's documented success answer, with `providerId` as its message id. */
  ok: StandInAnswer;
  providerId: string;
  /** Checks the request against the provider's documented request shape. */
  checkRequest(standIn: ProviderStandIn, request: RecordedRequest): Promise<void>;
  /** The provider's documented answers for each error class. */
  errors: Record<
    'retryable429' | 'retryable5xx' | 'recipient_rejected' | 'bad_credentials' | 'permanent',
    StandInAnswer
  >;
}

const cases: ProviderCase[] = [
  {
    name: 'SendGrid',
    make: (url) => new SendgridTransport({ apiKey: 'SG.test-key', baseUrl: url }),
    ok: { status: 202, headers: { 'X-Message-Id': 'sg-4f2a' } },
    providerId: 'sg-4f2a',
    async checkRequest(standIn, request) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/v3/mail/send');
      expect(request.headers.authorization).toBe('Bearer SG.test-key');
      const body = standIn.lastJson();
      expect(body.from).toEqual({ email: 'hello@acme.example', name: 'Acme' });
      expect(body.subject).toBe('Hello Ada');
      expect(body.content).toEqual([
        { type: 'text/plain', value: TEXT },
        { type: 'text/html', value: email.html },
      ]);
      const [personalization] = body.personalizations as Record<string, unknown>[];
      expect(personalization?.to).toEqual([{ email: 'ada@lovelace.example' }]);
      expect(body.headers).toEqual(PASSED_HEADERS);
      expect(body.custom_args).toEqual({ campaign_message_id: ROUTED_ID });
    },
    errors: {
      retryable429: { status: 429, body: { errors: [{ message: 'too many requests', field: null }] } },
      retryable5xx: { status: 500, body: { errors: [{ message: 'internal error', field: null }] } },
      recipient_rejected: {
        status: 400,
        body: {
          errors: [{ message: 'Does not contain a valid address.', field: 'personalizations.0.to.0.email' }],
        },
      },
      bad_credentials: {
        status: 401,
        body: {
          errors: [
            { message: 'The provided authorization grant is invalid, expired, or revoked', field: null },
          ],
        },
      },
      permanent: {
        status: 400,
        body: { errors: [{ message: 'The subject is required.', field: 'subject' }] },
      },
    },
  },
  {
    name: 'Mailgun',
    make: (url) => new MailgunTransport({ apiKey: 'key-test', baseUrl: url }),
    ok: { status: 200, body: { id: '<20261201.abc@acme.example>', message: 'Queued. Thank you.' } },
    providerId: '<20261201.abc@acme.example>',
    async checkRequest(standIn, request) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/v3/acme.example/messages');
      expect(request.headers.authorization).toBe(`Basic ${Buffer.from('api:key-test').toString('base64')}`);
      const form = await standIn.lastForm();
      expect(form.get('from')).toBe('Acme <hello@acme.example>');
      expect(form.getAll('to')).toEqual(['ada@lovelace.example']);
      expect(form.get('subject')).toBe('Hello Ada');
      expect(form.get('html')).toBe(email.html);
      expect(form.get('text')).toBe(TEXT);
      const headers = Object.fromEntries(
        [...form.keys()].filter((k) => k.startsWith('h:')).map((k) => [k.slice(2), form.get(k)]),
      );
      expect(headers).toEqual(PASSED_HEADERS);
      expect(form.get('v:campaign_message_id')).toBe(ROUTED_ID);
    },
    errors: {
      retryable429: { status: 429, body: { message: 'Too many requests' } },
      retryable5xx: { status: 503, body: { message: 'Service unavailable' } },
      recipient_rejected: {
        status: 400,
        body: { message: "'to' parameter is not a valid address. please check documentation" },
      },
      bad_credentials: { status: 401, body: 'Forbidden' },
      permanent: {
        status: 400,
        body: { message: 'Domain acme.example is not allowed to send: it is disabled' },
      },
    },
  },
  {
    name: 'Postmark',
    make: (url) => new PostmarkTransport({ apiKey: 'pm-server-token', baseUrl: url }),
    ok: {
      status: 200,
      body: {
        To: 'ada@lovelace.example',
        SubmittedAt: '2026-12-01T10:00:00Z',
        MessageID: 'b7bc2f4a-e38e-4336-af7d-e6c392c2f817',
        ErrorCode: 0,
        Message: 'OK',
      },
    },
    providerId: 'b7bc2f4a-e38e-4336-af7d-e6c392c2f817',
    async checkRequest(standIn, request) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/email');
      expect(request.headers['x-postmark-server-token']).toBe('pm-server-token');
      const body = standIn.lastJson();
      expect(body).toMatchObject({
        From: 'Acme <hello@acme.example>',
        To: 'ada@lovelace.example',
        Subject: 'Hello Ada',
        HtmlBody: email.html,
        TextBody: TEXT,
        Metadata: { campaign_message_id: ROUTED_ID },
      });
      expect(body.Headers).toEqual(Object.entries(PASSED_HEADERS).map(([Name, Value]) => ({ Name, Value })));
    },
    errors: {
      retryable429: { status: 429, body: { ErrorCode: 429, Message: 'Rate limit exceeded' } },
      retryable5xx: { status: 500, body: { ErrorCode: 0, Message: 'Internal server error' } },
      recipient_rejected: {
        status: 422,
        body: {
          ErrorCode: 406,
          Message: 'You tried to send to recipient(s) that have been marked as inactive.',
        },
      },
      bad_credentials: {
        status: 401,
        body: { ErrorCode: 10, Message: 'Request does not contain a valid Server token.' },
      },
      permanent: {
        status: 422,
        body: { ErrorCode: 400, Message: "The 'From' address is not a Sender Signature." },
      },
    },
  },
  {
    name: 'Amazon SES',
    make: (url) =>
      new SesTransport({
        accessKeyId: 'AKIATEST',
        secretAccessKey: 'secret-test-key',
        region: 'eu-west-1',
        endpoint: url,
      }),
    ok: { status: 200, body: { MessageId: '0102018c-ses-id-000000' } },
    providerId: '0102018c-ses-id-000000',
    async checkRequest(standIn, request) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/v2/email/outbound-emails');
      expect(String(request.headers.authorization)).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIATEST\/\d{8}\/eu-west-1\/ses\//,
      );
      const body = standIn.lastJson();
      expect(body.FromEmailAddress).toBe('Acme <hello@acme.example>');
      expect(body.Destination).toEqual({ ToAddresses: ['ada@lovelace.example'] });
      const simple = (body.Content as { Simple: Record<string, unknown> }).Simple;
      expect(simple.Subject).toEqual({ Data: 'Hello Ada', Charset: 'UTF-8' });
      expect(simple.Body).toEqual({
        Html: { Data: email.html, Charset: 'UTF-8' },
        Text: { Data: TEXT, Charset: 'UTF-8' },
      });
      expect(simple.Headers).toEqual(
        Object.entries(PASSED_HEADERS).map(([Name, Value]) => ({ Name, Value })),
      );
      expect(body.EmailTags).toEqual([{ Name: 'campaign_message_id', Value: MESSAGE_ID }]);
    },
    errors: {
      retryable429: {
        status: 429,
        headers: { 'x-amzn-ErrorType': 'TooManyRequestsException' },
        body: { message: 'Too many requests' },
      },
      retryable5xx: {
        status: 500,
        headers: { 'x-amzn-ErrorType': 'InternalFailure' },
        body: { message: 'oops' },
      },
      recipient_rejected: {
        status: 400,
        headers: { 'x-amzn-ErrorType': 'MessageRejected' },
        body: {
          message:
            'Email address is not verified. The following identities failed the check: ada@lovelace.example',
        },
      },
      bad_credentials: {
        status: 403,
        headers: { 'x-amzn-ErrorType': 'UnrecognizedClientException' },
        body: { message: 'The security token included in the request is invalid.' },
      },
      permanent: {
        status: 400,
        headers: { 'x-amzn-ErrorType': 'BadRequestException' },
        body: { message: 'Missing final @domain' },
      },
    },
  },
  {
    name: 'Resend',
    make: (url) => new ResendTransport({ apiKey: 're_test_key', baseUrl: url }),
    ok: { status: 200, body: { id: '49a3999c-0ce1-4ea6-ab68-afcd6dc2e794' } },
    providerId: '49a3999c-0ce1-4ea6-ab68-afcd6dc2e794',
    async checkRequest(standIn, request) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/emails');
      expect(request.headers.authorization).toBe('Bearer re_test_key');
      expect(request.headers['idempotency-key']).toBe(`campaign-message/${MESSAGE_ID}`);
      const body = standIn.lastJson();
      expect(body).toMatchObject({
        from: 'Acme <hello@acme.example>',
        to: ['ada@lovelace.example'],
        subject: 'Hello Ada',
        html: email.html,
        text: TEXT,
        headers: PASSED_HEADERS,
        tags: [{ name: 'campaign_message_id', value: MESSAGE_ID }],
      });
    },
    errors: {
      retryable429: {
        status: 429,
        body: { statusCode: 429, name: 'rate_limit_exceeded', message: 'Too many requests.' },
      },
      retryable5xx: {
        status: 500,
        body: { statusCode: 500, name: 'application_error', message: 'An unexpected error occurred.' },
      },
      recipient_rejected: {
        status: 422,
        body: { statusCode: 422, name: 'validation_error', message: 'Invalid `to` field.' },
      },
      bad_credentials: {
        status: 403,
        body: { statusCode: 403, name: 'invalid_api_key', message: 'API key is invalid' },
      },
      permanent: {
        status: 422,
        body: { statusCode: 422, name: 'invalid_from_address', message: 'Invalid `from` field.' },
      },
    },
  },
];

const EXPECTED_KIND = {
  retryable429: 'retryable',
  retryable5xx: 'retryable',
  recipient_rejected: 'recipient_rejected',
  bad_credentials: 'bad_credentials',
  permanent: 'permanent',
} as const;

describe.each(cases)('$name transport against its stand-in', (provider) => {
  let standIn: ProviderStandIn;
  beforeAll(async () => {
    standIn = await ProviderStandIn.start(() => provider.ok);
  });
  afterAll(() => standIn.close());

  it('sends from/to/subject/html/text, the headers as given, the echo id in its own field, and returns the provider id', async () => {
    standIn.answer = () => provider.ok;
    const result = await provider.make(standIn.url).send(email);
    expect(result).toEqual({ providerMessageId: provider.providerId });
    const request = standIn.requests.at(-1);
    if (!request) throw new Error('no request');
    await provider.checkRequest(standIn, request);
  });

  it.each(Object.keys(EXPECTED_KIND) as (keyof typeof EXPECTED_KIND)[])(
    'classifies the %s answer, once (no retry of its own)',
    async (errorCase) => {
      standIn.answer = () => provider.errors[errorCase];
      const before = standIn.requests.length;
      const error = await provider
        .make(standIn.url)
        .send(email)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).kind).toBe(EXPECTED_KIND[errorCase]);
      expect((error as TransportError).status).toBe(provider.errors[errorCase].status);
      expect(standIn.requests.length - before).toBe(1);
    },
  );
});

describe('an unreachable provider', () => {
  it('is retryable (no answer at all)', async () => {
    const standIn = await ProviderStandIn.start(() => ({ status: 200 }));
    const url = standIn.url;
    await standIn.close();
    const error = await new PostmarkTransport({ apiKey: 't', baseUrl: url })
      .send(email)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).kind).toBe('retryable');
  });
});
