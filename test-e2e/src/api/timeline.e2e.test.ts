import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { clickOrTimeoutPlan } from '@campaign/core/testing';
import { describe, expect, it } from 'vitest';
import { apiCaller, type Json, sentMessage, useApi } from '../support/api.ts';

/*
 * Regression: GET /v1/campaigns/:id returned the whole timeline, unpaginated (403 KB after 2,500 events).
 * It now carries the oldest 100 entries and a cursor; /v1/campaigns/:id/timeline pages through the rest.
 */

const API_KEY = 'test-api-key-0123456789abcdef';

// Opens change nothing at `intro`: each one only adds an `event` entry to the timeline.
const plan: Plan = clickOrTimeoutPlan({ body: '<p>Hi</p>' });

describe('timeline pages over HTTP', { timeout: 60_000 }, () => {
  const api = useApi('timeline', {
    API_KEY,
    UNSUBSCRIBE_SECRET: 'test-unsubscribe-secret-0123456789',
    RUN_WORKERS: '1',
    QUEUE_POLL_SECONDS: '0.5',
  });
  const call = apiCaller(api, API_KEY);

  /** A campaign whose message went out, with `opens` events recorded for it (ids open-0, open-1, ...). */
  async function campaignWithOpens(
    opens: number,
  ): Promise<{ id: string; message: string; firstOpenAt: string | undefined }> {
    const { json: created } = await call('POST', '/v1/campaigns', {
      contact: { email: `${randomUUID()}@example.com` },
      plan,
    });
    const message = await sentMessage(call, created.id);
    const events = await postOpens(message, 0, opens);
    return { id: created.id, message, firstOpenAt: events[0]?.occurredAt };
  }

  async function postOpens(message: string, from: number, count: number) {
    // Just after the message went out, by the server's real clock: an event may not be dated more
    // than 5 minutes before its message was sent or ahead of the clock (implausible_time).
    const t0 = Date.now() - 120_000;
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
    return events;
  }

  const eventIds = (entries: Json[]) => entries.filter((e) => e.kind === 'event').map((e) => e.id);
  const opens = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `open-${from + i}`);

  it('GET /v1/campaigns/:id carries the oldest 100 entries and a cursor; following cursors yields every entry once, in order, also entries appended meanwhile', async () => {
    const { id, message, firstOpenAt } = await campaignWithOpens(250);
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
      at: firstOpenAt,
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
