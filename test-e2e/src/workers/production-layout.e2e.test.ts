import { randomUUID } from 'node:crypto';
import { type Plan, signUnsubscribeToken } from '@campaign/core';
import { noOpenEndPlan } from '@campaign/core/testing';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  type NodeProcess,
  type RedisServer,
  spawnApi,
  spawnWorker,
  startRedis,
  waitFor,
  waitUntilReady,
} from '../support/processes.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

/*
 * The production layout: an API process and a separate worker process on real Postgres and Redis, an
 * SMTP server with a password, spoken to over HTTP only. The test holds the whole output of both
 * processes, to search it for the secrets it gave them.
 */

const API_KEY = `layout-api-key-${randomUUID()}`;
const UNSUBSCRIBE_SECRET = `layout-unsubscribe-${randomUUID()}`;
const DATABASE_PASSWORD = `dbpass${randomUUID().replaceAll('-', '')}`;
const REDIS_PASSWORD = `redispass${randomUUID().replaceAll('-', '')}`;
const SMTP_USER = 'layout-mailer';
const SMTP_PASSWORD = `smtppass${randomUUID().replaceAll('-', '')}`;
const UNSUBSCRIBE_SECRET_PREVIOUS = `layout-unsubscribe-previous-${randomUUID()}`;
const SECRETS = {
  API_KEY,
  UNSUBSCRIBE_SECRET,
  UNSUBSCRIBE_SECRET_PREVIOUS,
  DATABASE_PASSWORD,
  REDIS_PASSWORD,
  SMTP_PASSWORD,
};

const plan: Plan = noOpenEndPlan({ after: 'PT1H', subject: 'Hello {{name}}', body: '<p>Hi {{name}}</p>' });

/** Runs a process expected to refuse to start; its exit code and the lines of its stderr. */
async function refusal(
  which: 'api' | 'worker',
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string[] }> {
  const started = (which === 'api' ? spawnApi : spawnWorker)(env);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 15_000);
  const code = await started.exited;
  clearTimeout(timer);
  return {
    code,
    stderr: started
      .stderr()
      .split('\n')
      .filter((line) => line.trim() !== ''),
  };
}

// Bug pinned: outside the embedded mode UNSUBSCRIBE_SECRET defaulted to a random value per process, so a
// worker's unsubscribe links were refused by the API; a process without a shared secret now refuses to start.
describe('a process without a secret that processes must share refuses to start', { timeout: 60_000 }, () => {
  // Nothing listens there: a process that tried to connect would fail differently (or hang).
  const unreachable = {
    DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing',
    REDIS_URL: 'redis://127.0.0.1:1',
    QUEUE_BACKEND: 'bullmq',
  };

  it.each([
    ['worker', 'UNSUBSCRIBE_SECRET', 'bullmq', { ...unreachable }],
    ['worker', 'UNSUBSCRIBE_SECRET', 'pgboss', { ...unreachable, REDIS_URL: '', QUEUE_BACKEND: 'pgboss' }],
    ['api', 'UNSUBSCRIBE_SECRET', 'bullmq', { ...unreachable, API_KEY }],
    ['api', 'API_KEY', 'bullmq', { ...unreachable, UNSUBSCRIBE_SECRET }],
  ] as const)('%s without %s (on %s): exit 2, one line naming it', async (which, variable, _backend, env) => {
    const { code, stderr } = await refusal(which, env);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toContain(variable);
    expect(code).toBe(2);
  });

  it('the API names both when both are missing, in one line', async () => {
    const { code, stderr } = await refusal('api', unreachable);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/API_KEY and UNSUBSCRIBE_SECRET/);
    expect(code).toBe(2);
  });
});

