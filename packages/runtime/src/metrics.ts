import type { ExecutionObserver } from '@campaign/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The engine's state at a scrape: see @campaign/db `EngineGaugeReading`. */
export interface EngineGauges {
  activeCampaigns: number;
  pendingActions: Record<string, number>;
  queueDepth: number;
}

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The engine's Prometheus metrics, on a registry of their own. Every label value comes from a fixed set
 * in code (action kinds and outcomes, triggers, the five provider names), never from a request: the
 * number of series is bounded.
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  readonly actionsScheduled = new Counter({
    name: 'campaign_actions_scheduled_total',
    help: 'Actions stored and queued, by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly actionsExecuted = new Counter({
    name: 'campaign_actions_executed_total',
    help: 'Due actions handled, by kind and outcome (sent, transition, skipped, stale, retry, failed, deferred, not_pending, not_due)',
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });
  readonly transitions = new Counter({
    name: 'campaign_transitions_total',
    help: 'Moves between nodes, by trigger',
    labelNames: ['trigger'],
    registers: [this.registry],
  });
  readonly sends = new Counter({
    name: 'campaign_sends_total',
    help: 'Send attempts by result (sent, retry, failed)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly webhookEvents = new Counter({
    name: 'campaign_webhook_events_total',
    help: 'Provider webhook events by provider and result (accepted, duplicate, ignored, rejected, implausible_time, unauthorized, malformed)',
    labelNames: ['provider', 'result'],
    registers: [this.registry],
  });
  readonly inboundMessages = new Counter({
    name: 'campaign_inbound_messages_total',
    help: 'Inbound mail by way in (sendgrid, mailgun, postmark, mime, imap) and result (accepted, duplicate, unmatched, implausible_time, unauthorized, malformed, too_large)',
    labelNames: ['source', 'result'],
    registers: [this.registry],
  });
  readonly inboundUnmatched = new Counter({
    name: 'campaign_inbound_unmatched_total',
    help: 'Inbound messages that matched nothing we sent, kept in the unmatched list (GET /v1/inbound/unmatched), once per message, by the way it first came in',
    labelNames: ['source'],
    registers: [this.registry],
  });
  readonly sendsFailed = new Counter({
    name: 'campaign_sends_failed_total',
    help: 'Send steps that gave up after SEND_MAX_ATTEMPTS and stopped their campaign (send_failed), by stage (transport: the provider kept refusing; after_acceptance: the step after an accepted send kept failing)',
    labelNames: ['stage'],
    registers: [this.registry],
  });
  readonly lateness = new Histogram({
    name: 'campaign_timer_lateness_seconds',
    help: 'How late after its due time an action ran',
    labelNames: ['kind'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  /** HTTP requests by method, route TEMPLATE (`/v1/campaigns/:id`, `unmatched`), never the raw URL, and status. */
  readonly httpRequests = new Counter({
    name: 'campaign_http_requests_total',
    help: 'HTTP requests by method, route template (unmatched: no route) and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'campaign_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status code',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /**
   * Counts one answered request. `route` must be a template of the app's routes or `unmatched`
   * (the caller's job: see apps/nest-service http-metrics.ts); `method` outside the HTTP verbs and
   * `status` outside 100-599 are folded to `other`, so no request can grow the series.
   */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    const labels = {
      method: HTTP_METHODS.has(method) ? method : 'other',
      route,
      status: Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other',
    };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, Math.max(0, seconds));
  }

  private gaugeSource: (() => Promise<EngineGauges>) | undefined;
  private reading: Promise<EngineGauges | undefined> | undefined;

  /** The pending kinds a scrape has shown, so a kind that drops to none reads 0 rather than vanishing. */
  private readonly pendingKinds = new Set<string>();

  readonly activeCampaigns = new Gauge({
    name: 'campaign_active_campaigns',
    help: 'Campaigns with status active, read at each scrape (capped count)',
    registers: [this.registry],
    collect: async () => {
      const reading = await this.sample();
      if (reading) this.activeCampaigns.set(reading.activeCampaigns);
    },
  });
  readonly pendingActions = new Gauge({
    name: 'campaign_pending_actions',
    help: 'Pending scheduled actions by kind, read at each scrape (capped count)',
    labelNames: ['kind'],
    registers: [this.registry],
    collect: async () => {
      const reading = await this.sample();
      if (!reading) return;
      for (const kind of Object.keys(reading.pendingActions)) this.pendingKinds.add(kind);
      for (const kind of this.pendingKinds)
        this.pendingActions.set({ kind }, reading.pendingActions[kind] ?? 0);
    },
  });
  readonly queueDepth = new Gauge({
    name: 'campaign_queue_depth',
    help: 'Pending actions already due (waiting for a worker), read at each scrape (capped count)',
    registers: [this.registry],
    collect: async () => {
      const reading = await this.sample();
      if (reading) this.queueDepth.set(reading.queueDepth);
    },
  });

  /**
   * Where the gauges read from at each scrape (see @campaign/db readEngineGauges); set once by the app
   * that serves /metrics, a later call replaces it. Without a source the gauges stay at 0.
   */
  setGaugeSource(source: () => Promise<EngineGauges>): void {
    this.gaugeSource = source;
  }

  /** One reading shared by the three gauges of a scrape; a failed reading leaves their last values. */
  private sample(): Promise<EngineGauges | undefined> {
    const source = this.gaugeSource;
    if (!source) return Promise.resolve(undefined);
    this.reading ??= source()
      .catch(() => undefined)
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The hooks the execution service calls. */
  observer(): ExecutionObserver {
    return {
      actionsScheduled: (kind, count) => this.actionsScheduled.inc({ kind }, count),
      actionExecuted: (kind, outcome, latenessMs) => {
        this.actionsExecuted.inc({ kind, outcome });
        if (kind === 'send' && ['sent', 'retry', 'failed'].includes(outcome))
          this.sends.inc({ result: outcome });
        if (latenessMs !== null) this.lateness.observe({ kind }, Math.max(0, latenessMs) / 1000);
      },
      transition: (trigger) => this.transitions.inc({ trigger }),
      sendFailed: (stage) => this.sendsFailed.inc({ stage }),
      inboundUnmatched: (source) => this.inboundUnmatched.inc({ source }),
    };
  }
}
