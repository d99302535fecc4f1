import { randomBytes, randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { oneSendPlan } from '@campaign/core/testing';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  type NodeProcess,
  type RedisServer,
  sleep,
  spawnApi,
  spawnWorker,
  startRedis,
  waitFor,
  waitUntilReady,
} from '../support/processes.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

/*
 * Secrets out of logs and error bodies: the API process and a worker process at LOG_LEVEL=trace, given
 * known secrets (keys, webhook secrets, passwords inside DATABASE_URL / REDIS_URL / SMTP_URL), are sent
 * authenticated requests, a sign-in, webhooks with signature headers, and meet failing connections (an
 * SMTP server refusing the login, Redis going away, a database that is not there). Their whole output
 * and every response body are then searched for each secret.
 */

const unique = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;

// Given to the processes.
const API_KEY = unique('apikey');
const API_KEY_PREVIOUS = unique('apikeyprev');
const UNSUBSCRIBE_SECRET = unique('unsub');
const UNSUBSCRIBE_SECRET_PREVIOUS = unique('unsubprev');
const DATABASE_PASSWORD = unique('dbpass');
const REDIS_PASSWORD = unique('redispass');
const SMTP_USER = 'mailer';
const SMTP_PASSWORD = unique('smtppass');
const MAILGUN_KEY = unique('mailgunkey');
const POSTMARK = { user: 'postmark-hook', password: unique('postmarkpass') };
const RESEND_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
// Sent by callers: credentials the processes do not know, which only header redaction can keep out.
const WRONG_BEARER = unique('wrongbearer');
const FOREIGN_COOKIE = unique('foreigncookie');
const X_API_KEY = unique('xapikey');
const SENDGRID_SIGNATURE = unique('sendgridsig');
const SVIX_SIGNATURE = `v1,${randomBytes(32).toString('base64')}`;
const UNSUBSCRIBE_TOKEN = unique('unsubtoken');

const SECRETS: Record<string, string> = {
  API_KEY,
  API_KEY_PREVIOUS,
  UNSUBSCRIBE_SECRET,
  UNSUBSCRIBE_SECRET_PREVIOUS,
  DATABASE_PASSWORD,
  REDIS_PASSWORD,
  SMTP_PASSWORD,
  SMTP_AUTH_PLAIN: Buffer.from(`\0${SMTP_USER}\0${SMTP_PASSWORD}`).toString('base64'),
  MAILGUN_KEY,
  POSTMARK_PASSWORD: POSTMARK.password,
  POSTMARK_BASIC: Buffer.from(`${POSTMARK.user}:${POSTMARK.password}`).toString('base64'),
  RESEND_SECRET,
  RESEND_SECRET_KEY: RESEND_SECRET.slice('whsec_'.length),
  WRONG_BEARER,
  FOREIGN_COOKIE,
  X_API_KEY,
  SENDGRID_SIGNATURE,
  SVIX_SIGNATURE: SVIX_SIGNATURE.slice(3),
  UNSUBSCRIBE_TOKEN,
};

const plan: Plan = oneSendPlan();

/** Names of the secrets found in `text`. */
const leaked = (text: string) =>
  Object.entries(SECRETS)
    .filter(([, secret]) => text.includes(secret))
    .map(([name]) => name);

