import { describe, expect, it } from 'vitest';
import { type EngineGauges, PrometheusMetrics } from './metrics.ts';

/* observeHttp keeps its label values bounded whatever the request: odd methods and statuses fold to `other`. */
describe('PrometheusMetrics.observeHttp', () => {
  it('counts by method, route and status, folding what is not a known method or a status code', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    metrics.observeHttp('GET', '/v1/campaigns/:id', 200, 0.01);
    metrics.observeHttp('BREW', '/v1/campaigns/:id', 200, 0.01);
    metrics.observeHttp('GET', 'unmatched', 999, 0.01);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'campaign_http_requests_total{method="GET",route="/v1/campaigns/:id",status="200"} 1',
    );
    expect(text).toContain(
      'campaign_http_requests_total{method="other",route="/v1/campaigns/:id",status="200"} 1',
    );
    expect(text).toContain('campaign_http_requests_total{method="GET",route="unmatched",status="other"} 1');
    expect(text).not.toContain('BREW');
    expect(text).not.toContain('"999"');
  });

  it('gauges read one source reading per scrape and keep a kind that dropped to none at 0', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    let calls = 0;
    const readings: EngineGauges[] = [
      { activeCampaigns: 3, pendingActions: { send: 2, timeout: 1 }, queueDepth: 1 },
      { activeCampaigns: 1, pendingActions: { send: 1 }, queueDepth: 0 },
    ];
    metrics.setGaugeSource(async () => readings[Math.min(calls++, 1)] as EngineGauges);
    const first = await metrics.registry.metrics();
    expect(calls).toBe(1);
    expect(first).toContain('campaign_active_campaigns 3');
    expect(first).toContain('campaign_pending_actions{kind="timeout"} 1');
    const second = await metrics.registry.metrics();
    expect(second).toContain('campaign_pending_actions{kind="timeout"} 0');
    expect(second).toContain('campaign_queue_depth 0');
  });
});
