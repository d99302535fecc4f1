import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api.ts';

/*
 * /metrics against the real API process: no request can add a metric series (every label value comes
 * from a fixed set), so its output stays bounded whatever callers send.
 */

const API_KEY = 'test-api-key-0123456789abcdef';

/** The engine's own samples (`campaign_*` lines that are not comments), without the process metrics. */
const engineSeries = (text: string) => text.split('\n').filter((line) => line.startsWith('campaign_'));

describe('metric labels', { timeout: 60_000 }, () => {
  const api = useApi('labels', {
    API_KEY,
    UNSUBSCRIBE_SECRET: 'test-unsubscribe-secret-0123456789',
    RUN_WORKERS: '0',
  });

  const metrics = () => fetch(`${api.base}/metrics`).then((r) => r.text());

  // Bug pinned: POST /v1/webhooks/<any name> created a metric series per name, forever (memory grew unbounded).
  it('an unknown webhook provider is a 404 problem and adds no metric series', async () => {
    const before = engineSeries(await metrics());
    const names = [
      ...Array.from({ length: 200 }, () => `p${randomUUID().replaceAll('-', '')}`),
      'constructor',
      '__proto__',
      'SendGrid',
      'x'.repeat(2000),
    ];
    for (const name of names) {
      const res = await fetch(`${api.base}/v1/webhooks/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '[]',
      });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 404, code: 'not_found' });
    }
    const text = await metrics();
    const after = engineSeries(text);
    // HTTP request series are labelled by route template, a fixed set: the 204 requests above are one
    // series (route "/v1/webhooks/:provider", status 404), never one per name.
    const notHttp = (lines: string[]) => lines.filter((line) => !line.startsWith('campaign_http_'));
    expect(notHttp(after)).toEqual(notHttp(before));
    const webhookRequests = after.filter(
      (line) => line.startsWith('campaign_http_requests_total') && line.includes('/v1/webhooks'),
    );
    expect(webhookRequests).toEqual([
      `campaign_http_requests_total{method="POST",route="/v1/webhooks/:provider",status="404"} ${names.length}`,
    ]);
    expect(after.filter((line) => line.startsWith('campaign_webhook_events_total'))).toEqual([]);
    for (const name of names.slice(0, 5)) expect(text).not.toContain(name);
  });

  it('a known provider is counted under its fixed name only', async () => {
    // No secret is configured for mailgun here: a 401, counted as mailgun/unauthorized.
    const res = await fetch(`${api.base}/v1/webhooks/mailgun`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    const webhookSeries = engineSeries(await metrics()).filter((line) =>
      line.startsWith('campaign_webhook_events_total'),
    );
    expect(webhookSeries).toEqual([
      'campaign_webhook_events_total{provider="mailgun",result="unauthorized"} 1',
    ]);
  });
});
