import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookConfigurationError } from '../errors.ts';
import { InMemoryReplayCache } from '../replay-cache.ts';
import {
  epochSeconds,
  expectOk,
  expectRefused,
  mailgunSignature,
  webhookRequest,
} from '../test-support/fixtures.ts';
import type { ReplayCache } from '../types.ts';
import { createWebhookVerifier } from '../verifier.ts';

const NOW = new Date('2026-02-03T19:30:00.000Z');
const SIGNING_KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';

// Shaped after Mailgun's "Webhook Payloads" examples.
const DELIVERED = {
  event: 'delivered',
  id: 'MXcc2gEpS-eN8HfkOnmK2w',
  timestamp: 1770146431.6585283,
  'log-level': 'info',
  envelope: { transport: 'smtp', sender: 'campaigns@mail.example.org', targets: 'ada@example.com' },
  flags: { 'is-authenticated': true, 'is-test-mode': false },
  'delivery-status': { code: 250, message: 'OK', description: '', 'attempt-no': 1, tls: true },
  message: {
    headers: {
      to: 'ada@example.com',
      'message-id': '6a1c3b1e-1f7e-4a77-9c43-2f1a3c0e9b10@mail.example.org',
      from: 'Campaigns <campaigns@mail.example.org>',
      subject: 'Your trial ends soon',
    },
    size: 3415,
  },
  recipient: 'ada@example.com',
  'recipient-domain': 'example.com',
  tags: [],
  'user-variables': { campaignId: 'c-42' },
};

const APPLE_OPEN = {
  event: 'opened',
  id: 'Ase7i2zsRYeDXztHGENqRA',
  timestamp: 1770146460.12,
  recipient: 'ada@example.com',
  geolocation: { country: 'US', region: 'Unknown', city: 'Unknown' },
  'client-info': {
    'client-name': 'unknown',
    'client-type': 'unknown',
    'user-agent': 'Mozilla/5.0',
    'device-type': 'unknown',
    'client-os': 'unknown',
    bot: 'apple',
  },
  message: { headers: { 'message-id': '6a1c3b1e-1f7e-4a77-9c43-2f1a3c0e9b10@mail.example.org' } },
  tags: [],
};

function flipFirstHexDigit(hex: string): string {
  return (hex.startsWith('a') ? 'b' : 'a') + hex.slice(1);
}

function body(eventData: unknown, signature: object): Buffer {
  return Buffer.from(JSON.stringify({ signature, 'event-data': eventData }));
}

function signed(eventData: unknown, at: Date = NOW, key = SIGNING_KEY) {
  return webhookRequest(body(eventData, mailgunSignature(key, epochSeconds(at))), {
    'content-type': 'application/json',
  });
}

