#!/usr/bin/env node
import {
  ConfigError,
  createRuntime,
  ImapSecretKeyError,
  isEmbedded,
  loadConfig,
  type RunningImapWatchers,
  resolveSharedSecrets,
  startRuntimeImapWatchers,
} from '@campaign/runtime';
import { createApp } from './app.ts';
import { drainable } from './http/drain.ts';

/*
 * The API. With no DATABASE_URL and no REDIS_URL it is the embedded start: PGlite under ./.data, pg-boss
 * on the same PGlite, the log transport, and the workers in this process. The API key and the
 * unsubscribe secret are then generated once and kept under ./.data, so a restart keeps them. Otherwise
 * API_KEY and UNSUBSCRIBE_SECRET are required: without one the process exits 2 before connecting.
 * Running the workers (RUN_WORKERS, or embedded) includes the IMAP watchers, as apps/workers does.
 */

const embedded = isEmbedded(process.env);
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(resolveSharedSecrets(process.env, 'api'));
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

const runWorkers = config.runWorkers ?? embedded;
// The workers run in the app's CampaignEngineModule: on BullMQ its processor takes the jobs.
const runtime = await createRuntime(config, {
  ownQueueWorker: !(runWorkers && config.queueBackend === 'bullmq'),
});
const app = await createApp(runtime, config.apiKey, { workers: runWorkers });
// The IMAP watchers (issue 13) run wherever the workers do. IMAP_SECRET_KEY missing or malformed while
// a sender has imap settings: exit 2 before listening, as a configuration error (as apps/workers does).
let imapWatchers: RunningImapWatchers | undefined;
if (runWorkers) {
  imapWatchers = await startRuntimeImapWatchers(runtime, process.env).catch(async (error: unknown) => {
    if (!(error instanceof ImapSecretKeyError)) throw error;
    console.error(error.message);
    await app.close();
    await runtime.close();
    process.exit(2);
  });
}
const http = drainable(app.getHttpServer());
await app.listen(config.port, config.host);
const url = `http://${config.host}:${config.port}`;
runtime.logger.info({ url, backend: config.queueBackend, embedded, workers: runWorkers }, 'listening');
if (embedded) {
  process.stdout.write(
    `\nCampaign engine listening on ${url}\nAPI key: ${config.apiKey}\nDocs: ${url}/docs\n\n`,
  );
}

/*
 * SIGTERM / SIGINT: stop accepting connections, close the idle keep-alive ones, answer the requests in
 * flight (with `Connection: close`), then stop the embedded workers (their actions in flight finish) and
 * exit 0. Everything is bounded by SHUTDOWN_TIMEOUT_MS: past it, or on a second signal, exit 1.
 */
let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    runtime.logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  runtime.logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
  setTimeout(() => {
    runtime.logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out');
    process.exit(1);
  }, config.shutdownTimeoutMs).unref();
  await http.drain();
  await imapWatchers?.stop(); // the messages in hand are finished, the leases given up
  await app.close(); // the module stops the workers here: their actions in flight finish
  await runtime.close();
  runtime.logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
