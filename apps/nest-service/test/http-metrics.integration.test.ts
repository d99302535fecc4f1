import { randomUUID } from 'node:crypto';
import { ManualClock } from '@campaign/core/testing';
import { readEngineGauges } from '@campaign/db';
import { describe, expect, it } from 'vitest';
import { useApi } from './support/start-api.ts';

/*
 * HTTP metrics (issue 14): requests are counted by route TEMPLATE and status, never by raw URL, so an
 * unknown path or an id in the path cannot create a new label value.
 */

describe('HTTP request metrics by route template', { timeout: 60_000 }, () => {
  const api = useApi({}, { clock: new ManualClock(new Date('2026-03-02T10:00:00.000Z')) });

  /** The `campaign_http_requests_total` series of a scrape, as `method route status` → count. */
  async function series(): Promise<Map<string, number>> {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    const found = new Map<string, number>();
    for (const line of text.split('\n')) {
      const m =
        /^campaign_http_requests_total\{method="([^"]*)",route="([^"]*)",status="([^"]*)"\} (\d+)$/.exec(
          line,
        );
      if (m) found.set(`${m[1]} ${m[2]} ${m[3]}`, Number(m[4]));
    }
    return found;
  }

  it('labels a request by its route template and status; ids and unknown paths add no label value', async () => {
    const auth = { authorization: `Bearer ${api.key}` };
    const ids = [randomUUID(), randomUUID()];
    for (const id of ids)
      expect((await fetch(`${api.url}/v1/campaigns/${id}`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${api.url}/v1/campaigns/${ids[0]}`)).status).toBe(401);
    for (const path of [`/nope/${randomUUID()}`, `/v1/${randomUUID()}`, '/%3Cscript%3E'])
      expect((await fetch(`${api.url}${path}`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);

    const found = await series();
    expect(found.get('GET /v1/campaigns/:id 404')).toBe(2);
    expect(found.get('GET /v1/campaigns/:id 401')).toBe(1);
    expect(found.get('GET unmatched 404')).toBe(3);
    expect(found.get('GET /health/live 200')).toBe(1);
    const routes = new Set([...found.keys()].map((k) => k.split(' ')[1]));
    for (const route of routes)
      expect(route === 'unmatched' || /^\/[a-z0-9/:_-]*$/.test(route ?? '')).toBe(true);
    for (const id of ids) expect([...routes].some((r) => r?.includes(id))).toBe(false);
  });

  it('exposes the latency histogram with the same labels', async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).toMatch(
      /^campaign_http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} [1-9]\d*$/m,
    );
    expect(text).toMatch(
      /^campaign_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/health\/live",status="200"\}/m,
    );
  });
});

describe('engine gauges read at each scrape', { timeout: 60_000 }, () => {
  const T0 = new Date('2026-03-02T10:00:00.000Z');
  const api = useApi({}, { clock: new ManualClock(T0) });

  async function gauge(name: string): Promise<string[]> {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    return text.split('\n').filter((l) => l.startsWith(`${name}`) && !l.startsWith('#'));
  }

  it('counts active campaigns, pending actions by kind and the due ones, by hand', async () => {
    expect(await gauge('campaign_active_campaigns')).toEqual(['campaign_active_campaigns 0']);
    // Two campaigns: one sends at once (due now: queue depth 1), the other after a day (pending, not due).
    const plan = (delay: string) => ({
      version: '1.1',
      timezone: 'UTC',
      startNodeId: 'hello',
      nodes: [
        { id: 'hello', action: 'send', subject: 'Hi', body: 'Hi', schedule: { delay }, transitions: [] },
      ],
    });
    for (const [email, delay] of [
      ['a@example.com', 'PT0S'],
      ['b@example.com', 'P1D'],
    ]) {
      const res = await fetch(`${api.url}/v1/campaigns`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ contact: { email }, plan: plan(delay ?? '') }),
      });
      expect(res.status).toBe(201);
    }
    expect(await gauge('campaign_active_campaigns')).toEqual(['campaign_active_campaigns 2']);
    expect(await gauge('campaign_pending_actions')).toEqual(['campaign_pending_actions{kind="send"} 2']);
    expect(await gauge('campaign_queue_depth')).toEqual(['campaign_queue_depth 1']);
    // Bounded: a count stops at its cap (here 1), whatever the table holds.
    expect(await readEngineGauges(api.runtime.database.db, T0, 1)).toEqual({
      activeCampaigns: 1,
      pendingActions: { send: 1 },
      queueDepth: 1,
    });
  });
});
