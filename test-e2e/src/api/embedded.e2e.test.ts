import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, sleep } from '../support/api.ts';

/*
 * The embedded start: no DATABASE_URL, no REDIS_URL. PGlite under a data folder, pg-boss on the same
 * PGlite, workers in the process, the log transport. It prints its URL and API key and keeps its data
 * (and its key) across a restart.
 */

const MAIN = fileURLToPath(new URL('../../../apps/nest-service/dist/main.js', import.meta.url));

describe('embedded start', { timeout: 90_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'campaign-embedded-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(port: number): Promise<{ stdout: () => string }> {
    let out = '';
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      PGLITE_DIR: join(dataDir, 'pglite'),
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    delete env.API_KEY;
    delete env.QUEUE_BACKEND;
    child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    for (let i = 0; i < 300; i += 1) {
      if (out.includes('API key:')) return { stdout: () => out };
      await sleep(100);
    }
    throw new Error(`embedded start did not come up: ${out}`);
  }

  async function stop(): Promise<void> {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }

  it('runs with nothing installed, prints URL and key, and keeps its data across a restart', async () => {
    const port = await freePort();
    const first = await start(port);
    const key = /API key: (\S+)/.exec(first.stdout())?.[1];
    expect(first.stdout()).toContain(`listening on http://127.0.0.1:${port}`);
    expect(key).toBe(readFileSync(join(dataDir, 'api-key'), 'utf8').trim());
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const plan = JSON.parse(
      readFileSync(new URL('../../../examples/seed-campaign.json', import.meta.url), 'utf8'),
    );
    const created = await fetch(`http://127.0.0.1:${port}/v1/campaigns`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        contact: { email: 'ada@example.com', name: 'Ada' },
        plan: { ...plan, quietHours: undefined },
      }),
    }).then((r) => r.json() as Promise<{ id: string; status: string }>);
    expect(created.status).toBe('active');
    // the in-process worker sends the first email (log transport)
    let view: { timeline: { kind: string }[] } = { timeline: [] };
    for (let i = 0; i < 100 && !view.timeline.some((e) => e.kind === 'send'); i += 1) {
      await sleep(200);
      view = await fetch(`http://127.0.0.1:${port}/v1/campaigns/${created.id}`, { headers }).then(
        (r) => r.json() as Promise<typeof view>,
      );
    }
    expect(view.timeline.map((e) => e.kind)).toEqual(['enter', 'send']);
    await stop();

    const second = await start(port);
    expect(/API key: (\S+)/.exec(second.stdout())?.[1]).toBe(key);
    const after = await fetch(`http://127.0.0.1:${port}/v1/campaigns/${created.id}`, { headers }).then(
      (r) => r.json() as Promise<{ timeline: unknown[]; pendingActions: unknown[] }>,
    );
    expect(after.timeline).toEqual(view.timeline);
    expect(after.pendingActions).toEqual([expect.objectContaining({ kind: 'timeout', event: 'no_open' })]);
    await stop();
  });
});