describe('Mailgun webhooks', () => {
  it('verifies the HMAC and normalizes a delivered event', async () => {
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY });
    const result = expectOk(await verifier.handle('mailgun', signed(DELIVERED), NOW));
    expect(result.rejected).toEqual([]);
    expect(result.events).toHaveLength(1);
    const [event] = result.events;
    expect(event).toMatchObject({
      providerEventId: 'MXcc2gEpS-eN8HfkOnmK2w',
      providerMessageId: '<6a1c3b1e-1f7e-4a77-9c43-2f1a3c0e9b10@mail.example.org>',
      messageIdHeader: '<6a1c3b1e-1f7e-4a77-9c43-2f1a3c0e9b10@mail.example.org>',
      type: 'delivered',
      rawType: 'delivered',
      email: 'ada@example.com',
      machine: false,
      bot: false,
      autoReply: false,
      payload: DELIVERED,
    });
    // The float seconds keep their milliseconds.
    expect(event?.occurredAt.toISOString()).toBe('2026-02-03T19:20:31.659Z');
  });

  it('marks an Apple MPP open as a machine open and other detected bots as bots', async () => {
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY });
    const apple = expectOk(await verifier.handle('mailgun', signed(APPLE_OPEN), NOW)).events[0];
    expect(apple).toMatchObject({ type: 'opened', machine: true, bot: false });

    const human = { ...APPLE_OPEN, id: 'h1', 'client-info': { ...APPLE_OPEN['client-info'], bot: '' } };
    expect(expectOk(await verifier.handle('mailgun', signed(human), NOW)).events[0]).toMatchObject({
      machine: false,
      bot: false,
    });

    const scanner = {
      ...APPLE_OPEN,
      id: 'c1',
      event: 'clicked',
      url: 'https://example.org/pricing',
      'client-info': { ...APPLE_OPEN['client-info'], bot: 'generic' },
    };
    expect(expectOk(await verifier.handle('mailgun', signed(scanner), NOW)).events[0]).toMatchObject({
      type: 'clicked',
      machine: false,
      bot: true,
    });
  });

  it('maps permanent failures to bounced and temporary ones to null', async () => {
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY });
    const failure = (id: string, severity: string) => ({
      ...DELIVERED,
      id,
      event: 'failed',
      severity,
      reason: severity === 'permanent' ? 'bounce' : 'generic',
      'delivery-status': { code: severity === 'permanent' ? 550 : 452, message: 'mailbox unavailable' },
    });
    const types = [];
    for (const [id, severity] of [
      ['p1', 'permanent'],
      ['t1', 'temporary'],
    ] as const) {
      types.push(
        expectOk(await verifier.handle('mailgun', signed(failure(id, severity)), NOW)).events[0]?.type,
      );
    }
    expect(types).toEqual(['bounced', null]);
  });

  it('maps complaints and unsubscribes, and keeps unknown events with type null', async () => {
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY });
    const results = [];
    for (const [id, event] of [
      ['x1', 'complained'],
      ['x2', 'unsubscribed'],
      ['x3', 'accepted'],
      ['x4', 'some_future_event'],
    ] as const) {
      results.push(
        expectOk(await verifier.handle('mailgun', signed({ ...DELIVERED, id, event }), NOW)).events[0],
      );
    }
    expect(results.map((e) => [e?.rawType, e?.type])).toEqual([
      ['complained', 'complained'],
      ['unsubscribed', 'unsubscribed'],
      ['accepted', null],
      ['some_future_event', null],
    ]);
  });

  it('refuses a signature made with another key', async () => {
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY });
    const result = await verifier.handle('mailgun', signed(DELIVERED, NOW, 'key-someone-else'), NOW);
    expect(expectRefused(result)).toMatchObject({ status: 401, code: 'invalid_signature' });
  });

  it('refuses a signed timestamp or token changed after signing', async () => {
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY });
    const signature = mailgunSignature(SIGNING_KEY, epochSeconds(NOW));
    for (const changed of [
      { ...signature, timestamp: String(Number(signature.timestamp) + 1) },
      { ...signature, token: `${signature.token}0` },
      { ...signature, signature: flipFirstHexDigit(signature.signature) },
    ]) {
      const result = await verifier.handle('mailgun', webhookRequest(body(DELIVERED, changed)), NOW);
      expect(expectRefused(result)).toMatchObject({ status: 401, code: 'invalid_signature' });
    }
  });

  it('accepts an upper-case hex signature and a subaccount event signed for the parent', async () => {
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY });
    const signature = mailgunSignature(SIGNING_KEY, epochSeconds(NOW));
    const upper = { ...signature, signature: signature.signature.toUpperCase() };
    expectOk(await verifier.handle('mailgun', webhookRequest(body(DELIVERED, upper)), NOW));

    const parentSigned = mailgunSignature(SIGNING_KEY, epochSeconds(NOW));
    const subaccount = {
      ...parentSigned,
      signature: mailgunSignature('key-subaccount', parentSigned.timestamp, parentSigned.token).signature,
      'parent-signature': parentSigned.signature,
    };
    expectOk(await verifier.handle('mailgun', webhookRequest(body(DELIVERED, subaccount)), NOW));
  });

  it('refuses a stale or future timestamp even when correctly signed', async () => {
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY });
    for (const at of [new Date(NOW.getTime() - 301_000), new Date(NOW.getTime() + 301_000)]) {
      const result = await verifier.handle('mailgun', signed(DELIVERED, at), NOW);
      expect(expectRefused(result)).toMatchObject({ status: 401, code: 'stale_timestamp' });
    }
  });

  it('refuses a second delivery of the same token', async () => {
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY });
    const request = signed(DELIVERED);
    expectOk(await verifier.handle('mailgun', request, NOW));
    const later = new Date(NOW.getTime() + 60_000);
    expect(expectRefused(await verifier.handle('mailgun', request, later))).toMatchObject({
      status: 401,
      code: 'replayed',
    });
    // A fresh token for the same event is a legitimate retry from Mailgun.
    expectOk(await verifier.handle('mailgun', signed(DELIVERED, later), later));
  });

  it('uses the injected replay cache and records only authentic tokens', async () => {
    const keys: string[] = [];
    const cache: ReplayCache = {
      seen(key, _now, ttlSeconds) {
        expect(ttlSeconds).toBe(600);
        const known = keys.includes(key);
        keys.push(key);
        return known;
      },
    };
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY }, { replayCache: cache });
    const signature = mailgunSignature(SIGNING_KEY, epochSeconds(NOW));
    const forged = { ...signature, token: 'attacker-token' };
    expectRefused(await verifier.handle('mailgun', webhookRequest(body(DELIVERED, forged)), NOW));
    expectOk(await verifier.handle('mailgun', webhookRequest(body(DELIVERED, signature)), NOW));
    expect(keys).toEqual([`mailgun:${signature.token}`]);
  });

  it('refuses a body without a usable signature object with 401', async () => {
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY });
    const signature = mailgunSignature(SIGNING_KEY, epochSeconds(NOW));
    const cases: Array<[unknown, string]> = [
      [{ 'event-data': DELIVERED }, 'missing_signature'],
      [{ signature: { ...signature, token: undefined }, 'event-data': DELIVERED }, 'missing_signature'],
      [{ signature: { ...signature, signature: '' }, 'event-data': DELIVERED }, 'missing_signature'],
      [{ signature: { ...signature, timestamp: 'now' }, 'event-data': DELIVERED }, 'missing_timestamp'],
      [{ signature: { ...signature, signature: 'zz' }, 'event-data': DELIVERED }, 'invalid_signature'],
    ];
    for (const [payload, code] of cases) {
      const result = await verifier.handle('mailgun', webhookRequest(JSON.stringify(payload)), NOW);
      expect(expectRefused(result), code).toMatchObject({ status: 401, code });
    }
  });

  it('accepts a numeric signature timestamp, signed as its digits', async () => {
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY });
    const signature = mailgunSignature(SIGNING_KEY, epochSeconds(NOW));
    const numeric = { ...signature, timestamp: Number(signature.timestamp) };
    expectOk(await verifier.handle('mailgun', webhookRequest(body(DELIVERED, numeric)), NOW));
  });

  it('answers 400 to malformed JSON', async () => {
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY });
    for (const text of ['{"signature": {', '[]', 'null', Buffer.from([0x7b, 0xff, 0x7d])]) {
      const result = await verifier.handle('mailgun', webhookRequest(text), NOW);
      expect(expectRefused(result)).toMatchObject({ status: 400, code: 'malformed_body' });
    }
  });

  it('lists authentic but unusable event-data as rejected instead of failing the request', async () => {
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY });
    const noId = { ...DELIVERED, id: undefined };
    const badTime = { ...DELIVERED, timestamp: '2026-02-03' };
    const results = [
      expectOk(await verifier.handle('mailgun', signed(noId), NOW)),
      expectOk(await verifier.handle('mailgun', signed(badTime), NOW)),
      expectOk(await verifier.handle('mailgun', signed(undefined), NOW)),
    ];
    expect(results.map((r) => [r.events.length, r.rejected[0]?.index, r.rejected[0]?.code])).toEqual([
      [0, 0, 'missing_field'],
      [0, 0, 'invalid_timestamp'],
      [0, 0, 'not_an_object'],
    ]);
  });

  it('refuses an empty signing key at construction', () => {
    expect(() => createWebhookVerifier({ mailgunSigningKey: ' ' })).toThrow(WebhookConfigurationError);
  });

  it('computes what Mailgun documents: hex HMAC-SHA256 of timestamp followed by token', () => {
    // Independent of the fixture helper, so a shared mistake in both cannot hide.
    const expected = createHmac('sha256', SIGNING_KEY)
      .update('1770920772e0b5477167110d68991efc6b9f89f0a11066af27834600e123')
      .digest('hex');
    expect(
      mailgunSignature(SIGNING_KEY, '1770920772', 'e0b5477167110d68991efc6b9f89f0a11066af27834600e123')
        .signature,
    ).toBe(expected);
  });
});

describe('InMemoryReplayCache with Mailgun', () => {
  it('holds the token, and past the window the timestamp check refuses the replay', async () => {
    const cache = new InMemoryReplayCache();
    const verifier = createWebhookVerifier({ mailgunSigningKey: SIGNING_KEY }, { replayCache: cache });
    const request = signed(DELIVERED);
    expectOk(await verifier.handle('mailgun', request, NOW));
    expect(cache.size).toBe(1);
    // Past the freshness window the timestamp check refuses the replay on its own.
    const late = new Date(NOW.getTime() + 601_000);
    expect(expectRefused(await verifier.handle('mailgun', request, late)).code).toBe('stale_timestamp');
  });
});
