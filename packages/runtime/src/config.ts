import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ContactFrequencyCap, parseContactFrequencyCap } from '@campaign/core';
import { z } from 'zod';
import { parsePayloadRetention } from './payload-retention.ts';
import { parseRedisClusterNodes, type RedisClusterNode } from './redis-cluster.ts';
import { type TwilioSettings, twilioSettings } from './twilio.ts';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Environment variables of the API and the workers, with their defaults. */
const envSchema = z.object({
  PORT: positiveInt(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_PREPARED_STATEMENTS: z.enum(['0', '1', 'true', 'false']).default('true'),
  PGLITE_DIR: z.string().min(1).default('./.data/pglite'),
  REDIS_URL: z.string().url().optional(),
  REDIS_CLUSTER_NODES: z.string().optional(),
  QUEUE_SHARDS: z.coerce.number().int().positive().optional(),
  QUEUE_BACKEND: z.enum(['bullmq', 'pgboss']).optional(),
  QUEUE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('campaign-actions'),
  WORKER_CONCURRENCY: positiveInt(8),
  RECONCILE_INTERVAL_MS: positiveInt(15_000),
  RECONCILE_GRACE_MS: positiveInt(30_000),
  QUEUE_POLL_SECONDS: z.coerce.number().positive().default(0.5),
  QUEUE_LOCK_MS: positiveInt(30_000),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().min(3).default('Campaign Engine <campaigns@campaign-engine.invalid>'),
  PUBLIC_URL: z.string().url().optional(),
  UNSUBSCRIBE_SECRET: z.string().min(16).optional(),
  UNSUBSCRIBE_SECRET_PREVIOUS: z.string().min(16).optional(),
  MESSAGE_ID_DOMAIN: z.string().min(1).default('campaign-engine.invalid'),
  API_KEY: z.string().min(16).optional(),
  API_KEY_PREVIOUS: z.string().min(16).optional(),
  RUN_WORKERS: z.enum(['0', '1', 'true', 'false']).optional(),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),
  SEND_MAX_ATTEMPTS: positiveInt(5),
  SEND_CLAIM_LEASE_MS: positiveInt(300_000),
  SEND_RETRY_BASE_DELAY_MS: positiveInt(30_000),
  // A throttled send's slot this close (ms) is waited for in the worker; bounded: a waiting send keeps
  // its worker's queue slot.
  THROTTLE_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
  METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  SENDGRID_WEBHOOK_PUBLIC_KEY: z.string().min(1).optional(),
  MAILGUN_WEBHOOK_SIGNING_KEY: z.string().min(1).optional(),
  POSTMARK_WEBHOOK_USER: z.string().min(1).optional(),
  POSTMARK_WEBHOOK_PASSWORD: z.string().min(1).optional(),
  // SendGrid Inbound Parse authenticates by basic auth in its destination URL (DESIGN section 14).
  SENDGRID_INBOUND_USER: z.string().min(1).optional(),
  SENDGRID_INBOUND_PASSWORD: z.string().min(1).optional(),
  SES_SNS_TOPIC_ARNS: z.string().min(1).optional(),
  SES_SNS_REQUIRE_SIGNATURE_V2: z.enum(['0', '1', 'true', 'false']).default('false'),
  RESEND_WEBHOOK_SECRET: z.string().startsWith('whsec_').optional(),
  CONTACT_FREQUENCY_CAP: z.string().optional(),
  EVENT_PAYLOAD_RETENTION: z.string().optional(),
  EXECUTION_MODE: z.enum(['live', 'shadow']).default('live'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface RuntimeConfig {
  port: number;
  /** Interface the HTTP listeners bind to. Default 127.0.0.1. */
  host: string;
  /** Postgres; absent: embedded PGlite under `pgliteDir`. */
  databaseUrl: string | undefined;
  /** Postgres: named prepared statements (`DATABASE_PREPARED_STATEMENTS`, default on). */
  databasePreparedStatements: boolean;
  pgliteDir: string;
  redisUrl: string | undefined;
  /**
   * REDIS_CLUSTER_NODES (`host:port,...`, seed nodes): BullMQ runs on this Redis Cluster (an ioredis
   * Cluster client) instead of REDIS_URL. Undefined: a single Redis at REDIS_URL.
   */
  redisClusterNodes: RedisClusterNode[] | undefined;
  /**
   * QUEUE_SHARDS: BullMQ queues the jobs are spread over (`{campaign-0}` ..), the same in every process.
   * Default 8 on a cluster, 1 (one queue, as before) on a single Redis.
   */
  queueShards: number;
  /** `bullmq` needs REDIS_URL or REDIS_CLUSTER_NODES. Default: bullmq when one is set, else pgboss. */
  queueBackend: 'bullmq' | 'pgboss';
  /** One queue per deployment; workers of one deployment share it. */
  queueName: string;
  workerConcurrency: number;
  reconcileIntervalMs: number;
  reconcileGraceMs: number;
  queuePollSeconds: number;
  /** How long a crashed worker's job stays claimed before another worker gets it, in ms. */
  queueLockMs: number;
  /** SMTP server (`smtp://user:pass@host:port`, `smtps://` for TLS); absent: the log transport. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Base URL of the API as recipients reach it. Default `http://localhost:${PORT}`. */
  publicUrl: string;
  /** TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TWILIO_API_BASE_URL; absent: SMS to the log. */
  twilio: TwilioSettings | undefined;
  unsubscribeSecret: string;
  /** Accepted when verifying unsubscribe tokens only (rotation without downtime). */
  unsubscribeSecretPrevious: string | undefined;
  messageIdDomain: string;
  apiKey: string | undefined;
  /** Accepted for authentication only (rotation without downtime). */
  apiKeyPrevious: string | undefined;
  /** RUN_WORKERS; undefined when unset (the API then runs workers only when embedded). */
  runWorkers: boolean | undefined;
  /** Bound on a graceful stop (SIGTERM), in ms. Default 10 000. */
  shutdownTimeoutMs: number;
  /** Send attempts before a send action fails and its campaign stops (`send_failed`). Default 5. */
  sendMaxAttempts: number;
  /** How long a claimed send may stay `running` before the reconcile loop takes it over, in ms. Default 300 000. */
  sendClaimLeaseMs: number;
  /** Delay before a send step is tried again, doubled per attempt, in ms. Default 30 000. */
  sendRetryBaseDelayMs: number;
  throttleWaitMs: number;
  /** CONTACT_FREQUENCY_CAP (`N/duration`, e.g. `2/P7D`): at most N messages to a contact in any window. */
  contactFrequencyCap: ContactFrequencyCap | undefined;
  /** EVENT_PAYLOAD_RETENTION in ms: raw event payloads older than this are nulled by the workers. Unset: kept. */
  eventPayloadRetentionMs: number | undefined;
  /** EXECUTION_MODE: `shadow` runs every new campaign in shadow mode (recorded, never sent). Default `live`. */
  executionMode: 'live' | 'shadow';
  /** Port of the worker process's own /metrics listener; undefined: none. */
  metricsPort: number | undefined;
  logLevel: string;
  /** Provider webhook secrets; a provider without one refuses every request. */
  webhooks: {
    sendgridPublicKey: string | undefined;
    mailgunSigningKey: string | undefined;
    postmark: { username: string; password: string } | undefined;
    /** SENDGRID_INBOUND_USER / SENDGRID_INBOUND_PASSWORD: SendGrid Inbound Parse's basic auth; absent: it is refused. */
    sendgridInbound: { username: string; password: string } | undefined;
    sesTopicArns: string[];
    /** Refuse SNS SignatureVersion 1 (SHA1withRSA); default false (1 is a topic's default, both are AWS-signed). */
    sesRequireSignatureV2: boolean;
    resendSecret: string | undefined;
  };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Which process reads the configuration: the API also needs API_KEY. */
export type ProcessRole = 'api' | 'worker';

/** The embedded start: none of DATABASE_URL, REDIS_URL, REDIS_CLUSTER_NODES is set (PGlite under ./.data, one process). */
export function isEmbedded(env: NodeJS.ProcessEnv): boolean {
  return !env.DATABASE_URL && !env.REDIS_URL && !env.REDIS_CLUSTER_NODES;
}

/** A secret kept in `file`, made on first use. */
function persistentSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(24).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * The secrets every process of a deployment must share: UNSUBSCRIBE_SECRET (a worker signs the links
 * the API verifies) and, for the API, API_KEY. Outside the embedded mode a missing one throws a
 * one-line ConfigError naming it, before anything connects: a secret invented per process would make
 * a worker's unsubscribe links 404 at the API and die at every restart. In the embedded mode a missing
 * one is generated once and kept next to PGLITE_DIR (`./.data/api-key`, `./.data/unsubscribe-secret`),
 * so a restart keeps it. Returns `env` with those secrets filled in; `env` itself is not changed.
 */
export function resolveSharedSecrets(env: NodeJS.ProcessEnv, role: ProcessRole): NodeJS.ProcessEnv {
  const required = role === 'api' ? ['API_KEY', 'UNSUBSCRIBE_SECRET'] : ['UNSUBSCRIBE_SECRET'];
  const resolved = { ...env };
  if (isEmbedded(env)) {
    const dataDir = dirname(env.PGLITE_DIR || './.data/pglite');
    for (const name of required)
      resolved[name] ||= persistentSecret(join(dataDir, name.toLowerCase().replaceAll('_', '-')));
    return resolved;
  }
  const missing = required.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(
      `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required when DATABASE_URL or REDIS_URL is set: ` +
        'the same value (at least 16 characters) in every API and worker process',
    );
  }
  return resolved;
}

/** EVENT_PAYLOAD_RETENTION parsed; a malformed value is a ConfigError naming the variable. */
function payloadRetention(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parsePayloadRetention(value);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/** CONTACT_FREQUENCY_CAP parsed; a malformed value is a ConfigError naming the variable. */
function contactFrequencyCap(value: string | undefined): ContactFrequencyCap | undefined {
  if (value === undefined) return undefined;
  try {
    return parseContactFrequencyCap(value);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/** REDIS_CLUSTER_NODES parsed; a malformed value is a ConfigError naming the variable. */
function redisCluster(value: string | undefined): RedisClusterNode[] | undefined {
  if (value === undefined) return undefined;
  try {
    return parseRedisClusterNodes(value);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/**
 * Reads the configuration from `env`. Bad values throw ConfigError naming every variable that is wrong.
 * UNSUBSCRIBE_SECRET is required (there is no per-process default): pass `env` through
 * resolveSharedSecrets first, which fills it in the embedded mode and names it when missing otherwise.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const e = parsed.data;
  const redisClusterNodes = redisCluster(e.REDIS_CLUSTER_NODES);
  const queueBackend = e.QUEUE_BACKEND ?? (e.REDIS_URL || redisClusterNodes ? 'bullmq' : 'pgboss');
  if (queueBackend === 'bullmq' && !e.REDIS_URL && !redisClusterNodes)
    throw new ConfigError('QUEUE_BACKEND=bullmq needs REDIS_URL or REDIS_CLUSTER_NODES');
  if (!e.UNSUBSCRIBE_SECRET)
    throw new ConfigError(
      'UNSUBSCRIBE_SECRET is required: the same value (at least 16 characters) in every process',
    );
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePreparedStatements:
      e.DATABASE_PREPARED_STATEMENTS === '1' || e.DATABASE_PREPARED_STATEMENTS === 'true',
    pgliteDir: e.PGLITE_DIR,
    redisUrl: e.REDIS_URL,
    redisClusterNodes,
    queueShards: e.QUEUE_SHARDS ?? (redisClusterNodes ? 8 : 1),
    queueBackend,
    queueName: e.QUEUE_NAME,
    workerConcurrency: e.WORKER_CONCURRENCY,
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    reconcileGraceMs: e.RECONCILE_GRACE_MS,
    queuePollSeconds: e.QUEUE_POLL_SECONDS,
    queueLockMs: e.QUEUE_LOCK_MS,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    twilio: twilioConfig(env),
    unsubscribeSecret: e.UNSUBSCRIBE_SECRET,
    unsubscribeSecretPrevious: e.UNSUBSCRIBE_SECRET_PREVIOUS,
    messageIdDomain: e.MESSAGE_ID_DOMAIN,
    apiKey: e.API_KEY,
    apiKeyPrevious: e.API_KEY_PREVIOUS,
    runWorkers: e.RUN_WORKERS === undefined ? undefined : e.RUN_WORKERS === '1' || e.RUN_WORKERS === 'true',
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    sendMaxAttempts: e.SEND_MAX_ATTEMPTS,
    sendClaimLeaseMs: e.SEND_CLAIM_LEASE_MS,
    sendRetryBaseDelayMs: e.SEND_RETRY_BASE_DELAY_MS,
    throttleWaitMs: e.THROTTLE_WAIT_MS,
    contactFrequencyCap: contactFrequencyCap(e.CONTACT_FREQUENCY_CAP),
    eventPayloadRetentionMs: payloadRetention(e.EVENT_PAYLOAD_RETENTION),
    executionMode: e.EXECUTION_MODE,
    metricsPort: e.METRICS_PORT,
    logLevel: e.LOG_LEVEL,
    webhooks: {
      sendgridPublicKey: e.SENDGRID_WEBHOOK_PUBLIC_KEY,
      mailgunSigningKey: e.MAILGUN_WEBHOOK_SIGNING_KEY,
      postmark:
        e.POSTMARK_WEBHOOK_USER && e.POSTMARK_WEBHOOK_PASSWORD
          ? { username: e.POSTMARK_WEBHOOK_USER, password: e.POSTMARK_WEBHOOK_PASSWORD }
          : undefined,
      sendgridInbound:
        e.SENDGRID_INBOUND_USER && e.SENDGRID_INBOUND_PASSWORD
          ? { username: e.SENDGRID_INBOUND_USER, password: e.SENDGRID_INBOUND_PASSWORD }
          : undefined,
      sesTopicArns: (e.SES_SNS_TOPIC_ARNS ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
      sesRequireSignatureV2:
        e.SES_SNS_REQUIRE_SIGNATURE_V2 === '1' || e.SES_SNS_REQUIRE_SIGNATURE_V2 === 'true',
      resendSecret: e.RESEND_WEBHOOK_SECRET,
    },
  };
}

/** Twilio's settings (see `twilioSettings`), an unusable one refused as a ConfigError. */
function twilioConfig(env: NodeJS.ProcessEnv): TwilioSettings | undefined {
  try {
    return twilioSettings(env);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}
