import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type Clock, parseRoutedId } from '@campaign/core';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { createRuntime, loadConfig, type Runtime } from '@campaign/runtime';
import type { INestApplication, Type } from '@nestjs/common';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../../dist/app.js';

/*
 * The API as the tests in this folder start it: a fresh Postgres database, a runtime on it (pg-boss by
 * default), the Nest app on that runtime listening on a free port of 127.0.0.1. One place, so a change
 * to how the app is built reaches every test, and `close` undoes it all in the right order.
 */

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field in the tests
export type Json = any;

/** An answer of the API as the tests read it: the body parsed when there is one. */
export interface ApiAnswer {
  status: number;
  /** The content-type header (null: none). */
  type: string | null;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; null when it is empty. */
  json: Json;
}

export interface StartedApi {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** The API key the app takes (API_KEY). */
  key: string;
  runtime: Runtime;
  app: INestApplication;
  database: TestDatabase;
  /** A request with the API key; `body` is sent as JSON (as `contentType`, default application/json). */
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiAnswer>;
  /** Closes the app, then the runtime, then drops the database. */
  close(): Promise<void>;
}

export interface StartApiOptions {
  /** The runtime's clock (default the system clock). */
  clock?: Clock;
  /** Run the engine's jobs in this process (createApp's `workers`). */
  workers?: boolean;
  /** Controllers added to the app (createApp's `extraControllers`). */
  extraControllers?: Type[];
}

/**
 * Starts the API. `env` is laid over the defaults (a fresh test database, QUEUE_BACKEND pgboss, a
 * queue name of its own, an API key and unsubscribe secret, LOG_LEVEL silent); an `undefined` value
 * removes a default. Whatever was started is closed again when a later step fails.
 */
export async function startApi(
  env: Record<string, string | undefined> = {},
  options: StartApiOptions = {},
): Promise<StartedApi> {
  const database = await createTestDatabase('postgres');
  let runtime: Runtime | undefined;
  let app: INestApplication | undefined;
  const close = async () => {
    await app?.close();
    await runtime?.close();
    await database.dispose();
  };
  try {
    const config = loadConfig({
      DATABASE_URL: database.url,
      QUEUE_BACKEND: 'pgboss',
      QUEUE_NAME: `api-${randomUUID()}`,
      API_KEY: 'nest-service-test-api-key-0123456789abcdef',
      UNSUBSCRIBE_SECRET: 'nest-service-test-unsubscribe-secret-0123456789',
      LOG_LEVEL: 'silent',
      ...env,
    });
    const key = config.apiKey ?? '';
    runtime = await createRuntime(config, options.clock ? { clock: options.clock } : {});
    app = await createApp(runtime, key, {
      workers: options.workers,
      extraControllers: options.extraControllers,
    });
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    return {
      url,
      key,
      runtime,
      app,
      database,
      close,
      call: async (method, path, body, contentType = 'application/json') => {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return {
          status: res.status,
          type: res.headers.get('content-type'),
          headers: res.headers,
          text,
          json: text ? JSON.parse(text) : null,
        };
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * `startApi` for the tests of one `describe`: started before them (beforeAll), closed after them
 * (afterAll). The handle reads through to the started API, so it is used only inside tests and
 * hooks registered after this call; `env` may be a function, read when the API starts (for a value
 * known only then, such as a stand-in server's address).
 */
export function useApi(
  env: Record<string, string | undefined> | (() => Record<string, string | undefined>) = {},
  options: StartApiOptions = {},
): StartedApi {
  let started: StartedApi | undefined;
  beforeAll(async () => {
    started = await startApi(typeof env === 'function' ? env() : env, options);
  }, 60_000);
  afterAll(() => started?.close());
  const api = (): StartedApi => {
    if (!started) throw new Error('useApi: the API is not started yet (use it inside a test or hook)');
    return started;
  };
  return {
    get url() {
      return api().url;
    },
    get key() {
      return api().key;
    },
    get runtime() {
      return api().runtime;
    },
    get app() {
      return api().app;
    },
    get database() {
      return api().database;
    },
    call: (...request) => api().call(...request),
    close: () => api().close(),
  };
}

/** Reads until `read` answers something, every 100 ms for up to 20 s (work done by the app's workers). */
export async function eventually<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The uuid of a campaign id as the API hands it out (`<uuid>.<contact id>`), for the tests' own SQL. */
export function campaignUuid(id: string): string {
  return parseRoutedId(id)?.id ?? id;
}
