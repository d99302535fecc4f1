import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookConfigurationError } from '../errors.ts';
import {
  epochSeconds,
  expectOk,
  expectRefused,
  sendgridKeys,
  signSendgrid,
  webhookRequest,
} from '../test-support/fixtures.ts';
import { createWebhookVerifier } from '../verifier.ts';
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from './sendgrid.ts';

const NOW = new Date('2026-03-06T17:00:00.000Z');
const keys = sendgridKeys();
const verifier = createWebhookVerifier({ sendgridPublicKey: keys.publicKeyBase64 });

// Shaped after the example batch of SendGrid's Event Webhook reference.
const EVENTS = [
  {
    email: 'ada@example.com',
    timestamp: 1772816400,
    'smtp-id': '<6a1c3b1e-1f7e-4a77-9c43-2f1a3c0e9b10@mail.example.org>',
    event: 'processed',
    category: ['campaign'],
    sg_event_id: 'cHJvY2Vzc2VkLTM3MTg5MTk4LWxoQ3ZfYXNxUmZ1NlNSZ09MWnV6NUEtMA',
    sg_message_id: 'lhCv_asqRfu6SRgOLZuz5A.recvd-5b8c6f5d7-5nq2h-1-65E8A0F0-1B.0',
  },
  {
    email: 'ada@example.com',
    timestamp: 1772816405,
    'smtp-id': '<6a1c3b1e-1f7e-4a77-9c43-2f1a3c0e9b10@mail.example.org>',
    event: 'delivered',
    ip: '168.1.1.1',
    response: '250 OK',
    sg_event_id: 'ZGVsaXZlcmVkLTAtMzcxODkxOTgtbGhDdl9hc3FSZnU2U1JnT0xadXo1QS0w',
    sg_message_id: 'lhCv_asqRfu6SRgOLZuz5A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0',
    tls: 1,
  },
  {
    email: 'ada@example.com',
    timestamp: 1772816460,
    event: 'open',
    sg_machine_open: true,
    useragent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)',
    ip: '17.58.0.1',
    sg_event_id: 'b3Blbi0zNzE4OTE5OC1saEN2X2FzcVJmdTZTUmdPTFp1ejVBLTA',
    sg_message_id: 'lhCv_asqRfu6SRgOLZuz5A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0',
  },
  {
    email: 'ada@example.com',
    timestamp: 1772816520,
    event: 'open',
    sg_machine_open: false,
    useragent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
    sg_event_id: 'b3Blbi0yLTM3MTg5MTk4',
    sg_message_id: 'lhCv_asqRfu6SRgOLZuz5A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0',
  },
  {
    email: 'ada@example.com',
    timestamp: 1772816580,
    event: 'click',
    url: 'https://example.org/pricing',
    url_offset: { index: 0, type: 'html' },
    sg_event_id: 'Y2xpY2stMzcxODkxOTg',
    sg_message_id: 'lhCv_asqRfu6SRgOLZuz5A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0',
  },
];

function signedRequest(body: Buffer, timestamp = epochSeconds(NOW)) {
  return webhookRequest(body, {
    'content-type': 'application/json',
    [SENDGRID_SIGNATURE_HEADER]: signSendgrid(keys.privateKey, timestamp, body),
    [SENDGRID_TIMESTAMP_HEADER]: timestamp,
  });
}

