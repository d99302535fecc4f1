import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { createTwilioWebhookVerifier } from './twilio-webhook.ts';

const AUTH_TOKEN = 'twilio-test-auth-token';
const URL = 'https://engine.example/v1/webhooks/twilio';
const NOW = new Date('2026-03-02T10:00:00.000Z');
const verifier = createTwilioWebhookVerifier({ authToken: AUTH_TOKEN, publicUrl: 'https://engine.example' });

/** A request as Twilio posts it: form-encoded, signed by the SDK's own signer over URL and params. */
function signed(params: Record<string, string>, options: { token?: string; url?: string } = {}) {
  const signature = twilio.getExpectedTwilioSignature(
    options.token ?? AUTH_TOKEN,
    options.url ?? URL,
    params,
  );
  return {
    rawBody: Buffer.from(new URLSearchParams(params).toString()),
    headers: { 'x-twilio-signature': signature, 'content-type': 'application/x-www-form-urlencoded' },
  };
}

const statusCallback = (status: string) => ({
  AccountSid: `AC${'1'.repeat(32)}`,
  MessageSid: `SM${'a'.repeat(32)}`,
  SmsSid: `SM${'a'.repeat(32)}`,
  MessageStatus: status,
  SmsStatus: status,
  From: '+15550001111',
  To: '+4915112345678',
});

const inbound = {
  AccountSid: `AC${'1'.repeat(32)}`,
  MessageSid: `SM${'b'.repeat(32)}`,
  SmsSid: `SM${'b'.repeat(32)}`,
  SmsStatus: 'received',
  From: '+4915112345678',
  To: '+15550001111',
  Body: 'Sounds good & thanks!',
  NumMedia: '0',
};

describe('Twilio webhook verification (X-Twilio-Signature, the SDK validator)', () => {
  it('the URL signed over is PUBLIC_URL + /v1/webhooks/twilio, with or without a trailing slash', () => {
    expect(verifier.url).toBe(URL);
    expect(
      createTwilioWebhookVerifier({ authToken: AUTH_TOKEN, publicUrl: 'https://engine.example/' }).url,
    ).toBe(URL);
  });

  it('accepts a request signed with the auth token over that URL and the posted params', () => {
    expect(verifier.handle(signed(statusCallback('delivered')), NOW).ok).toBe(true);
  });

  it('a missing signature is 401 missing_signature', () => {
    const request = signed(statusCallback('delivered'));
    expect(verifier.handle({ rawBody: request.rawBody, headers: {} }, NOW)).toMatchObject({
      ok: false,
      status: 401,
      code: 'missing_signature',
    });
  });

  it.each([
    ['another auth token', signed(statusCallback('delivered'), { token: 'someone-else' })],
    ['another URL', signed(statusCallback('delivered'), { url: 'https://evil.example/v1/webhooks/twilio' })],
  ])('a signature made with %s is 401 invalid_signature', (_, request) => {
    expect(verifier.handle(request, NOW)).toMatchObject({
      ok: false,
      status: 401,
      code: 'invalid_signature',
    });
  });

  it('a body changed after signing is 401 invalid_signature', () => {
    const request = signed(statusCallback('delivered'));
    const forged = Buffer.from(request.rawBody.toString().replace('delivered', 'undelivered'));
    expect(verifier.handle({ ...request, rawBody: forged }, NOW)).toMatchObject({
      ok: false,
      status: 401,
      code: 'invalid_signature',
    });
  });
});

describe('Twilio webhook reading', () => {
  it.each([
    ['delivered', 'delivered'],
    ['undelivered', 'bounced'],
    ['failed', 'bounced'],
    ['sent', null],
    ['queued', null],
  ] as const)('status callback %s is %s, matched by MessageSid', (status, type) => {
    const result = verifier.handle(signed(statusCallback(status)), NOW);
    expect(result).toMatchObject({
      ok: true,
      kind: 'status',
      event: {
        type,
        rawType: status,
        providerMessageId: `SM${'a'.repeat(32)}`,
        providerEventId: `SM${'a'.repeat(32)}:${status}`,
        occurredAt: NOW,
      },
    });
  });

  it('an inbound message gives From (the contact), To (our number) and the text, decoded', () => {
    expect(verifier.handle(signed(inbound), NOW)).toMatchObject({
      ok: true,
      kind: 'inbound',
      message: {
        providerEventId: `SM${'b'.repeat(32)}`,
        from: '+4915112345678',
        to: '+15550001111',
        text: 'Sounds good & thanks!',
      },
    });
  });

  it('a verified body with no MessageSid, or neither a status nor a message, is 400', () => {
    const { MessageSid: _a, SmsSid: _b, ...noSid } = inbound;
    expect(verifier.handle(signed(noSid), NOW)).toMatchObject({ ok: false, status: 400 });
    const { Body: _c, ...noBody } = inbound;
    expect(verifier.handle(signed(noBody), NOW)).toMatchObject({ ok: false, status: 400 });
  });

  it('an empty auth token is refused at construction', () => {
    expect(() =>
      createTwilioWebhookVerifier({ authToken: ' ', publicUrl: 'https://engine.example' }),
    ).toThrow();
  });
});
