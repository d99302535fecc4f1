import { randomBytes } from 'node:crypto';
import { z } from 'zod';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Environment variables of the API and the workers, with their defaults. */
const envSchema = z.object({
  PORT: positiveInt(3000),
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().min(1).default('./.data/pglite'),
  REDIS_URL: z.string().url().optional(),
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
  PUBLIC_URL: z.string().url().default('http://localhost:3000'),
  UNSUBSCRIBE_SECRET: z.string().min(16).optional(),
  MESSAGE_ID_DOMAIN: z.string().min(1).default('campaign-engine.invalid'),
  API_KEY: z.string().min(16).optional(),
  SENDGRID_WEBHOOK_PUBLIC_KEY: z.string().min(1).optional(),
  MAILGUN_WEBHOOK_SIGNING_KEY: z.string().min(1).optional(),
  POSTMARK_WEBHOOK_USER: z.string().min(1).optional(),
  POSTMARK_WEBHOOK_PASSWORD: z.string().min(1).optional(),
  SES_SNS_TOPIC_ARNS: z.string().min(1).optional(),
  RESEND_WEBHOOK_SECRET: z.string().startsWith('whsec_').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface RuntimeConfig {
  port: number;
  /** Postgres; absent: embedded PGlite under `pgliteDir`. */
  databaseUrl: string | undefined;
  pgliteDir: string;
  redisUrl: string | undefined;
  /** `bullmq` needs REDIS_URL. Default: bullmq when REDIS_URL is set, else pgboss. */
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
  publicUrl: string;
  unsubscribeSecret: string;
  messageIdDomain: string;
  apiKey: string | undefined;
  logLevel: string;
  /** Provider webhook secrets; a provider without one refuses every request. */
  webhooks: {
    sendgridPublicKey: string | undefined;
    mailgunSigningKey: string | undefined;
    postmark: { username: string; password: string } | undefined;
    sesTopicArns: string[];
    resendSecret: string | undefined;
  };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the configuration from `env`. Bad values throw ConfigError naming every variable that is wrong.
 * Without UNSUBSCRIBE_SECRET a random one is used (links then die with the process: set it in production).
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
  const queueBackend = e.QUEUE_BACKEND ?? (e.REDIS_URL ? 'bullmq' : 'pgboss');
  if (queueBackend === 'bullmq' && !e.REDIS_URL)
    throw new ConfigError('QUEUE_BACKEND=bullmq needs REDIS_URL');
  return {
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    pgliteDir: e.PGLITE_DIR,
    redisUrl: e.REDIS_URL,
    queueBackend,
    queueName: e.QUEUE_NAME,
    workerConcurrency: e.WORKER_CONCURRENCY,
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    reconcileGraceMs: e.RECONCILE_GRACE_MS,
    queuePollSeconds: e.QUEUE_POLL_SECONDS,
    queueLockMs: e.QUEUE_LOCK_MS,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    publicUrl: e.PUBLIC_URL,
    unsubscribeSecret: e.UNSUBSCRIBE_SECRET ?? randomBytes(24).toString('base64url'),
    messageIdDomain: e.MESSAGE_ID_DOMAIN,
    apiKey: e.API_KEY,
    logLevel: e.LOG_LEVEL,
    webhooks: {
      sendgridPublicKey: e.SENDGRID_WEBHOOK_PUBLIC_KEY,
      mailgunSigningKey: e.MAILGUN_WEBHOOK_SIGNING_KEY,
      postmark:
        e.POSTMARK_WEBHOOK_USER && e.POSTMARK_WEBHOOK_PASSWORD
          ? { username: e.POSTMARK_WEBHOOK_USER, password: e.POSTMARK_WEBHOOK_PASSWORD }
          : undefined,
      sesTopicArns: (e.SES_SNS_TOPIC_ARNS ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
      resendSecret: e.RESEND_WEBHOOK_SECRET,
    },
  };
}
