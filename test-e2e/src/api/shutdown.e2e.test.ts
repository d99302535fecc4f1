import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { oneSendPlan } from '@campaign/core/testing';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, campaignUuid, pgbossEnv, startApi } from '../support/api.ts';
import { RawConnection } from '../support/raw-http.ts';

/*
 * SIGTERM against the real API process with its workers embedded, spoken to over raw TCP so the test
 * holds a keep-alive connection open and a request half sent while the signal arrives.
 */

const API_KEY = 'test-api-key-0123456789abcdef';

const plan: Plan = oneSendPlan();

const portOf = (api: ApiProcess) => Number(new URL(api.base).port);

function exitOf(api: ApiProcess): Promise<{ code: number | null; at: number }> {
  if (api.child.exitCode !== null) return Promise.resolve({ code: api.child.exitCode, at: Date.now() });
  return new Promise((resolve) => api.child.once('exit', (code) => resolve({ code, at: Date.now() })));
}

/**
 * Headers of POST /v1/campaigns with the body's first `sent` bytes; the rest is sent by the caller.
 * `Expect: 100-continue` makes the server say when the request has reached it (see `inFlight`).
 */
function halfCreate(body: string, sent: number): string {
  return (
    'POST /v1/campaigns HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\nExpect: 100-continue\r\n' +
    `Authorization: Bearer ${API_KEY}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, sent)}`
  );
}

/**
 * Waits until the server holds the request as one in flight: Node answers `100 Continue` to the headers
 * just before it hands the request to the app's listeners, so from then on a signal finds it in flight.
 */
async function inFlight(connection: RawConnection): Promise<void> {
  expect((await connection.response(5000)).status).toBe(100);
}

describe('API shutdown on SIGTERM', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  const started: ApiProcess[] = [];
  const connections: RawConnection[] = [];

  const start = async (env: NodeJS.ProcessEnv = {}) => {
    const api = await startApi({
      ...pgbossEnv(database, 'shutdown'),
      API_KEY,
      UNSUBSCRIBE_SECRET: 'test-unsubscribe-secret-0123456789',
      RUN_WORKERS: '1',
      ...env,
    });
    started.push(api);
    return api;
  };
  const open = async (api: ApiProcess) => {
    const connection = await RawConnection.open(portOf(api));
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });
  afterEach(async () => {
    for (const c of connections.splice(0)) c.destroy();
    for (const api of started.splice(0)) if (api.child.exitCode === null) api.child.kill('SIGKILL');
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it('regression: keep-alive connections kept taking requests and the process exited 1 after 30 s; now idle connections close, the request in flight is answered with Connection: close and kept, and the process exits 0 at once', async () => {
    const api = await start();
    const exited = exitOf(api);

    // An idle keep-alive connection that has served one request.
    const idle = await open(api);
    idle.write('GET /health/live HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\n\r\n');
    expect((await idle.response()).status).toBe(200);

    // A request in flight: headers and half the body are in, the rest comes after the signal.
    const email = `${randomUUID()}@example.com`;
    const body = JSON.stringify({ contact: { email }, plan });
    const pending = await open(api);
    pending.write(halfCreate(body, 10));
    await inFlight(pending);

    const signalledAt = Date.now();
    api.child.kill('SIGTERM');

    // The idle connection is closed by the server; a request written on it gets no answer.
    expect(await idle.closesWithin(2000)).toBe(true);
    idle.write('GET /health/live HTTP/1.1\r\nHost: test\r\n\r\n');
    await expect(idle.response(500)).rejects.toThrow();

    // No new connection is accepted.
    await expect(RawConnection.open(portOf(api))).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    // The request in flight completes, is answered, and the server closes that connection after it.
    pending.write(body.slice(10));
    const created = await pending.response();
    expect(created.status).toBe(201);
    expect(created.headers.connection).toBe('close');
    expect(await pending.closesWithin(2000)).toBe(true);

    const { code, at } = await exited;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(3000);

    // What was acknowledged is stored.
    const { id } = JSON.parse(created.body) as { id: string };
    const row = await database.db
      .selectFrom('contact_campaigns')
      .select(['id'])
      .where('id', '=', campaignUuid(id))
      .executeTakeFirst();
    expect(row?.id).toBe(campaignUuid(id));
  });

  it('a request that never completes holds the stop only until SHUTDOWN_TIMEOUT_MS, then the process exits 1', async () => {
    const api = await start({ SHUTDOWN_TIMEOUT_MS: '1500' });
    const exited = exitOf(api);
    const stuck = await open(api);
    stuck.write(halfCreate(JSON.stringify({ contact: { email: 'stuck@example.com' }, plan }), 5));
    await inFlight(stuck);
    const signalledAt = Date.now();
    api.child.kill('SIGTERM');
    const { code, at } = await exited;
    expect(code).toBe(1);
    expect(at - signalledAt).toBeGreaterThanOrEqual(1400);
    expect(at - signalledAt).toBeLessThan(4000);
  });
});
