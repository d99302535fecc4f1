import { Controller, Get } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { useApi } from './support/start-api.ts';

/*
 * Who may call the API: deny by default (only routes marked @Public() are open), on an app in this
 * process. The browser sign-in, its session cookie, the Origin rule and API_KEY_PREVIOUS, on real API
 * processes: test-e2e/src/api/auth.e2e.test.ts.
 */

const KEY = 'auth-test-api-key-0123456789abcdef';
const NEXT_KEY = 'auth-test-next-api-key-0123456789abcdef';
const GUARD_DETAIL = 'send Authorization: Bearer <API key>, or sign in at /auth/sign-in';

describe('deny by default: every route needs the key unless marked @Public()', { timeout: 60_000 }, () => {
  /** A route added without the marker, outside /v1 (where 6996e46 let everything through). */
  class ProbeController {
    probe() {
      return { reached: true };
    }
  }
  Controller('internal-probe')(ProbeController);
  const probe = Object.getOwnPropertyDescriptor(ProbeController.prototype, 'probe');
  if (probe) Get()(ProbeController.prototype, 'probe', probe);

  /** The routes that are meant to be open; every other route must refuse a request without the key. */
  const PUBLIC = [
    'GET /health/live',
    'GET /health/ready',
    'GET /metrics',
    'GET /docs',
    'GET /docs/json',
    'POST /v1/webhooks/:provider',
    // Authenticated by the provider's own scheme (X-Twilio-Signature, Mailgun's signature, basic auth).
    'POST /v1/webhooks/twilio',
    'POST /v1/webhooks/sendgrid-inbound',
    'POST /v1/webhooks/mailgun-inbound',
    'POST /v1/webhooks/mailgun-inbound/mime',
    'POST /v1/webhooks/postmark-inbound',
    'GET /v1/unsubscribe/:token',
    'POST /v1/unsubscribe/:token',
    'GET /auth/sign-in',
    'POST /auth/sign-in',
    'POST /auth/sign-out',
  ];

  const api = useApi({ API_KEY: KEY }, { extraControllers: [ProbeController] });

  /** Every route the Nest app registered, as `METHOD /path`. */
  function routes(): string[] {
    const express = api.app.getHttpAdapter().getInstance() as {
      router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    };
    return express.router.stack.flatMap((layer) =>
      layer.route
        ? Object.keys(layer.route.methods)
            .filter((m) => m !== '_all')
            .map((m) => `${m.toUpperCase()} ${layer.route?.path}`)
        : [],
    );
  }

  it('regression (6996e46 let routes outside /v1 through): every route not marked public answers 401 without the key', async () => {
    const all = routes();
    // The listing is real: it holds the probe, every public route and the /v1 API.
    expect(all).toEqual(
      expect.arrayContaining([
        'GET /internal-probe',
        ...PUBLIC,
        'POST /v1/campaigns',
        'GET /v1/campaigns/:id',
        'POST /v1/events',
      ]),
    );
    for (const route of all) {
      const [method = 'GET', path = '/'] = route.split(' ');
      const res = await fetch(`${api.url}${path.replaceAll(/:\w+/g, 'x')}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' || method === 'HEAD' ? undefined : '{}',
        redirect: 'manual',
      });
      const text = await res.text();
      const refusedByGuard = res.status === 401 && text.includes(GUARD_DETAIL);
      expect({ route, refusedByGuard }).toEqual({ route, refusedByGuard: !PUBLIC.includes(route) });
    }
  });

  it('the probe route answers with the key, and a wrong key is refused', async () => {
    const ok = await fetch(`${api.url}/internal-probe`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ reached: true });
    const wrong = await fetch(`${api.url}/internal-probe`, {
      headers: { authorization: `Bearer ${NEXT_KEY}` },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect(await wrong.json()).toMatchObject({ status: 401, code: 'unauthorized' });
  });
});
