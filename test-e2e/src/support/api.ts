import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseRoutedId } from '@campaign/core';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { afterAll, beforeAll } from 'vitest';

/* Starting the real API process for the HTTP tests, and speaking to it. */

const MAIN = fileURLToPath(new URL('../../../apps/nest-service/dist/main.js', import.meta.url));
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ApiProcess {
  base: string;
  child: ChildProcess;
  /** SIGTERM, resolving with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the compiled API with `env` on a free port and waits until /health/live answers. */
export async function startApi(env: NodeJS.ProcessEnv): Promise<ApiProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    return exited;
  };
  // 60 s: on a loaded 2-core machine the API's start (Nest, migrations) has taken 19 s.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (
      await fetch(`${base}/health/live`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { base, child, stop };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  await stop();
  throw new Error('the API did not start');
}

/**
 * Where an API process keeps its work unless a test says otherwise: `database`, pg-boss on it (no
 * Redis), and a queue of its own named after `name`, so that processes sharing a server never take each
 * other's jobs.
 */
export function pgbossEnv(database: TestDatabase, name: string): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: database.url,
    REDIS_URL: '',
    QUEUE_BACKEND: 'pgboss',
    QUEUE_NAME: `${name}-${randomUUID()}`,
  };
}

export interface ApiOnDatabase {
  /** The API's address, `http://127.0.0.1:<port>`. */
  readonly base: string;
  readonly database: TestDatabase;
  readonly process: ApiProcess;
}

/**
 * For the enclosing describe block: a fresh database and an API process on it (`pgbossEnv`, then `env`),
 * started before its tests and stopped after them. The fields are there once the tests run.
 */
export function useApi(name: string, env: NodeJS.ProcessEnv): ApiOnDatabase {
  let database: TestDatabase | undefined;
  let api: ApiProcess | undefined;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    api = await startApi({ ...pgbossEnv(database, name), ...env });
  }, 60_000);
  afterAll(async () => {
    await api?.stop();
    await database?.dispose();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the API is started in beforeAll: use it inside a test');
    return value;
  };
  return {
    get base() {
      return started(api).base;
    },
    get database() {
      return started(database);
    },
    get process() {
      return started(api);
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field in the tests
export type Json = any;

export interface ApiResponse {
  status: number;
  /** The Content-Type header ('' without one). */
  type: string;
  /** The body parsed as JSON, or its text when it is not JSON. */
  json: Json;
}

export type ApiCall = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<ApiResponse>;

/**
 * `call(method, path, body?, headers?)` on the API at `api.base` (read at each call), with the key as a
 * Bearer token unless `headers` replace it. A string body is sent as it is (to send malformed JSON),
 * anything else as JSON.
 */
export function apiCaller(api: { readonly base: string }, apiKey: string): ApiCall {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${api.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: Json;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, type: res.headers.get('content-type') ?? '', json };
  };
}

/**
 * Polls GET /v1/campaigns/:id until `predicate` holds for the view, and returns that view: the workers
 * move a campaign on after the request that created it has been answered.
 */
export async function waitForCampaign(
  call: ApiCall,
  id: string,
  predicate: (view: Json) => boolean,
  timeoutMs = 20_000,
): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await call('GET', `/v1/campaigns/${id}`);
    if (predicate(json)) return json;
    if (Date.now() > deadline) throw new Error(`campaign never got there: ${JSON.stringify(json)}`);
    await sleep(200);
  }
}

/** The id of the campaign's first message, once a worker has sent it. */
export async function sentMessage(call: ApiCall, id: string): Promise<string> {
  const sent = (view: Json) => view.timeline.find((e: Json) => e.kind === 'send');
  return sent(await waitForCampaign(call, id, (view) => sent(view) !== undefined)).message;
}

/** The uuid of a campaign id as the API hands it out (`<uuid>.<contact id>`), for the tests' own SQL. */
export function campaignUuid(id: string): string {
  return parseRoutedId(id)?.id ?? id;
}
