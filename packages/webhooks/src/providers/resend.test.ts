import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookConfigurationError } from '../errors.ts';
import {
  epochSeconds,
  expectOk,
  expectRefused,
  svixSecret,
  svixSignature,
  webhookRequest,
} from '../test-support/fixtures.ts';
import { createWebhookVerifier } from '../verifier.ts';
import { SVIX_ID_HEADER, SVIX_SIGNATURE_HEADER, SVIX_TIMESTAMP_HEADER, UNBRANDED_HEADERS } from './resend.ts';

const NOW = new Date('2026-03-06T17:00:00.000Z');
const SECRET = svixSecret();
const verifier = createWebhookVerifier({ resendSecret: SECRET });
const EMAIL_ID = '56761188-7520-42d8-8898-ff6fc54ce618';

// Shaped after Resend's webhook event examples.
function resendEvent(type: string, extra: Record<string, unknown> = {}) {
  return {
    type,
    created_at: '2026-03-06T16:59:12.126Z',
    data: {
      broadcast_id: '8b146471-e88e-4322-86af-016cd36fd216',
      created_at: '2026-03-06 16:59:11.894719+00',
      email_id: EMAIL_ID,
      from: 'Acme <onboarding@mail.example.org>',
      to: ['ada@example.com'],
      subject: 'Your trial ends soon',
      tags: { campaign: 'c-42' },
      ...extra,
    },
  };
}

function signed(payload: unknown, options: { id?: string; at?: Date; secret?: string } = {}) {
  const body = Buffer.from(JSON.stringify(payload));
  const id = options.id ?? 'msg_2kTeyHYpP1Tqr0c9zzQK1fd9Wtk';
  const timestamp = epochSeconds(options.at ?? NOW);
  return webhookRequest(body, {
    [SVIX_ID_HEADER]: id,
    [SVIX_TIMESTAMP_HEADER]: timestamp,
    [SVIX_SIGNATURE_HEADER]: `v1,${svixSignature(options.secret ?? SECRET, id, timestamp, body)}`,
  });
}