describe.each(['bullmq', 'pgboss'] as const)('production layout on %s', { timeout: 90_000 }, (backend) => {
  let database: TestDatabase;
  let redis: RedisServer | undefined;
  let sink: SmtpSink;
  let api: NodeProcess;
  let worker: NodeProcess;
  let base: string;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    if (backend === 'bullmq') redis = await startRedis({ password: REDIS_PASSWORD });
    sink = new SmtpSink({ credentials: { user: SMTP_USER, pass: SMTP_PASSWORD } });
    const sinkUrl = new URL(await sink.listen());
    sinkUrl.username = SMTP_USER;
    sinkUrl.password = SMTP_PASSWORD;
    // Postgres trusts local connections: the password is sent nowhere, but it is in the URL to leak.
    const databaseUrl = new URL(database.url ?? '');
    databaseUrl.password = DATABASE_PASSWORD;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // One environment for both processes, as an operator would share it.
    const env: NodeJS.ProcessEnv = {
      DATABASE_URL: databaseUrl.toString(),
      ...(redis ? { REDIS_URL: redis.url } : {}),
      QUEUE_BACKEND: backend,
      QUEUE_NAME: `layout-${randomUUID()}`,
      QUEUE_POLL_SECONDS: '0.5',
      SMTP_URL: sinkUrl.toString(),
      MAIL_FROM: 'Campaigns <campaigns@layout.test>',
      MESSAGE_ID_DOMAIN: 'layout.test',
      PUBLIC_URL: base,
      PORT: String(port),
      API_KEY,
      UNSUBSCRIBE_SECRET,
      UNSUBSCRIBE_SECRET_PREVIOUS,
    };
    api = spawnApi(env);
    worker = spawnWorker(env);
    await waitUntilReady(api, base);
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    await sink?.close();
    await redis?.stop();
    await database?.dispose();
  });

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${API_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: a JSON body read field by field
    return { status: res.status, json: (await res.json()) as any };
  }

  // Bug pinned: the worker signed links with its own random secret, so the API answered 404 to them.
  it("a worker-sent message's List-Unsubscribe link works at the API; no secret appears in any output", async () => {
    const email = `${randomUUID()}@layout.test`;
    const created = await call('POST', '/v1/campaigns', { contact: { email, name: 'Ada' }, plan });
    expect(created.status).toBe(201);
    const [mail] = await sink.waitFor((m) => m.to === email, 1, 30_000);
    expect(mail?.subject).toBe('Hello Ada');
    expect(sink.authenticated).toContain(SMTP_USER);
    const header = mail?.raw.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
    const url = /<([^>]+)>/.exec(header)?.[1] ?? '';
    expect(url.startsWith(`${base}/v1/unsubscribe/`)).toBe(true);

    // A recipient clicks after the send committed (a click racing the worker's commit is item 1's concern).
    let view: { timeline: { kind: string }[] } | undefined;
    await waitFor(
      async () => {
        view = (await call('GET', `/v1/campaigns/${created.json.id}`)).json;
        return view?.timeline.some((e) => e.kind === 'send');
      },
      () => `the send was never recorded: ${JSON.stringify(view)}`,
    );
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    const campaign = (await call('GET', `/v1/campaigns/${created.json.id}`)).json;
    expect(campaign).toMatchObject({ status: 'stopped', stopReason: 'unsubscribed' });
    expect(campaign.contact.suppressed).toBe(true);
    const again = await call('POST', '/v1/campaigns', { contact: { email, name: 'Ada' }, plan });
    expect(again.json).toMatchObject({ status: 409, code: 'contact_suppressed' });

    // Rotation: a link signed with UNSUBSCRIBE_SECRET_PREVIOUS is still accepted (a repeat, so nothing
    // more changes); one signed with any other secret is not.
    const messageId = /^<(.+)@layout\.test>$/.exec(mail?.messageId ?? '')?.[1] ?? '';
    const oneClick = (token: string) =>
      fetch(`${base}/v1/unsubscribe/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
    expect((await oneClick(signUnsubscribeToken(messageId, UNSUBSCRIBE_SECRET_PREVIOUS))).status).toBe(200);
    expect((await oneClick(signUnsubscribeToken(messageId, `${UNSUBSCRIBE_SECRET}-other`))).status).toBe(404);

    // Also a refused request and a bad one, whose log lines and error bodies must not echo secrets.
    expect(
      (await fetch(`${base}/v1/campaigns/${created.json.id}`, { headers: { authorization: 'Bearer wrong' } }))
        .status,
    ).toBe(401);
    expect((await call('GET', `/v1/campaigns/${randomUUID()}`)).status).toBe(404);

    await Promise.all([api.stop(), worker.stop()]);
    const outputs = { api: api.output(), worker: worker.output() };
    expect(outputs.api.length).toBeGreaterThan(0); // the processes did log: the search below is not vacuous
    expect(outputs.worker.length).toBeGreaterThan(0);
    const leaks = Object.entries(outputs).flatMap(([process, output]) =>
      Object.entries(SECRETS)
        .filter(([, secret]) => output.includes(secret))
        .map(([name]) => `${name} in the ${process}'s output`),
    );
    expect(leaks).toEqual([]);
  });
});
