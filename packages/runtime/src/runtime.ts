import { BullmqScheduler } from '@campaign/adapter-bullmq';
import { PgBossScheduler } from '@campaign/adapter-pgboss';
import {
  CampaignPlanExecutionService,
  type Clock,
  type Scheduler,
  type SmsTransport,
  type Transport,
} from '@campaign/core';
import {
  type DatabaseHandle,
  KyselyCampaignStore,
  kyselyTransactionOf,
  migrateToLatest,
  openDatabase,
} from '@campaign/db';
import pino, { type Logger } from 'pino';
import type { RuntimeConfig } from './config.ts';
import { PrometheusMetrics } from './metrics.ts';
import { checkReadiness, type Readiness } from './readiness.ts';
import { configSecrets, LOG_REDACT_PATHS, lineScrubber, REDACTED } from './redact.ts';
import { emailTransport, LogSmsTransport, SmtpTransport } from './transports.ts';
import { twilioSmsTransport } from './twilio.ts';

export const systemClock: Clock = { now: () => new Date() };

export interface Runtime {
  config: RuntimeConfig;
  metrics: PrometheusMetrics;
  logger: Logger;
  database: DatabaseHandle;
  store: KyselyCampaignStore;
  scheduler: Scheduler;
  transport: Transport;
  /** Where SMS sends go: the log until an SMS provider is configured. */
  smsTransport: SmsTransport;
  service: CampaignPlanExecutionService;
  /**
   * QUEUE_BACKEND=bullmq: every shard's queue (QUEUE_SHARDS; index = shard), for Bull Board (closed by
   * `close`). Else empty.
   */
  dashboardQueues: ReturnType<BullmqScheduler['dashboardQueues']>;
  /** The clock the service runs on: the app takes the time from it too, never from Date. */
  clock: Clock;
  /** Whether the database and the queue backend answer, each within 2 s (`/health/ready`). Never rejects. */
  readiness(): Promise<Readiness>;
  close(): Promise<void>;
}

/**
 * The one place the queue backend is chosen (QUEUE_BACKEND). `ownQueueWorker` false: BullMQ's jobs are
 * taken by a Worker the host runs (`BullmqScheduler.processJob`, the NestJS module's processor).
 */
export function createScheduler(
  config: RuntimeConfig,
  database: DatabaseHandle,
  { ownQueueWorker = true }: { ownQueueWorker?: boolean } = {},
): Scheduler {
  if (config.queueBackend === 'bullmq') {
    const connection = config.redisClusterNodes
      ? { cluster: { nodes: config.redisClusterNodes } }
      : config.redisUrl;
    if (!connection) throw new Error('QUEUE_BACKEND=bullmq needs REDIS_URL or REDIS_CLUSTER_NODES');
    return new BullmqScheduler({
      // With more than one shard the scheduler runs a Worker per shard itself (a host-run one takes one queue).
      ownWorker: ownQueueWorker || config.queueShards > 1,
      connection,
      shards: config.queueShards,
      queueName: config.queueName,
      concurrency: queueConcurrency(config),
      lockDurationMs: config.queueLockMs,
      stalledIntervalMs: Math.min(5000, config.queueLockMs),
    });
  }
  return new PgBossScheduler({
    database: database.pglite ? { pglite: database.pglite } : { url: config.databaseUrl ?? '' },
    queueName: config.queueName,
    concurrency: queueConcurrency(config),
    pollingIntervalSeconds: config.queuePollSeconds,
    expireInSeconds: Math.max(1, Math.ceil(config.queueLockMs / 1000)),
    // The job commits or rolls back with its action row (DESIGN section 6).
    transactionOf: kyselyTransactionOf,
  });
}

/**
 * Wires the engine from its configuration, for the API and the workers alike: the database (migrated),
 * the store, the Scheduler of QUEUE_BACKEND, the transport (SMTP, or the log) and the execution service.
 */
/**
 * Waiting sends allowed per running action: a burst behind a 50 ms min gap keeps about 10 sends waiting
 * for a sender (its jobs come back half of THROTTLE_WAIT_MS early), and sleeping costs no connection.
 */
const WAITING_PER_RUNNING = 3;

