import type { Clock } from '@campaign/core';
import { type DatabaseHandle, readEngineGauges } from '@campaign/db';
import type { PrometheusMetrics } from './metrics.ts';

/**
 * Points the gauges of `metrics` (active campaigns, pending actions by kind, queue depth) at the
 * database: each scrape of /metrics reads them with bounded queries (readEngineGauges), at `clock`'s now.
 */
export function watchEngineGauges(parts: {
  metrics: PrometheusMetrics;
  database: DatabaseHandle;
  clock: Clock;
}): void {
  parts.metrics.setGaugeSource(() => readEngineGauges(parts.database.db, parts.clock.now()));
}
