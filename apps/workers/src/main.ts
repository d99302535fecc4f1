#!/usr/bin/env node
import { ConfigError, createRuntime, loadConfig, resolveSharedSecrets, startWorker } from '@campaign/runtime';

/*
 * The worker process: action consumers and the reconcile loop on QUEUE_BACKEND (bullmq | pgboss).
 * SIGTERM / SIGINT stop taking jobs, let the actions in flight finish, then exit 0; a second signal or
 * SHUTDOWN_TIMEOUT_MS (default 30 s) exits at once: every action is one transaction, so nothing is
 * left half-done either way. UNSUBSCRIBE_SECRET is required (the API verifies the links this process
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

const runtime = await createRuntime(config);
const worker = await startWorker(runtime);
const timeoutMs = Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 30_000);
let stopping = false;

async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    runtime.logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  runtime.logger.info({ signal }, 'shutting down: finishing actions in flight');
  const timer = setTimeout(() => {
    runtime.logger.error('shutdown timed out');
    process.exit(1);
  }, timeoutMs);
  timer.unref();
  await worker.stop();
  await runtime.close();
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
