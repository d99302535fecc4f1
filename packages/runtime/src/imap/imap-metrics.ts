import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Results of a fetched message: the intake's answers, or `malformed` (not parseable, skipped). */
export const IMAP_MESSAGE_RESULTS = [
  'accepted',
  'duplicate',
  'unmatched',
  'implausible_time',
  'malformed',
] as const;
/** Kinds of watcher error: connect (network, TLS, server), auth (login refused), fetch, intake, lease. */
export const IMAP_ERROR_KINDS = ['connect', 'auth', 'fetch', 'intake', 'lease'] as const;
export type ImapMessageResult = (typeof IMAP_MESSAGE_RESULTS)[number];
export type ImapErrorKind = (typeof IMAP_ERROR_KINDS)[number];

export interface ImapMetrics {
  messages: Counter<'result'>;
  errors: Counter<'kind'>;
  /** Seconds from the message's arrival in the mailbox (INTERNALDATE) to its hand-over to the intake. */
  lag: Histogram;
  watchers: Gauge;
}

const byRegistry = new WeakMap<Registry, ImapMetrics>();

/**
 * The watcher's metrics on the runtime's registry (made once per registry). Labels come only from the
 * fixed sets above, never from a sender id or a server answer: the number of series is bounded.
 */
export function imapMetrics(registry: Registry): ImapMetrics {
  const known = byRegistry.get(registry);
  if (known) return known;
  const metrics: ImapMetrics = {
    messages: new Counter({
      name: 'campaign_imap_messages_total',
      help: `Messages the IMAP watchers handed on, by result (${IMAP_MESSAGE_RESULTS.join(', ')})`,
      labelNames: ['result'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'campaign_imap_errors_total',
      help: `IMAP watcher errors by kind (${IMAP_ERROR_KINDS.join(', ')})`,
      labelNames: ['kind'],
      registers: [registry],
    }),
    lag: new Histogram({
      name: 'campaign_imap_lag_seconds',
      help: 'From a message arriving in the mailbox to its hand-over to the intake',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
      registers: [registry],
    }),
    watchers: new Gauge({
      name: 'campaign_imap_watchers',
      help: 'IMAP watchers this process runs (one per email sender with imap settings, across processes)',
      registers: [registry],
    }),
  };
  for (const result of IMAP_MESSAGE_RESULTS) metrics.messages.inc({ result }, 0);
  for (const kind of IMAP_ERROR_KINDS) metrics.errors.inc({ kind }, 0);
  byRegistry.set(registry, metrics);
  return metrics;
}
