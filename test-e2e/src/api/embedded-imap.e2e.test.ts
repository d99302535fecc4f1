import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, sleep } from '../support/api.ts';

/*
 * Regression (issue 13, F1 item 3): the embedded start (its workers in the API process) neither started
 * the IMAP watchers nor checked IMAP_SECRET_KEY, as apps/workers does. Now a sender's imap settings get
 * a watcher there, and a missing key while a sender has imap settings exits 2 before listening.
 */

const MAIN = fileURLToPath(new URL('../../../apps/nest-service/dist/main.js', import.meta.url));
// 32 bytes as 64 hex digits (a test key, nothing secret)
const IMAP_SECRET_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

describe('embedded start with IMAP', { timeout: 90_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'campaign-embedded-imap-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  function spawnEmbedded(port: number, imapKey: string | undefined) {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      PGLITE_DIR: join(dataDir, 'pglite'),
      LOG_LEVEL: 'warn',
    };
    for (const name of [
      'DATABASE_URL',
      'REDIS_URL',
      'API_KEY',
      'QUEUE_BACKEND',
      'RUN_WORKERS',
      'IMAP_SECRET_KEY',
    ])
      delete env[name];
    if (imapKey) env.IMAP_SECRET_KEY = imapKey;
    const proc = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const out = { stdout: '', stderr: '' };
    proc.stdout?.on('data', (chunk: Buffer) => {
      out.stdout += chunk.toString();
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      out.stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    return { proc, out, exited };
  }

  async function start(port: number, imapKey: string | undefined) {
    const started = spawnEmbedded(port, imapKey);
    for (let i = 0; i < 300; i += 1) {
      const key = /API key: (\S+)/.exec(started.out.stdout)?.[1];
      if (key) return { ...started, key };
      if (started.proc.exitCode !== null) break;
      await sleep(100);
    }
    throw new Error(`embedded start did not come up: ${started.out.stdout}${started.out.stderr}`);
  }

  async function stop(started: { proc: ChildProcess; exited: Promise<number | null> }) {
    started.proc.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  }

  it('runs a watcher for a sender with imap settings, and exits 2 when IMAP_SECRET_KEY is then missing', async () => {
    const port = await freePort();
    // Nothing listens there: the watcher starts and retries its connection with backoff.
    const imapPort = await freePort();
    const first = await start(port, IMAP_SECRET_KEY);
    const created = await fetch(`http://127.0.0.1:${port}/v1/senders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'sales',
        channel: 'email',
        from: 'Sales <sales@example.com>',
        timezone: 'UTC',
        caps: { daily: 100 },
        imap: { host: '127.0.0.1', port: imapPort, tls: false, user: 'sales', password: 'imap-password' },
      }),
    });
    expect(created.status).toBe(201);
    await stop(first);

    // At start the process takes the free lease: one watcher, on the API's own /metrics.
    const second = await start(port, IMAP_SECRET_KEY);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^campaign_imap_watchers 1$/m);
    await stop(second);

    // The key is gone but a sender has imap settings: a configuration error, before listening.
    const third = spawnEmbedded(port, undefined);
    expect(await third.exited).toBe(2);
    expect(third.out.stderr).toContain('IMAP_SECRET_KEY is required');
    expect(third.out.stdout).not.toContain('API key:');
  });
});
