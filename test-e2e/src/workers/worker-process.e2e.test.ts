import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { Plan } from '@campaign/core';
import { oneSendPlan } from '@campaign/core/testing';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { createRuntime, loadConfig, type Runtime } from '@campaign/runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type NodeProcess, sleep, spawnWorker, waitFor } from '../support/processes.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

/*
 * The worker process on its own (pg-boss on real Postgres, a real SMTP server): its METRICS_PORT
 * listener and its bounded stop, observed from outside as an operator would.
 */

const plan: Plan = oneSendPlan();

/** The TCP ports process `pid` listens on, with their address (from /proc: Linux only). */
function listening(pid: number): { host: string; port: number }[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // the fd closed meanwhile
    }
  }
  const found: { host: string; port: number }[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [address, state, inode] = [cols[1] ?? '', cols[3], cols[9] ?? ''];
      if (state !== '0A' || !inodes.has(inode)) continue; // 0A: LISTEN
      const [hexHost = '', hexPort = ''] = address.split(':');
      const host =
        hexHost.length === 8
          ? (hexHost.match(/../g) ?? [])
              .map((b) => Number.parseInt(b, 16))
              .reverse()
              .join('.')
          : hexHost;
      found.push({ host, port: Number.parseInt(hexPort, 16) });
    }
  }
  return found;
}

describe('the worker process', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let env: NodeJS.ProcessEnv;
  let api: Runtime;
  const workers: NodeProcess[] = [];
  const blockers: Server[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    sink = new SmtpSink();
    env = {
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL: '',
      QUEUE_BACKEND: 'pgboss',
      QUEUE_NAME: `process-${randomUUID()}`,
      QUEUE_POLL_SECONDS: '0.2',
      SMTP_URL: await sink.listen(),
      UNSUBSCRIBE_SECRET: 'process-unsubscribe-secret-0123456789',
      MESSAGE_ID_DOMAIN: 'process.test',
      LOG_LEVEL: 'info',
      METRICS_PORT: '',
      SHUTDOWN_TIMEOUT_MS: '',
    };
    // The test's side, as the API would be: creates campaigns, runs no worker.
    api = await createRuntime(loadConfig(env));
  }, 60_000);

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
    for (const b of blockers.splice(0)) b.close();
  });

  afterAll(async () => {
    await api?.close();
    await sink?.close();
    await database?.dispose();
  });

  function startWorker(extra: NodeJS.ProcessEnv = {}): NodeProcess {
    const worker = spawnWorker({ ...env, ...extra });
    workers.push(worker);
    return worker;
  }

  async function started(worker: NodeProcess): Promise<void> {
    const failure = () => `the worker did not start:\n${worker.output()}`;
    await waitFor(
      () => {
        if (worker.output().includes('"msg":"worker started"')) return true;
        if (worker.child.exitCode !== null) throw new Error(failure());
        return false;
      },
      failure,
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  }

  /** SIGTERM; the exit code and how long the stop took. */
  const stop = async (worker: NodeProcess) => {
    const at = Date.now();
    const code = await worker.stop();
    return { code, ms: Date.now() - at };
  };

  // Bug pinned: the worker read SHUTDOWN_TIMEOUT_MS by hand, so an empty one (as here) was 0 ms and every
  // SIGTERM exited 1 at once; it now comes from the validated config (unset or empty: 10 s).
  it('without METRICS_PORT it listens on no port; SIGTERM when idle exits 0 at once', async () => {
    const worker = startWorker();
    await started(worker);
    expect(listening(worker.child.pid ?? 0)).toEqual([]);
    const { code, ms } = await stop(worker);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(3000);
  });

  // Bug pinned: a worker running apart from the API exposed no metrics at all (METRICS_PORT was ignored).
  it('with METRICS_PORT it serves GET /metrics on HOST:METRICS_PORT, and nothing else', async () => {
    const port = await freePort();
    const worker = startWorker({ METRICS_PORT: String(port) });
    await started(worker);
    expect(listening(worker.child.pid ?? 0)).toEqual([{ host: '127.0.0.1', port }]);

    const { campaign } = await api.service.persistPlan({
      contact: { email: `${randomUUID()}@process.test` },
      plan,
    });
    let text = '';
    for (let i = 0; i < 100 && !/campaign_sends_total\{result="sent"\} 1/.test(text); i += 1) {
      await sleep(100);
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      text = await res.text();
    }
    // This process's own work, and its process metrics.
    expect(text).toMatch(/campaign_sends_total\{result="sent"\} 1/);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect((await api.service.getCampaign(campaign.id)).campaign.state.status).toBe('completed');
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(404);

    const { code } = await stop(worker);
    expect(code).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('a METRICS_PORT already taken: one line naming it, exit 2', async () => {
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const worker = startWorker({ METRICS_PORT: String(port) });
    expect(await worker.exited).toBe(2);
    const lines = worker
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(lines).toEqual([`METRICS_PORT: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`]);
  });

  it('a send that never finishes holds the stop only until SHUTDOWN_TIMEOUT_MS, then exit 1', async () => {
    const worker = startWorker({ SHUTDOWN_TIMEOUT_MS: '1500' });
    await started(worker);
    const held = sink.holdNext();
    await api.service.persistPlan({ contact: { email: `${randomUUID()}@process.test` }, plan });
    await held.arrived; // the worker waits for the SMTP reply, which is not coming
    try {
      const { code, ms } = await stop(worker);
      expect(code).toBe(1);
      expect(ms).toBeGreaterThanOrEqual(1400);
      expect(ms).toBeLessThan(4000);
      expect(worker.output()).toContain('"msg":"shutdown timed out"');
    } finally {
      held.release();
    }
  });
});
