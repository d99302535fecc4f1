import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, sleep, startApi } from './support.ts';

/*
 * Regression: GET /v1/campaigns/:id returned the whole timeline, unpaginated (403 KB after 2,500 events).
 * It now carries the oldest 100 entries and a cursor; /v1/campaigns/:id/timeline pages through the rest.
 */

const API_KEY = 'test-api-key-0123456789abcdef';
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field below
type Json = any;

// Opens change nothing at `intro`: each one only adds an `event` entry to the timeline.
const plan: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hello',
      body: '<p>Hi</p>',
      transitions: [
        { on: 'clicked', to: 'done' },
        { on: 'no_click', to: 'done', after: 'P3D' },
      ],
    },
    { id: 'done', action: 'end' },
  ],
};

describe('timeline pages over HTTP', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let api: ApiProcess;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    api = await startApi({
      DATABASE_URL: database.url,
      REDIS_URL: '',
      QUEUE_BACKEND: 'pgboss',
      QUEUE_NAME: `timeline-${randomUUID()}`,
      API_KEY,
      UNSUBSCRIBE_SECRET: 'test-unsubscribe-secret-0123456789',
      RUN_WORKERS: '1',
      QUEUE_POLL_SECONDS: '0.5',
    });
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await database?.dispose();
  });

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${api.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${API_KEY}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Json };
  }

  /** A campaign whose message went out, with `opens` events recorded for it (ids open-0, open-1, ...). */
  async function campaignWithOpens(opens: number): Promise<{ id: string; message: string }> {
    const { json: created } = await call('POST', '/v1/campaigns', {
      contact: { email: `${randomUUID()}@example.com` },
      plan,
    });
    const deadline = Date.now() + 20_000;
    let message: string | undefined;
    while (message === undefined) {
      const { json } = await call('GET', `/v1/campaigns/${created.id}`);
      message = json.timeline.find((e: Json) => e.kind === 'send')?.message;
      if (Date.now() > deadline) throw new Error(`never sent: ${JSON.stringify(json)}`);
      if (message === undefined) await sleep(200);
    }
    await postOpens(message, 0, opens);
    return { id: created.id, message };
  }

  async function postOpens(message: string, from: number, count: number) {
    const t0 = Date.parse('2026-01-05T10:00:00Z');
    const events = Array.from({ length: count }, (_, i) => ({
      id: `open-${from + i}`,
      messageId: message,
      type: 'opened',
      occurredAt: new Date(t0 + (from + i) * 1000).toISOString(),
    }));
    expect(await call('POST', '/v1/events', { events })).toMatchObject({
      status: 202,
      json: { accepted: count },
    });
  }

  const eventIds = (entries: Json[]) => entries.filter((e) => e.kind === 'event').map((e) => e.id);
  const opens = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `open-${from + i}`);

  it('GET /v1/campaigns/:id carries the oldest 100 entries and a cursor; following cursors yields every entry once, in order, also entries appended meanwhile', async () => {
    const { id, message } = await campaignWithOpens(250);
    const { json: detail } = await call('GET', `/v1/campaigns/${id}`);
    expect(detail.timeline).toHaveLength(100);
    expect(detail.timeline.slice(0, 2).map((e: Json) => e.kind)).toEqual(['enter', 'send']);
    expect(detail.timelineNextCursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));

    const seen: Json[] = [...detail.timeline];
    let cursor: string | null = detail.timelineNextCursor;
    let pages = 0;
    while (cursor !== null) {
      const { status, json } = await call('GET', `/v1/campaigns/${id}/timeline?cursor=${cursor}&limit=37`);
      expect(status).toBe(200);
      expect(json.entries.length).toBeLessThanOrEqual(37);
      seen.push(...json.entries);
      cursor = json.nextCursor;
      // New entries committed while a client pages come after its cursor, not before it.
      if (++pages === 2) await postOpens(message, 250, 20);
    }
    expect(seen).toHaveLength(2 + 270);
    expect(eventIds(seen)).toEqual(opens(0, 270));
    // Entries keep the shape GET /v1/campaigns/:id always had.
    expect(seen[2]).toEqual({
      at: '2026-01-05T10:00:00.000Z',
      kind: 'event',
      type: 'opened',
      message,
      id: 'open-0',
      effect: 'ignored',
    });

    // Without a cursor the pages start at the oldest entry; the last page says there is no more.
    const { json: first } = await call('GET', `/v1/campaigns/${id}/timeline`);
    expect(first.entries).toEqual(seen.slice(0, 100));
    const { json: whole } = await call('GET', `/v1/campaigns/${id}/timeline?limit=1000`);
    expect(whole).toEqual({ entries: seen, nextCursor: null });
  });

  it('a short timeline is whole: no cursor', async () => {
    const { id } = await campaignWithOpens(3);
    const { json } = await call('GET', `/v1/campaigns/${id}`);
    expect(json.timeline).toHaveLength(5);
    expect(json.timelineNextCursor).toBeNull();
  });

  it('a bad limit or a malformed or foreign cursor is a 400 with a stable code; an unknown campaign a 404', async () => {
    const { id } = await campaignWithOpens(120);
    const { json: detail } = await call('GET', `/v1/campaigns/${id}`);
    const { id: otherId } = await campaignWithOpens(120);
    const { json: other } = await call('GET', `/v1/campaigns/${otherId}`);
    for (const limit of ['0', '1001', '-1', '1.5', 'ten', '']) {
      const { status, json } = await call('GET', `/v1/campaigns/${id}/timeline?limit=${limit}`);
      expect({ limit, status, code: json.code }).toEqual({ limit, status: 400, code: 'invalid_limit' });
    }
    const malformed = Buffer.from(`${id}.not-a-seq.0`).toString('base64url');
    for (const cursor of [malformed, 'garbage!', other.timelineNextCursor, `${detail.timelineNextCursor}=`]) {
      const { status, json } = await call(
        'GET',
        `/v1/campaigns/${id}/timeline?cursor=${encodeURIComponent(cursor)}`,
      );
      expect({ cursor, status, code: json.code }).toEqual({ cursor, status: 400, code: 'invalid_cursor' });
    }
    expect((await call('GET', `/v1/campaigns/${id}/timeline?limit=1`)).json.entries).toHaveLength(1);
    expect((await call('GET', `/v1/campaigns/${id}/timeline?limit=1000`)).status).toBe(200);
    expect((await call('GET', `/v1/campaigns/${randomUUID()}/timeline`)).status).toBe(404);
  });
});