export async function createRuntime(
  config: RuntimeConfig,
  options: {
    logger?: Logger;
    clock?: Clock;
    transport?: Transport;
    smsTransport?: SmsTransport;
    metrics?: PrometheusMetrics;
    /** False: a Worker the host runs takes BullMQ's jobs (see createScheduler). Default true. */
    ownQueueWorker?: boolean;
  } = {},
): Promise<Runtime> {
  const logger =
    options.logger ??
    pino({
      level: config.logLevel,
      base: { service: 'campaign-engine' },
      // Secret headers by path; then every line is scrubbed of URL passwords and the configured secrets.
      redact: { paths: LOG_REDACT_PATHS, censor: REDACTED },
      hooks: { streamWrite: lineScrubber(configSecrets(config, process.env)) },
    });
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.pgliteDir,
    preparedStatements: config.databasePreparedStatements,
    onConnectionError: (error) => logger.warn({ err: error }, 'database connection lost'),
  });
  await migrateToLatest(database.db);
  const store = new KyselyCampaignStore(database.db);
  const scheduler = createScheduler(config, database, { ownQueueWorker: options.ownQueueWorker ?? true });
  const smtp = config.smtpUrl ? new SmtpTransport({ url: config.smtpUrl, from: config.mailFrom }) : undefined;
  const transport = options.transport ?? emailTransport({ smtp, logger, env: process.env });
  const smsTransport =
    options.smsTransport ??
    (config.twilio ? twilioSmsTransport(config.twilio, config.publicUrl) : new LogSmsTransport(logger));
  const metrics = options.metrics ?? new PrometheusMetrics();
  const clock = options.clock ?? systemClock;
  const observer = metrics.observer();
  const service = new CampaignPlanExecutionService({
    observer: {
      ...observer,
      sendFailed: (stage, info) => {
        observer.sendFailed?.(stage, info);
        logger.error(
          { stage, actionId: info.actionId, campaignId: info.campaignId, error: info.error },
          'send failed after its last attempt: campaign stopped (send_failed)',
        );
      },
    },
    maxSendAttempts: config.sendMaxAttempts,
    sendClaimLeaseMs: config.sendClaimLeaseMs,
    retryBaseDelayMs: config.sendRetryBaseDelayMs,
    throttleWaitMs: config.throttleWaitMs,
    // WORKER_CONCURRENCY actions run at once; throttled sends sleeping until their slot hold no permit,
    // and the queue delivers up to that many more jobs for them (queueConcurrency). Of any one queue's
    // jobs, one stays free of waiters for the send they wait for (a BullMQ shard's Worker has its share).
    actionConcurrency: config.workerConcurrency,
    throttleMaxWaiting: Math.min(waitingAllowance(config), jobsPerQueue(config) - 1),
    contactFrequencyCap: config.contactFrequencyCap,
    executionMode: config.executionMode,
    store,
    scheduler,
    transport,
    smsTransport,
    clock,
    messageIdDomain: config.messageIdDomain,
    // An inbound message to MAIL_FROM's address answers what went with no sender (DESIGN section 14).
    mailFrom: config.mailFrom,
    // The API and workers: an SMS plan needs an SMS sender (issue 12, `no_sender`).
    smsSenderRequired: true,
    unsubscribe: {
      baseUrl: `${config.publicUrl.replace(/\/$/, '')}/v1/unsubscribe`,
      secret: config.unsubscribeSecret,
      previousSecrets: config.unsubscribeSecretPrevious ? [config.unsubscribeSecretPrevious] : [],
    },
  });
  return {
    config,
    metrics,
    logger,
    database,
    store,
    scheduler,
    transport,
    smsTransport,
    service,
    dashboardQueues: scheduler instanceof BullmqScheduler ? scheduler.dashboardQueues() : [],
    clock,
    readiness: () => checkReadiness({ database, scheduler }),
    close: async () => {
      await scheduler.close();
      smtp?.close();
      await database.close();
    },
  };
}

/** Throttled sends that may sleep until their slot in this process, on top of WORKER_CONCURRENCY running. */
function waitingAllowance(config: RuntimeConfig): number {
  return config.throttleWaitMs > 0 ? WAITING_PER_RUNNING * config.workerConcurrency : 0;
}

/** How many jobs the queue hands this process at once: those that run and those that may wait. */
function queueConcurrency(config: RuntimeConfig): number {
  return config.workerConcurrency + waitingAllowance(config);
}

/** The jobs one queue's consumer takes at once in this process (BullMQ shares them out over its shards). */
function jobsPerQueue(config: RuntimeConfig): number {
  if (config.queueBackend !== 'bullmq' || config.queueShards <= 1) return queueConcurrency(config);
  return Math.max(1, Math.ceil(queueConcurrency(config) / config.queueShards));
}
