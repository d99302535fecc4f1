import { describe, expect, it } from 'vitest';
import { WebhookConfigurationError } from './errors.ts';
import * as api from './index.ts';
import {
  epochSeconds,
  expectOk,
  expectRefused,
  sendgridKeys,
  signSendgrid,
  webhookRequest,
} from './test-support/fixtures.ts';
import type { ProviderName } from './types.ts';
import { PROVIDER_NAMES } from './types.ts';
import { createWebhookVerifier } from './verifier.ts';

const NOW = new Date('2026-03-06T17:00:00.000Z');

describe('createWebhookVerifier', () => {
  it('answers 401 provider_not_configured for every provider without a secret', async () => {
    const verifier = createWebhookVerifier({});
    for (const provider of PROVIDER_NAMES) {
      const result = await verifier.handle(provider, webhookRequest('{}', {}), NOW);
      expect(expectRefused(result), provider).toMatchObject({ status: 401, code: 'provider_not_configured' });
    }
  });

  it('serves only the providers that are configured', async () => {
    const keys = sendgridKeys();
    const verifier = createWebhookVerifier({ sendgridPublicKey: keys.publicKeyBase64 });
    const body = Buffer.from('[]');
    const timestamp = epochSeconds(NOW);
    const request = webhookRequest(body, {
      'x-twilio-email-event-webhook-signature': signSendgrid(keys.privateKey, timestamp, body),
      'x-twilio-email-event-webhook-timestamp': timestamp,
    });
    expect(expectOk(await verifier.handle('sendgrid', request, NOW))).toEqual({
      ok: true,
      events: [],
      rejected: [],
    });
    expect(expectRefused(await verifier.handle('mailgun', request, NOW)).code).toBe(
      'provider_not_configured',
    );
  });

  it('does not reach Object.prototype for a provider name taken from a URL', async () => {
    const verifier = createWebhookVerifier({});
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const result = await verifier.handle(name as ProviderName, webhookRequest('{}'), NOW);
      expect(expectRefused(result), name).toMatchObject({ status: 401, code: 'provider_not_configured' });
    }
  });

  it('applies the configured tolerance', async () => {
    const keys = sendgridKeys();
    const strict = createWebhookVerifier(
      { sendgridPublicKey: keys.publicKeyBase64 },
      { toleranceSeconds: 30 },
    );
    const body = Buffer.from('[]');
    const timestamp = epochSeconds(new Date(NOW.getTime() - 31_000));
    const request = webhookRequest(body, {
      'x-twilio-email-event-webhook-signature': signSendgrid(keys.privateKey, timestamp, body),
      'x-twilio-email-event-webhook-timestamp': timestamp,
    });
    expect(expectRefused(await strict.handle('sendgrid', request, NOW)).code).toBe('stale_timestamp');
    const lenient = createWebhookVerifier({ sendgridPublicKey: keys.publicKeyBase64 });
    expectOk(await lenient.handle('sendgrid', request, NOW));
  });

  it('refuses nonsensical tolerances at construction', () => {
    for (const toleranceSeconds of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createWebhookVerifier({}, { toleranceSeconds })).toThrow(WebhookConfigurationError);
    }
    expect(() => createWebhookVerifier({}, { sesToleranceSeconds: 0 })).toThrow(WebhookConfigurationError);
  });

  it('insists on a valid `now` instead of reading a clock', async () => {
    const verifier = createWebhookVerifier({});
    await expect(verifier.handle('sendgrid', webhookRequest('[]'), new Date('nope'))).rejects.toThrow(
      TypeError,
    );
  });
});

describe('the package entry point', () => {
  it('exports the public API', () => {
    expect(typeof api.createWebhookVerifier).toBe('function');
    expect(typeof api.InMemoryReplayCache).toBe('function');
    expect(new api.WebhookVerificationError(401, 'x', 'y')).toMatchObject({
      status: 401,
      code: 'x',
      message: 'y',
    });
    expect(api.PROVIDER_NAMES).toEqual(['sendgrid', 'mailgun', 'postmark', 'ses', 'resend']);
    expect(api.SENDGRID_SIGNATURE_HEADER).toBe('x-twilio-email-event-webhook-signature');
    expect(api.SVIX_SIGNATURE_HEADER).toBe('svix-signature');
  });
});
