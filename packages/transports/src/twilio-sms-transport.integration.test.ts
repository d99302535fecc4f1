import { type OutboundSms, TransportError } from '@campaign/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TwilioSmsTransport } from './twilio-sms-transport.ts';
import { TwilioStandIn, twilioError } from './twilio-stand-in.ts';

const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const AUTH_TOKEN = 'test-auth-token';
const CALLBACK = 'https://engine.example/v1/webhooks/twilio';

const sms = (overrides: Partial<OutboundSms> = {}): OutboundSms => ({
  channel: 'sms',
  messageId: '0d4c2b47-7c59-4b8e-9a8c-3f7d1f9b2a10',
  campaignId: 'cmp_1',
  contactId: 'ct_1',
  to: '+15550002222',
  text: 'Hi Ada, still interested?',
  segments: 1,
  ...overrides,
});

describe('TwilioSmsTransport against a local stand-in for the REST API (the real SDK, real HTTP)', () => {
  const standIn = new TwilioStandIn();
  let baseUrl: string;
  let transport: TwilioSmsTransport;

  beforeAll(async () => {
    baseUrl = await standIn.start();
    transport = new TwilioSmsTransport({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      defaultFrom: '+15550001111',
      apiBaseUrl: baseUrl,
      statusCallback: CALLBACK,
    });
  });
  afterAll(() => standIn.close());
  beforeEach(() => {
    standIn.requests.length = 0;
    standIn.answer = (request) => standIn.accepted(request);
  });

  it('posts the Messages resource of the account, form-encoded, with basic auth, and returns the sid', async () => {
    const result = await transport.send(sms());
    expect(standIn.requests).toHaveLength(1);
    const [request] = standIn.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request?.contentType).toContain('application/x-www-form-urlencoded');
    expect(request?.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
    );
    expect(request?.form).toEqual({
      To: '+15550002222',
      From: '+15550001111',
      Body: 'Hi Ada, still interested?',
      StatusCallback: CALLBACK,
    });
    expect(result.providerMessageId).toBe(`SM${'1'.padStart(32, '0')}`);
  });

  it("sends from the campaign's SMS sender number when the message names one", async () => {
    await transport.send(sms({ sender: { id: 'snd_sms', from: '+15550009999', transport: 'twilio' } }));
    expect(standIn.requests[0]?.form.From).toBe('+15550009999');
  });

  it('asks for no status callback when none is configured', async () => {
    const quiet = new TwilioSmsTransport({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      defaultFrom: '+15550001111',
      apiBaseUrl: baseUrl,
    });
    await quiet.send(sms());
    expect(standIn.requests[0]?.form).not.toHaveProperty('StatusCallback');
  });

  const refusal = async (answer: ReturnType<typeof twilioError>): Promise<TransportError> => {
    standIn.answer = () => answer;
    const error = await transport.send(sms()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  };

  it('error 21610 (the number replied STOP) is recipient_opted_out', async () => {
    const error = await refusal(twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'));
    expect(error.kind).toBe('recipient_opted_out');
    expect(error.status).toBe(400);
    expect(error.providerCode).toBe('21610');
  });

  it('429 (too many requests) is retryable', async () => {
    expect((await refusal(twilioError(429, 20429, 'Too Many Requests'))).kind).toBe('retryable');
  });

  it('a 5xx is retryable', async () => {
    expect((await refusal(twilioError(503, 20503, 'Service Unavailable'))).kind).toBe('retryable');
  });

  it('any other 4xx (21211, an invalid To number) is permanent', async () => {
    const error = await refusal(twilioError(400, 21211, "The 'To' number is not a valid phone number."));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('21211');
  });

  it('no answer at all (nothing listening) is retryable, and the SDK does not retry on its own', async () => {
    const closed = new TwilioStandIn();
    const deadUrl = await closed.start();
    await closed.close();
    const unreachable = new TwilioSmsTransport({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      defaultFrom: '+15550001111',
      apiBaseUrl: deadUrl,
    });
    const error = await unreachable.send(sms()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).kind).toBe('retryable');
  });

  it('a 429 is asked once: the service owns retries', async () => {
    await refusal(twilioError(429, 20429, 'Too Many Requests'));
    expect(standIn.requests).toHaveLength(1);
  });

  it('a message with no sender number and no default is refused before any request', async () => {
    const noFrom = new TwilioSmsTransport({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiBaseUrl: baseUrl,
    });
    const error = await noFrom.send(sms()).catch((e: unknown) => e);
    expect((error as TransportError).kind).toBe('permanent');
    expect(standIn.requests).toHaveLength(0);
  });
});
