import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, apiCaller, campaignUuid, pgbossEnv, startApi } from '../support/api.ts';
import { answer, ok, typedClient, waitForView } from '../support/client.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

/*
 * The emergency stop and shadow mode end to end (DESIGN section 11): the compiled API with its in-process
 * workers, real Postgres and a real SMTP server. `POST /v1/admin/sending {"enabled": false}` holds a due
 * send (pending, a deferred entry `emergency_stop` with `until` null, nothing reaches the SMTP server);
 * enabling releases it. A `"mode": "shadow"` campaign runs to its end and the SMTP server gets nothing.
 * The calls go through @campaign/client; raw HTTP only for missing or forged keys and malformed bodies,
 * which the typed client does not send.
 */

const API_KEY = 'sending-controls-e2e-api-key-0123456789';

const plan: Plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'hello',
  nodes: [{ id: 'hello', action: 'send', subject: 'Hello {{name}}', body: '<p>Hi</p>', transitions: [] }],
};

describe('sending controls end to end', { timeout: 90_000 }, () => {
  const sink = new SmtpSink();
  let database: TestDatabase;
  let api: ApiProcess;
  const where = {
    get base() {
      return api.base;
    },
  };
  const client = typedClient(where, API_KEY);
  const call = apiCaller(where, API_KEY);

  beforeAll(async () => {
    const smtpUrl = await sink.listen();
    database = await createTestDatabase('postgres');
    api = await startApi({
      ...pgbossEnv(database, 'sending-controls'),
      API_KEY,
      UNSUBSCRIBE_SECRET: 'sending-controls-e2e-unsubscribe-secret-0123',
      RUN_WORKERS: '1',
      QUEUE_POLL_SECONDS: '0.5',
      SMTP_URL: smtpUrl,
    });
  }, 60_000);
  afterAll(async () => {
    await api?.stop();
    await database?.dispose();
    await sink.close();
  });

  it('needs the API key, and refuses a body that is not {"enabled": boolean}', async () => {
    const anonymous = await call('GET', '/v1/admin/sending', undefined, { authorization: '' });
    expect(anonymous.status).toBe(401);
    const forged = await call(
      'POST',
      '/v1/admin/sending',
      { enabled: false },
      { authorization: 'Bearer nope' },
    );
    expect(forged.status).toBe(401);
    for (const body of [{}, { enabled: 'false' }, { enabled: false, extra: 1 }]) {
      const res = await call('POST', '/v1/admin/sending', body);
      expect(res.status).toBe(400);
      expect(res.json.code).toBe('invalid_request');
    }
    // None of those changed anything.
    expect(await ok(client.GET('/v1/admin/sending'))).toEqual({ enabled: true, since: null });
  });

  it('holds a due send while stopped and releases it when enabled', async () => {
    const before = Date.now();
    const stopped = await answer(client.POST('/v1/admin/sending', { body: { enabled: false } }));
    expect(stopped.status).toBe(200);
    expect(stopped.data?.enabled).toBe(false);
    const since = Date.parse(stopped.data?.since ?? '');
    expect(since).toBeGreaterThanOrEqual(before - 1000);
    expect(since).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await ok(client.GET('/v1/admin/sending'))).toEqual(stopped.data);

    const email = `${randomUUID()}@example.com`;
    const created = await answer(
      client.POST('/v1/campaigns', { body: { contact: { email, name: 'Ada' }, plan } }),
    );
    expect(created.status).toBe(201);
    const id = created.data?.id ?? '';
    const held = await waitForView(client, id, (v) => v.timeline.some((e) => e.kind === 'deferred'));
    // The hold is recorded in the claim, before any transport call: nothing can follow it for this send.
    expect(held.timeline.filter((e) => e.kind === 'deferred')).toEqual([
      { at: expect.any(String), kind: 'deferred', node: 'hello', until: null, reason: 'emergency_stop' },
    ]);
    expect(held.status).toBe('active');
    expect(held.pendingActions.map((a) => a.kind)).toEqual(['send']);
    expect(sink.received.filter((m) => m.to === email)).toEqual([]);

    const enabled = await answer(client.POST('/v1/admin/sending', { body: { enabled: true } }));
    expect(enabled.status).toBe(200);
    expect(enabled.data?.enabled).toBe(true);
    expect(Date.parse(enabled.data?.since ?? '')).toBeGreaterThanOrEqual(since);
    const done = await waitForView(client, id, (v) => v.status === 'completed');
    expect(done.timeline.filter((e) => e.kind === 'send')).toHaveLength(1);
    const mails = await sink.waitFor((m) => m.to === email);
    expect(mails).toHaveLength(1);
  });

  it('a shadow campaign runs to its end and the SMTP server receives nothing for it', async () => {
    const email = `${randomUUID()}@example.com`;
    const created = await answer(
      client.POST('/v1/campaigns', { body: { contact: { email, name: 'Ada' }, plan, mode: 'shadow' } }),
    );
    expect(created.status).toBe(201);
    const id = created.data?.id ?? '';
    const done = await waitForView(client, id, (v) => v.status === 'completed');
    expect(done.timeline.filter((e) => e.kind === 'send')).toHaveLength(1);
    const [row] = await database.db
      .selectFrom('outbound_messages')
      .select(['status'])
      .where('campaign_id', '=', campaignUuid(id))
      .execute();
    expect(row?.status).toBe('shadow');
    expect(sink.received.filter((m) => m.to === email)).toEqual([]);

    // A mode the document does not list: raw HTTP, as the typed client would not send it.
    const bad = await call('POST', '/v1/campaigns', { contact: { email }, plan, mode: 'dry' });
    expect(bad.status).toBe(400);
  });
});
