#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, createRuntime, loadConfig, type RunningWorker, startWorker } from '@campaign/runtime';
import { createApp } from './app.ts';

/*
 * The API. With no DATABASE_URL and no REDIS_URL it is the embedded start: PGlite under ./.data, pg-boss
 * on the same PGlite, the log transport, and the workers in this process. The API key and the
 * unsubscribe secret are then generated once and kept under ./.data, so a restart keeps them.
 */

/** A secret kept in `file`, made on first use. */
function persistentSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(24).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

const env = { ...process.env };
const embedded = !env.DATABASE_URL && !env.REDIS_URL;
const dataDir = dirname(env.PGLITE_DIR || './.data/pglite');
if (embedded) {
  env.API_KEY ||= persistentSecret(join(dataDir, 'api-key'));
  env.UNSUBSCRIBE_SECRET ||= persistentSecret(join(dataDir, 'unsubscribe-secret'));
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
if (!config.apiKey) {
  console.error('API_KEY is required (at least 16 characters) when DATABASE_URL or REDIS_URL is set');
  process.exit(2);
}

const runtime = await createRuntime(config);
const runWorkers = env.RUN_WORKERS ? env.RUN_WORKERS === '1' || env.RUN_WORKERS === 'true' : embedded;
const worker: RunningWorker | undefined = runWorkers ? await startWorker(runtime) : undefined;
const app = await createApp(runtime, config.apiKey);
await app.listen(config.port, env.HOST ?? '127.0.0.1');
const url = `http://${env.HOST ?? '127.0.0.1'}:${config.port}`;
runtime.logger.info({ url, backend: config.queueBackend, embedded, workers: runWorkers }, 'listening');
if (embedded) {
  process.stdout.write(
    `\nCampaign engine listening on ${url}\nAPI key: ${config.apiKey}\nDocs: ${url}/docs\n\n`,
  );
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) process.exit(1);
  stopping = true;
  runtime.logger.info({ signal }, 'shutting down');
  setTimeout(() => process.exit(1), Number(env.SHUTDOWN_TIMEOUT_MS ?? 30_000)).unref();
  await app.close();
  await worker?.stop();
  await runtime.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
