#!/usr/bin/env node
import 'reflect-metadata';
import { CAMPAIGN_ENGINE_RUNTIME, CampaignEngineModule } from '@campaign/nestjs';
import {
  ConfigError,
  ImapSecretKeyError,
  loadConfig,
  type MetricsServer,
  PrometheusMetrics,
  type RunningImapWatchers,
  type Runtime,
  resolveSharedSecrets,
  startMetricsServer,
  startRuntimeImapWatchers,
} from '@campaign/runtime';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/*
 * The worker process: a Nest application context of CampaignEngineModule, whose consumers (the BullMQ
 * processor, or pg-boss's consumer) and reconcile loop run on QUEUE_BACKEND (bullmq | pgboss).
 * SIGTERM / SIGINT stop taking jobs, let the actions in flight finish, then exit 0; a second signal or
 * SHUTDOWN_TIMEOUT_MS (default 10 s) exits 1. Nothing is left half-done either way: a send's claim,
 * acceptance and next step are each one transaction, and a claim left behind is taken over after its
 * lease (SEND_CLAIM_LEASE_MS). UNSUBSCRIBE_SECRET is required (the API verifies the links this process
 * signs) unless embedded (then the one kept under ./.data): without it the process exits 2 before connecting.
 */
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(resolveSharedSecrets(process.env, 'worker'));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

// METRICS_PORT: the process's own /metrics, bound before anything connects so a taken port fails fast.
const metrics = new PrometheusMetrics();
let metricsServer: MetricsServer | undefined;
if (config.metricsPort !== undefined) {
  try {
    metricsServer = await startMetricsServer(metrics, { host: config.host, port: config.metricsPort });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    console.error(`METRICS_PORT: cannot listen on ${config.host}:${config.metricsPort} (${reason})`);
    process.exit(2);
  }
}

// SIGTERM / SIGINT are handled from here on, also while the application starts: its own start logs
// "worker started" before the IMAP watchers are up, and a signal then must stop it, not kill it.
let stopping = false;
let started:
  | { app: INestApplicationContext; runtime: Runtime; imapWatchers: RunningImapWatchers }
  | undefined;
const starting = start();

async function start() {
  // Nest's own logger is off (the engine logs with pino); a failed boot throws as createRuntime would, it
  // does not abort the process.
  const app = await NestFactory.createApplicationContext(CampaignEngineModule.forRoot({ config, metrics }), {
    logger: false,
    abortOnError: false,
  });
  const runtime = app.get<Runtime>(CAMPAIGN_ENGINE_RUNTIME);
  // The IMAP watchers (issue 13): one per email sender with imap settings across all worker processes.
  // IMAP_SECRET_KEY missing or malformed while a sender has imap settings: exit 2, as a configuration error.
  const imapWatchers = await startRuntimeImapWatchers(runtime, process.env).catch(async (error: unknown) => {
    if (!(error instanceof ImapSecretKeyError)) throw error;
    console.error(error.message);
    await app.close();
    process.exit(2);
  });
  started = { app, runtime, imapWatchers };
  return started;
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    started?.runtime.logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  const timer = setTimeout(() => {
    started?.runtime.logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  timer.unref();
  const { app, runtime, imapWatchers } = await starting;
  runtime.logger.info({ signal }, 'shutting down: finishing actions in flight');
  await imapWatchers.stop();
  // The processor's Worker, then the reconcile loop, the Scheduler and the database (the module's hooks).
  await app.close();
  await metricsServer?.close();
  runtime.logger.info('stopped');
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
await starting;
