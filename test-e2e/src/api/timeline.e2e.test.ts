import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { clickOrTimeoutPlan } from '@campaign/core/testing';
import { describe, expect, it } from 'vitest';
import { apiCaller, useApi } from '../support/api.ts';
import {
  answer,
  getCampaign,
  ok,
  sentMessageOf,
  type TimelineEntry,
  typedClient,
} from '../support/client.ts';

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
  const client = typedClient(api, API_KEY);
  // Raw HTTP only for the malformed limits and cursors, which the typed client does not send.
  const call = apiCaller(api, API_KEY);

  /** A campaign whose message went out, with `opens` events recorded for it (ids open-0, open-1, ...). */
  async function campaignWithOpens(
    opens: number,
  ): Promise<{ id: string; message: string; firstOpenAt: string | undefined }> {
    const created = await ok(
      client.POST('/v1/campaigns', { body: { contact: { email: `${randomUUID()}@example.com` }, plan } }),
    );
    const message = await sentMessageOf(client, created.id);
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
      type: 'opened' as const,
      occurredAt: new Date(t0 + (from + i) * 1000).toISOString(),
    }));
    expect(await answer(client.POST('/v1/events', { body: { events } }))).toMatchObject({
      status: 202,
      json: { accepted: count },
    });
    return events;
  }

  const eventIds = (entries: TimelineEntry[]) => entries.flatMap((e) => (e.kind === 'event' ? [e.id] : []));
  const opens = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `open-${from + i}`);

  it('GET /v1/campaigns/:id carries the oldest 100 entries and a cursor; following cursors yields every entry once, in order, also entries appended meanwhile', async () => {
    const { id, message, firstOpenAt } = await campaignWithOpens(250);
    const detail = await getCampaign(client, id);
    expect(detail.timeline).toHaveLength(100);
    expect(detail.timeline.slice(0, 2).map((e) => e.kind)).toEqual(['enter', 'send']);
    expect(detail.timelineNextCursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));

    const seen: TimelineEntry[] = [...detail.timeline];
    let cursor: string | null = detail.timelineNextCursor ?? null;
    let pages = 0;
    while (cursor !== null) {
      const { status, data } = await answer(
        client.GET('/v1/campaigns/{id}/timeline', { params: { path: { id }, query: { cursor, limit: 37 } } }),
      );
      expect(status).toBe(200);
      if (data === undefined) throw new Error('no page');
      expect(data.entries.length).toBeLessThanOrEqual(37);
      seen.push(...data.entries);
      cursor = data.nextCursor;
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
    const first = await ok(client.GET('/v1/campaigns/{id}/timeline', { params: { path: { id } } }));
    expect(first.entries).toEqual(seen.slice(0, 100));
    const whole = await ok(
      client.GET('/v1/campaigns/{id}/timeline', { params: { path: { id }, query: { limit: 1000 } } }),
    );
    expect(whole).toEqual({ entries: seen, nextCursor: null });
  });

  it('a short timeline is whole: no cursor', async () => {
    const { id } = await campaignWithOpens(3);
    const view = await getCampaign(client, id);
    expect(view.timeline).toHaveLength(5);
    expect(view.timelineNextCursor).toBeNull();
  });

  it('a bad limit or a malformed or foreign cursor is a 400 with a stable code; an unknown campaign a 404', async () => {
    const { id } = await campaignWithOpens(120);
    const detail = await getCampaign(client, id);
    const { id: otherId } = await campaignWithOpens(120);
    const other = await getCampaign(client, otherId);
    for (const limit of ['0', '1001', '-1', '1.5', 'ten', '']) {
      const { status, json } = await call('GET', `/v1/campaigns/${id}/timeline?limit=${limit}`);
      expect({ limit, status, code: json.code }).toEqual({ limit, status: 400, code: 'invalid_limit' });
    }
    const malformed = Buffer.from(`${id}.not-a-seq.0`).toString('base64url');
    for (const cursor of [
      malformed,
      'garbage!',
      `${other.timelineNextCursor}`,
      `${detail.timelineNextCursor}=`,
    ]) {
      const { status, error } = await answer(
        client.GET('/v1/campaigns/{id}/timeline', { params: { path: { id }, query: { cursor } } }),
      );
      expect({ cursor, status, code: error?.code }).toEqual({ cursor, status: 400, code: 'invalid_cursor' });
    }
    const page = (limit: number) =>
      answer(client.GET('/v1/campaigns/{id}/timeline', { params: { path: { id }, query: { limit } } }));
    expect((await page(1)).data?.entries).toHaveLength(1);
    expect((await page(1000)).status).toBe(200);
    const unknown = client.GET('/v1/campaigns/{id}/timeline', { params: { path: { id: randomUUID() } } });
    expect((await answer(unknown)).status).toBe(404);
  });
});