describe('Resend (Svix) webhooks', () => {
  it('verifies the v1 HMAC and normalizes email.delivered', async () => {
    const payload = resendEvent('email.delivered');
    const result = expectOk(await verifier.handle('resend', signed(payload), NOW));
    expect(result.rejected).toEqual([]);
    expect(result.events).toEqual([
      {
        providerEventId: 'msg_2kTeyHYpP1Tqr0c9zzQK1fd9Wtk',
        echoedMessageId: null,
        providerMessageId: EMAIL_ID,
        messageIdHeader: null,
        type: 'delivered',
        rawType: 'email.delivered',
        occurredAt: new Date('2026-03-06T16:59:12.126Z'),
        email: 'ada@example.com',
        machine: false,
        bot: false,
        autoReply: false,
        payload,
      },
    ]);
  });

  it('maps the email event types; delays, sends and contact events are null', async () => {
    const cases: Array<[string, Record<string, unknown>, string | null]> = [
      ['email.sent', {}, null],
      ['email.delivery_delayed', {}, null],
      ['email.opened', {}, 'opened'],
      [
        'email.clicked',
        {
          click: {
            ipAddress: '203.0.113.9',
            link: 'https://example.org/pricing',
            timestamp: '2026-03-06T16:59:10.000Z',
            userAgent: 'Mozilla/5.0',
          },
        },
        'clicked',
      ],
      [
        'email.bounced',
        { bounce: { message: 'mailbox does not exist', subType: 'General', type: 'Permanent' } },
        'bounced',
      ],
      [
        'email.bounced',
        { bounce: { message: 'mailbox full', subType: 'MailboxFull', type: 'Transient' } },
        null,
      ],
      ['email.complained', {}, 'complained'],
      ['email.failed', {}, null],
      ['contact.updated', { email: 'ada@example.com', unsubscribed: true }, null],
    ];
    for (const [index, [type, extra, expected]] of cases.entries()) {
      const result = expectOk(
        await verifier.handle('resend', signed(resendEvent(type, extra), { id: `msg_${index}` }), NOW),
      );
      expect(result.events[0], type).toMatchObject({
        rawType: type,
        type: expected,
        providerEventId: `msg_${index}`,
      });
    }
  });

  it('takes the Message-ID from data.headers when Resend includes it', async () => {
    const payload = resendEvent('email.opened', {
      headers: [
        { name: 'X-Entity-Ref-ID', value: '123' },
        { name: 'Message-ID', value: '<6a1c3b1e-1f7e-4a77-9c43-2f1a3c0e9b10@mail.example.org>' },
      ],
    });
    const event = expectOk(await verifier.handle('resend', signed(payload), NOW)).events[0];
    expect(event?.messageIdHeader).toBe('<6a1c3b1e-1f7e-4a77-9c43-2f1a3c0e9b10@mail.example.org>');
  });

  it('accepts any matching v1 signature among several (secret rotation) and ignores other versions', async () => {
    const request = signed(resendEvent('email.delivered'));
    const good = request.headers[SVIX_SIGNATURE_HEADER] as string;
    const old = `v1,${createHmac('sha256', 'old-secret').update('x').digest('base64')}`;
    const rotated = { ...request.headers, [SVIX_SIGNATURE_HEADER]: `v1a,abc ${old} ${good}` };
    expectOk(await verifier.handle('resend', { ...request, headers: rotated }, NOW));
    const wrongVersion = { ...request.headers, [SVIX_SIGNATURE_HEADER]: good.replace('v1,', 'v2,') };
    const result = await verifier.handle('resend', { ...request, headers: wrongVersion }, NOW);
    expect(expectRefused(result)).toMatchObject({ status: 401, code: 'invalid_signature' });
  });

  it('refuses a signature made with another secret', async () => {
    const result = await verifier.handle(
      'resend',
      signed(resendEvent('email.delivered'), { secret: svixSecret() }),
      NOW,
    );
    expect(expectRefused(result)).toMatchObject({ status: 401, code: 'invalid_signature' });
  });

  it('refuses a body, id or timestamp changed after signing', async () => {
    const request = signed(resendEvent('email.delivered'));
    const tampered = Buffer.from(request.rawBody.toString().replace('email.delivered', 'email.complained'));
    const variants = [
      { ...request, rawBody: tampered },
      { ...request, headers: { ...request.headers, [SVIX_ID_HEADER]: 'msg_other' } },
      {
        ...request,
        headers: { ...request.headers, [SVIX_TIMESTAMP_HEADER]: String(Number(epochSeconds(NOW)) - 1) },
      },
    ];
    for (const variant of variants) {
      expect(expectRefused(await verifier.handle('resend', variant, NOW))).toMatchObject({
        status: 401,
        code: 'invalid_signature',
      });
    }
  });

  it('refuses a correctly signed timestamp outside five minutes', async () => {
    for (const at of [new Date(NOW.getTime() - 301_000), new Date(NOW.getTime() + 301_000)]) {
      const result = await verifier.handle('resend', signed(resendEvent('email.delivered'), { at }), NOW);
      expect(expectRefused(result)).toMatchObject({ status: 401, code: 'stale_timestamp' });
    }
    const edge = new Date(NOW.getTime() + 299_000);
    expectOk(await verifier.handle('resend', signed(resendEvent('email.delivered'), { at: edge }), NOW));
  });

  it('refuses missing headers with 401', async () => {
    const request = signed(resendEvent('email.delivered'));
    for (const [header, code] of [
      [SVIX_ID_HEADER, 'missing_signature'],
      [SVIX_TIMESTAMP_HEADER, 'missing_timestamp'],
      [SVIX_SIGNATURE_HEADER, 'missing_signature'],
    ] as const) {
      const headers = { ...request.headers, [header]: undefined };
      const result = await verifier.handle('resend', { ...request, headers }, NOW);
      expect(expectRefused(result), header).toMatchObject({ status: 401, code });
    }
    const garbled = { ...request.headers, [SVIX_SIGNATURE_HEADER]: 'v1,***' };
    expect(expectRefused(await verifier.handle('resend', { ...request, headers: garbled }, NOW)).code).toBe(
      'invalid_signature',
    );
  });

  it('answers 400 to a signed body that is not a JSON object', async () => {
    for (const text of ['{"type":"email.delivered",', '[]']) {
      const body = Buffer.from(text);
      const timestamp = epochSeconds(NOW);
      const request = webhookRequest(body, {
        [SVIX_ID_HEADER]: 'msg_1',
        [SVIX_TIMESTAMP_HEADER]: timestamp,
        [SVIX_SIGNATURE_HEADER]: `v1,${svixSignature(SECRET, 'msg_1', timestamp, body)}`,
      });
      expect(expectRefused(await verifier.handle('resend', request, NOW)), text).toMatchObject({
        status: 400,
        code: 'malformed_body',
      });
    }
  });

  it('lists an event without a usable type or created_at as rejected', async () => {
    const noType = { created_at: '2026-03-06T16:59:12.126Z', data: {} };
    const badDate = { ...resendEvent('email.opened'), created_at: '06/03/2026' };
    const first = expectOk(await verifier.handle('resend', signed(noType), NOW));
    const second = expectOk(await verifier.handle('resend', signed(badDate), NOW));
    expect([
      first.events.length,
      first.rejected[0]?.code,
      second.events.length,
      second.rejected[0]?.code,
    ]).toEqual([0, 'missing_field', 0, 'invalid_timestamp']);
  });

  it('refuses a secret that is not whsec_ base64 at construction, and accepts bare base64', () => {
    expect(() => createWebhookVerifier({ resendSecret: 'whsec_***' })).toThrow(WebhookConfigurationError);
    expect(() => createWebhookVerifier({ resendSecret: 'whsec_' })).toThrow(WebhookConfigurationError);
    expect(() => createWebhookVerifier({ resendSecret: SECRET.slice('whsec_'.length) })).not.toThrow();
  });

  it("verifies Svix's published example signature", async () => {
    // The example of Svix's verification docs: secret, id, timestamp, payload and v1 signature.
    const svixVerifier = createWebhookVerifier({ resendSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    const request = webhookRequest('{"test": 2432232314}', {
      [SVIX_ID_HEADER]: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      [SVIX_TIMESTAMP_HEADER]: '1614265330',
      [SVIX_SIGNATURE_HEADER]: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
    const result = expectOk(await svixVerifier.handle('resend', request, new Date(1614265330 * 1000)));
    // Authentic, but not a Resend event: it is listed, not dropped silently.
    expect(result.rejected.map((r) => r.code)).toEqual(['missing_field']);
  });

  it('keys the HMAC with the base64-decoded secret, not its text', async () => {
    const body = Buffer.from(JSON.stringify(resendEvent('email.delivered')));
    const timestamp = epochSeconds(NOW);
    const textKeyed = createHmac('sha256', SECRET)
      .update(`msg_1.${timestamp}.`)
      .update(body)
      .digest('base64');
    const request = webhookRequest(body, {
      [SVIX_ID_HEADER]: 'msg_1',
      [SVIX_TIMESTAMP_HEADER]: timestamp,
      [SVIX_SIGNATURE_HEADER]: `v1,${textKeyed}`,
    });
    expect(expectRefused(await verifier.handle('resend', request, NOW)).code).toBe('invalid_signature');
  });
});

// Resend's documented email.bounced example, verbatim (https://resend.com/docs/webhooks/emails/bounced,
// "Response Example"): SES's classification Permanent / Suppressed.
const RESEND_BOUNCED_EXAMPLE = {
  type: 'email.bounced',
  created_at: '2024-11-22T23:41:12.126Z',
  data: {
    broadcast_id: '8b146471-e88e-4322-86af-016cd36fd216',
    created_at: '2024-11-22T23:41:11.894719+00:00',
    email_id: '56761188-7520-42d8-8898-ff6fc54ce618',
    from: 'Acme <onboarding@resend.dev>',
    to: ['delivered@resend.dev'],
    subject: 'Sending this example',
    template_id: '43f68331-0622-4e15-8202-246a0388854b',
    bounce: {
      message:
        "The recipient's email address is on the suppression list because it has a recent history of producing hard bounces.",
      subType: 'Suppressed',
      type: 'Permanent',
    },
    tags: { category: 'confirm_email' },
  },
};
const EXAMPLE_AT = new Date('2024-11-22T23:41:13.000Z');

function withBounce(bounce: unknown) {
  return { ...RESEND_BOUNCED_EXAMPLE, data: { ...RESEND_BOUNCED_EXAMPLE.data, bounce } };
}

async function bouncedType(payload: unknown, id: string) {
  const result = expectOk(
    await verifier.handle('resend', signed(payload, { id, at: EXAMPLE_AT }), EXAMPLE_AT),
  );
  expect(result.rejected).toEqual([]);
  return result.events[0]?.type;
}

describe('Resend email.bounced classification', () => {
  it("maps Resend's documented email.bounced example to a hard bounce of its email and recipient", async () => {
    const request = signed(RESEND_BOUNCED_EXAMPLE, { id: 'msg_example', at: EXAMPLE_AT });
    const event = expectOk(await verifier.handle('resend', request, EXAMPLE_AT)).events[0];
    expect(event).toMatchObject({
      type: 'bounced',
      rawType: 'email.bounced',
      providerMessageId: '56761188-7520-42d8-8898-ff6fc54ce618',
      email: 'delivered@resend.dev',
      occurredAt: new Date('2024-11-22T23:41:12.126Z'),
    });
  });

  it('regression: a bounce type other than the exact word Permanent (case, SESv2 upper case, missing, unfamiliar) is hard, not dropped as soft', async () => {
    // 6996e46 counted only `Permanent` (or no type) as hard: SESv2's `PERMANENT` or an unfamiliar
    // classification let a dead address keep its campaign running.
    const cases: Array<[string, unknown]> = [
      ['lower case', { ...RESEND_BOUNCED_EXAMPLE.data.bounce, type: 'permanent' }],
      ['SESv2 upper case', { ...RESEND_BOUNCED_EXAMPLE.data.bounce, type: 'PERMANENT' }],
      ['unfamiliar', { ...RESEND_BOUNCED_EXAMPLE.data.bounce, type: 'Hard' }],
      ['empty', { ...RESEND_BOUNCED_EXAMPLE.data.bounce, type: '' }],
      ['not a string', { ...RESEND_BOUNCED_EXAMPLE.data.bounce, type: 5 }],
      ['no type', { message: 'mailbox unavailable', subType: 'General' }],
      ['no bounce object', undefined],
    ];
    for (const [index, [label, bounce]] of cases.entries()) {
      expect(await bouncedType(withBounce(bounce), `msg_hard_${index}`), label).toBe('bounced');
    }
  });

  it('regression: only an explicit Transient or Undetermined bounce, in any case, is soft (type null)', async () => {
    const cases = ['Transient', 'transient', 'TRANSIENT', 'Undetermined', 'UNDETERMINED', ' undetermined '];
    for (const [index, type] of cases.entries()) {
      const bounce = { message: 'mailbox full', subType: 'MailboxFull', type };
      expect(await bouncedType(withBounce(bounce), `msg_soft_${index}`), type).toBeNull();
    }
  });
});

// The Standard Webhooks reference library's own vector (standard-webhooks/standard-webhooks,
// libraries/javascript/src/webhook.test.ts, "sign function works"; the same one Svix's docs use):
// these inputs sign to exactly this v1 signature, sent in the unbranded `webhook-*` headers.
const STANDARD_VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const VECTOR_AT = new Date(Number(STANDARD_VECTOR.timestamp) * 1000);
const vectorVerifier = createWebhookVerifier({ resendSecret: STANDARD_VECTOR.secret });

function unbranded(overrides: Record<string, string | undefined> = {}) {
  return webhookRequest(STANDARD_VECTOR.payload, {
    [UNBRANDED_HEADERS.id]: STANDARD_VECTOR.id,
    [UNBRANDED_HEADERS.timestamp]: STANDARD_VECTOR.timestamp,
    [UNBRANDED_HEADERS.signature]: STANDARD_VECTOR.signature,
    ...overrides,
  });
}

describe('Svix unbranded (Standard Webhooks) headers', () => {
  it('regression: the Standard Webhooks test vector in webhook-id / webhook-timestamp / webhook-signature verifies', async () => {
    // 6996e46 read only svix-*: this authentic request was a 401 missing_signature.
    const result = expectOk(await vectorVerifier.handle('resend', unbranded(), VECTOR_AT));
    // Authentic, but not a Resend event: listed as rejected, which only a verified body reaches.
    expect(result.rejected.map((r) => r.code)).toEqual(['missing_field']);
  });

  it('refuses the vector with a changed body, id, timestamp or signature in the unbranded headers', async () => {
    const changed = [
      { ...unbranded(), rawBody: Buffer.from('{"test": 2432232315}') },
      unbranded({ [UNBRANDED_HEADERS.id]: 'msg_other' }),
      unbranded({ [UNBRANDED_HEADERS.timestamp]: '1614265331' }),
      unbranded({ [UNBRANDED_HEADERS.signature]: 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=' }),
    ];
    for (const request of changed) {
      const at = new Date(VECTOR_AT.getTime() + 500);
      expect(expectRefused(await vectorVerifier.handle('resend', request, at))).toMatchObject({
        status: 401,
        code: 'invalid_signature',
      });
    }
  });

  it('names the missing unbranded header in the 401', async () => {
    for (const [header, code] of [
      [UNBRANDED_HEADERS.id, 'missing_signature'],
      [UNBRANDED_HEADERS.timestamp, 'missing_timestamp'],
      [UNBRANDED_HEADERS.signature, 'missing_signature'],
    ] as const) {
      const refused = expectRefused(
        await vectorVerifier.handle('resend', unbranded({ [header]: undefined }), VECTOR_AT),
      );
      expect(refused, header).toMatchObject({ status: 401, code, message: `${header} is missing` });
    }
  });

  it('takes one set of headers, never a mix: any svix-* header makes the svix-* set the one read', async () => {
    const mixed = unbranded({ [SVIX_ID_HEADER]: STANDARD_VECTOR.id });
    const refused = expectRefused(await vectorVerifier.handle('resend', mixed, VECTOR_AT));
    expect(refused).toMatchObject({
      status: 401,
      code: 'missing_timestamp',
      message: `${SVIX_TIMESTAMP_HEADER} is missing`,
    });
  });
});