describe('SendGrid signed event webhook', () => {
  it('verifies a real ECDSA signature and normalizes the batch', async () => {
    const body = Buffer.from(JSON.stringify(EVENTS));
    const result = expectOk(await verifier.handle('sendgrid', signedRequest(body), NOW));
    expect(result.rejected).toEqual([]);
    expect(result.events.map((e) => [e.rawType, e.type, e.machine])).toEqual([
      ['processed', null, false],
      ['delivered', 'delivered', false],
      ['open', 'opened', true],
      ['open', 'opened', false],
      ['click', 'clicked', false],
    ]);
    const delivered = result.events[1];
    expect(delivered).toMatchObject({
      providerEventId: 'ZGVsaXZlcmVkLTAtMzcxODkxOTgtbGhDdl9hc3FSZnU2U1JnT0xadXo1QS0w',
      providerMessageId: 'lhCv_asqRfu6SRgOLZuz5A',
      messageIdHeader: '<6a1c3b1e-1f7e-4a77-9c43-2f1a3c0e9b10@mail.example.org>',
      email: 'ada@example.com',
      bot: false,
      autoReply: false,
      payload: EVENTS[1],
    });
    expect(delivered?.occurredAt.toISOString()).toBe('2026-03-06T17:00:05.000Z');
    expect(result.events[4]?.messageIdHeader).toBeNull();
  });

  it('accepts the verification key as PEM too', async () => {
    const pemVerifier = createWebhookVerifier({ sendgridPublicKey: keys.publicKeyPem });
    const body = Buffer.from(JSON.stringify(EVENTS.slice(0, 1)));
    expectOk(await pemVerifier.handle('sendgrid', signedRequest(body), NOW));
  });

  it('refuses a signature made with another key', async () => {
    const other = sendgridKeys();
    const body = Buffer.from(JSON.stringify(EVENTS));
    const timestamp = epochSeconds(NOW);
    const request = webhookRequest(body, {
      [SENDGRID_SIGNATURE_HEADER]: signSendgrid(other.privateKey, timestamp, body),
      [SENDGRID_TIMESTAMP_HEADER]: timestamp,
    });
    expect(expectRefused(await verifier.handle('sendgrid', request, NOW))).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    });
  });

  it('refuses a body changed after signing, even by one byte', async () => {
    const body = Buffer.from(JSON.stringify(EVENTS));
    const request = signedRequest(body);
    const tampered = Buffer.from(body.toString('utf8').replace('"delivered"', '"bounce"   '));
    expect(tampered.length).toBe(body.length);
    const result = await verifier.handle('sendgrid', { ...request, rawBody: tampered }, NOW);
    expect(expectRefused(result)).toMatchObject({ status: 401, code: 'invalid_signature' });
  });

  it('refuses a valid signature moved to another timestamp', async () => {
    const body = Buffer.from(JSON.stringify(EVENTS));
    const request = signedRequest(body);
    const shifted = String(Number(epochSeconds(NOW)) - 1);
    const result = await verifier.handle(
      'sendgrid',
      { ...request, headers: { ...request.headers, [SENDGRID_TIMESTAMP_HEADER]: shifted } },
      NOW,
    );
    expect(expectRefused(result)).toMatchObject({ status: 401, code: 'invalid_signature' });
  });

  it('refuses a correctly signed but stale timestamp, and one from the future', async () => {
    const body = Buffer.from(JSON.stringify(EVENTS));
    const old = epochSeconds(new Date(NOW.getTime() - 301_000));
    const ahead = epochSeconds(new Date(NOW.getTime() + 301_000));
    for (const timestamp of [old, ahead]) {
      const result = await verifier.handle('sendgrid', signedRequest(body, timestamp), NOW);
      expect(expectRefused(result)).toMatchObject({ status: 401, code: 'stale_timestamp' });
    }
    const edge = epochSeconds(new Date(NOW.getTime() - 300_000));
    expectOk(await verifier.handle('sendgrid', signedRequest(body, edge), NOW));
  });

  it('refuses missing or garbled headers with 401', async () => {
    const body = Buffer.from(JSON.stringify(EVENTS));
    const good = signedRequest(body).headers;
    const cases: Array<[Record<string, string | string[] | undefined>, string]> = [
      [{ [SENDGRID_TIMESTAMP_HEADER]: good[SENDGRID_TIMESTAMP_HEADER] }, 'missing_signature'],
      [{ [SENDGRID_SIGNATURE_HEADER]: good[SENDGRID_SIGNATURE_HEADER] }, 'missing_timestamp'],
      [{ ...good, [SENDGRID_TIMESTAMP_HEADER]: 'yesterday' }, 'invalid_timestamp'],
      [{ ...good, [SENDGRID_SIGNATURE_HEADER]: 'not*base64' }, 'invalid_signature'],
      [
        { ...good, [SENDGRID_SIGNATURE_HEADER]: Buffer.from('short').toString('base64') },
        'invalid_signature',
      ],
      [{ ...good, [SENDGRID_SIGNATURE_HEADER]: ['a', 'b'] }, 'duplicate_header'],
      [{}, 'missing_signature'],
    ];
    for (const [headers, code] of cases) {
      const result = await verifier.handle('sendgrid', webhookRequest(body, headers), NOW);
      expect(expectRefused(result), code).toMatchObject({ status: 401, code });
    }
  });

  it('answers 400 to a signed body that is not JSON or not an array', async () => {
    for (const text of ['[{"event":', '{"event":"delivered"}']) {
      const result = await verifier.handle('sendgrid', signedRequest(Buffer.from(text)), NOW);
      expect(expectRefused(result), text).toMatchObject({ status: 400, code: 'malformed_body' });
    }
  });

  it('checks the signature before it reads the body', async () => {
    const result = await verifier.handle(
      'sendgrid',
      webhookRequest('not json', {
        [SENDGRID_SIGNATURE_HEADER]: signSendgrid(keys.privateKey, epochSeconds(NOW), Buffer.from('[]')),
        [SENDGRID_TIMESTAMP_HEADER]: epochSeconds(NOW),
      }),
      NOW,
    );
    expect(expectRefused(result)).toMatchObject({ status: 401, code: 'invalid_signature' });
  });

  it('normalizes the good items of a batch and lists the bad ones by index', async () => {
    const batch = [
      EVENTS[1],
      { email: 'bob@example.com', event: 'delivered', timestamp: 1772816405 },
      { ...EVENTS[1], sg_event_id: 'x', timestamp: 'soon' },
      'not an object',
      { ...EVENTS[1], sg_event_id: 'future-type', event: 'machine_learning_summary' },
    ];
    const result = expectOk(
      await verifier.handle('sendgrid', signedRequest(Buffer.from(JSON.stringify(batch))), NOW),
    );
    expect(result.events.map((e) => e.providerEventId)).toEqual([EVENTS[1]?.sg_event_id, 'future-type']);
    expect(result.events[1]).toMatchObject({ type: null, rawType: 'machine_learning_summary' });
    expect(result.rejected).toEqual([
      { index: 1, code: 'missing_field', message: expect.stringContaining('sg_event_id') },
      { index: 2, code: 'invalid_timestamp', message: expect.any(String) },
      { index: 3, code: 'not_an_object', message: expect.any(String) },
    ]);
  });

  it('maps bounces, blocks, deferrals, drops, complaints and unsubscribes', async () => {
    const base = { email: 'ada@example.com', timestamp: 1772816405, sg_message_id: 'm.1' };
    const batch = [
      { ...base, event: 'bounce', type: 'bounce', status: '5.1.1', sg_event_id: 'e1' },
      { ...base, event: 'bounce', type: 'blocked', status: '4.0.0', sg_event_id: 'e2' },
      { ...base, event: 'deferred', attempt: '3', sg_event_id: 'e3' },
      { ...base, event: 'dropped', reason: 'Bounced Address', sg_event_id: 'e4' },
      { ...base, event: 'spamreport', sg_event_id: 'e5' },
      { ...base, event: 'unsubscribe', sg_event_id: 'e6' },
      { ...base, event: 'group_unsubscribe', asm_group_id: 42, sg_event_id: 'e7' },
      { ...base, event: 'group_resubscribe', asm_group_id: 42, sg_event_id: 'e8' },
    ];
    const result = expectOk(
      await verifier.handle('sendgrid', signedRequest(Buffer.from(JSON.stringify(batch))), NOW),
    );
    expect(result.events.map((e) => e.type)).toEqual([
      'bounced',
      null,
      null,
      null,
      'complained',
      'unsubscribed',
      'unsubscribed',
      null,
    ]);
    expect(result.events[0]?.providerMessageId).toBe('m');
  });

  it("verifies the test vector of SendGrid's own Node library (base64 DER key, real signature)", async () => {
    // From sendgrid-nodejs packages/eventwebhook/src/eventwebhook.spec.js: proves the signed-bytes
    // layout and key format against SendGrid's signer rather than against our own fixture.
    const vectorVerifier = createWebhookVerifier({
      sendgridPublicKey:
        'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==',
    });
    const payload = JSON.stringify({
      category: 'example_payload',
      event: 'test_event',
      message_id: 'message_id',
    });
    const signature =
      'MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=';
    const at = new Date(1588788367 * 1000);
    const request = (sig: string) =>
      webhookRequest(payload, {
        [SENDGRID_SIGNATURE_HEADER]: sig,
        [SENDGRID_TIMESTAMP_HEADER]: '1588788367',
      });
    // The vector's payload is a single object, so a verified request goes on to the 400 for a non-array body.
    expect(expectRefused(await vectorVerifier.handle('sendgrid', request(signature), at))).toMatchObject({
      status: 400,
      code: 'malformed_body',
    });
    const altered = signature.replace('NH2j', 'NH3j');
    expect(expectRefused(await vectorVerifier.handle('sendgrid', request(altered), at))).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    });
  });

  it('refuses a verification key that is not ECDSA P-256 at construction', () => {
    expect(() => createWebhookVerifier({ sendgridPublicKey: 'bm90IGEga2V5' })).toThrow(
      WebhookConfigurationError,
    );
    expect(() => createWebhookVerifier({ sendgridPublicKey: '%%%' })).toThrow(WebhookConfigurationError);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    for (const key of [p384, rsa]) {
      const base64 = key.export({ type: 'spki', format: 'der' }).toString('base64');
      expect(() => createWebhookVerifier({ sendgridPublicKey: base64 })).toThrow(/P-256/);
    }
  });
});