describe('no secret in any output or error body', { timeout: 90_000 }, () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let sink: SmtpSink;
  let env: NodeJS.ProcessEnv;
  let base: string;
  let api: NodeProcess;
  let worker: NodeProcess;
  const processes: NodeProcess[] = [];

  beforeAll(async () => {
    [database, redis] = await Promise.all([
      createTestDatabase('postgres'),
      startRedis({ password: REDIS_PASSWORD }),
    ]);
    // The SMTP server wants another password: every login fails (a failing connection that carries one).
    sink = new SmtpSink({ credentials: { user: SMTP_USER, pass: unique('other') } });
    const smtpUrl = new URL(await sink.listen());
    smtpUrl.username = SMTP_USER;
    smtpUrl.password = SMTP_PASSWORD;
    // Postgres trusts local connections: the password is sent nowhere, but it is in the URL to leak.
    const databaseUrl = new URL(database.url ?? '');
    databaseUrl.password = DATABASE_PASSWORD;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL: redis.url,
      QUEUE_BACKEND: 'bullmq',
      QUEUE_NAME: `redaction-${randomUUID()}`,
      SMTP_URL: smtpUrl.toString(),
      MESSAGE_ID_DOMAIN: 'redaction.test',
      PUBLIC_URL: base,
      PORT: String(port),
      API_KEY,
      API_KEY_PREVIOUS,
      UNSUBSCRIBE_SECRET,
      UNSUBSCRIBE_SECRET_PREVIOUS,
      MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_KEY,
      POSTMARK_WEBHOOK_USER: POSTMARK.user,
      POSTMARK_WEBHOOK_PASSWORD: POSTMARK.password,
      RESEND_WEBHOOK_SECRET: RESEND_SECRET,
      SEND_MAX_ATTEMPTS: '1',
      SHUTDOWN_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'trace',
    };
    api = spawnApi(env);
    worker = spawnWorker(env);
    processes.push(api, worker);
    await waitUntilReady(api, base);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await sink?.close();
    await redis?.stop();
    await database?.dispose();
  });

  // Bug pinned: every request log line carried `Authorization: Bearer <API key>` (and cookies, webhook
  // signatures, Postmark's basic-auth credentials) in clear.
  it('logs and bodies carry none of the secrets, through requests, webhooks and failing connections', async () => {
    const bodies: string[] = [];
    const call = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${base}${path}`, {
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
        ...init,
      });
      const text = await res.text();
      bodies.push(text, JSON.stringify([...res.headers.entries()].filter(([k]) => k !== 'set-cookie')));
      return { status: res.status, text, res };
    };
    const json = { 'content-type': 'application/json' };

    // Authenticated by the key and by the previous key; refused with keys the API does not know.
    const created = await call('/v1/campaigns', {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({ contact: { email: `${randomUUID()}@redaction.test` }, plan }),
    });
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.text) as { id: string };
    expect(
      (await call(`/v1/campaigns/${id}`, { headers: { authorization: `Bearer ${API_KEY_PREVIOUS}` } }))
        .status,
    ).toBe(200);
    expect(
      (await call(`/v1/campaigns/${id}`, { headers: { authorization: `Bearer ${WRONG_BEARER}` } })).status,
    ).toBe(401);
    expect((await call(`/v1/campaigns/${id}`, { headers: { 'x-api-key': X_API_KEY } })).status).toBe(401);
    expect(
      (await call(`/v1/campaigns/${id}`, { headers: { cookie: `session=${FOREIGN_COOKIE}` } })).status,
    ).toBe(401);

    // The browser sign-in: its Set-Cookie and the cookie sent back.
    const signIn = await call('/auth/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ apiKey: API_KEY, next: '/docs' }).toString(),
    });
    expect(signIn.status).toBe(303);
    const cookie = (signIn.res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const session = cookie.slice(cookie.indexOf('=') + 1);
    expect(session.length).toBeGreaterThan(16);
    SECRETS.SESSION_COOKIE = session;
    expect((await call(`/v1/campaigns/${id}`, { headers: { cookie } })).status).toBe(200);

    // Webhooks with their signature headers (forged: refused, but logged).
    const sendgrid = await call('/v1/webhooks/sendgrid', {
      method: 'POST',
      headers: {
        ...json,
        'x-twilio-email-event-webhook-signature': SENDGRID_SIGNATURE,
        'x-twilio-email-event-webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      },
      body: '[]',
    });
    expect(sendgrid.status).toBe(401); // no SendGrid key configured
    const resend = await call('/v1/webhooks/resend', {
      method: 'POST',
      headers: {
        ...json,
        'svix-id': 'msg_1',
        'svix-timestamp': String(Math.floor(Date.now() / 1000)),
        'svix-signature': SVIX_SIGNATURE,
      },
      body: '{"type":"email.opened","data":{}}',
    });
    expect(resend.status).toBe(401);
    const postmark = await call('/v1/webhooks/postmark', {
      method: 'POST',
      headers: { ...json, authorization: `Basic ${SECRETS.POSTMARK_BASIC}` },
      body: '{"RecordType":"Open"}',
    });
    expect([200, 400]).toContain(postmark.status); // authenticated; what it says of the body does not matter here
    const mailgun = await call('/v1/webhooks/mailgun', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        signature: { timestamp: '1', token: 't', signature: 'forged' },
        'event-data': {},
      }),
    });
    expect(mailgun.status).toBe(401);

    // An unsubscribe link (its token is a capability) and a bad request.
    expect((await call(`/v1/unsubscribe/${UNSUBSCRIBE_TOKEN}`, { method: 'POST' })).status).toBe(404);
    expect(
      (
        await call('/v1/campaigns', {
          method: 'POST',
          headers: { ...json, authorization: `Bearer ${API_KEY}` },
          body: '{',
        })
      ).status,
    ).toBe(400);

    // The send fails at the SMTP login (SEND_MAX_ATTEMPTS=1): the worker logs the failure.
    await waitFor(
      () => /"level":50/.test(worker.output()),
      () => `the worker never logged the failed send:\n${worker.output()}`,
      { timeoutMs: 20_000 },
    );

    // Redis goes away: readiness says so, in a body that must not quote its URL.
    await redis.stop();
    let ready = { status: 200, text: '' };
    for (let i = 0; i < 50 && ready.status === 200; i += 1) {
      ready = await call('/health/ready');
      if (ready.status === 200) await sleep(100);
    }
    expect(ready.status).toBe(503);

    await Promise.all([api.stop(), worker.stop()]);

    // Processes that cannot reach their database at all, with a password in its URL.
    const closed = await freePort();
    const unreachable = {
      ...env,
      DATABASE_URL: `postgres://app:${DATABASE_PASSWORD}@127.0.0.1:${closed}/app`,
    };
    const failing = [spawnApi({ ...unreachable, PORT: String(await freePort()) }), spawnWorker(unreachable)];
    processes.push(...failing);
    for (const p of failing) expect(await p.exited).not.toBe(0);

    const outputs = {
      api: api.output(),
      worker: worker.output(),
      'unreachable api': failing[0]?.output() ?? '',
      'unreachable worker': failing[1]?.output() ?? '',
    };
    // The search is not vacuous: the request lines were logged, with their headers redacted, and the
    // failures were reported.
    expect(outputs.api).toContain('"authorization":"[redacted]"');
    expect(outputs.api).toContain('"cookie":"[redacted]"');
    expect(outputs.api).toContain('"x-twilio-email-event-webhook-signature":"[redacted]"');
    expect(outputs.api).toContain('"svix-signature":"[redacted]"');
    expect(outputs.api).toContain('"set-cookie":"[redacted]"');
    expect(outputs.api).toContain('/v1/unsubscribe/[redacted]');
    expect(outputs['unreachable api']).toContain('ECONNREFUSED');
    expect(outputs['unreachable worker']).toContain('ECONNREFUSED');

    const leaks = [
      ...Object.entries(outputs).flatMap(([name, text]) =>
        leaked(text).map((s) => `${s} in the ${name} output`),
      ),
      // A problem's `instance` repeats the caller's own path to the caller: its token is no leak there.
      ...leaked(bodies.join('\n'))
        .filter((s) => s !== 'UNSUBSCRIBE_TOKEN')
        .map((s) => `${s} in a response`),
    ];
    expect(leaks).toEqual([]);
  });
});
