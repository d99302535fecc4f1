import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort, useApi } from '../support/api.ts';

/* `scripts/run demo` (scripts/demo.ts) against a server on PORT, and with no server at all. */

const DEMO = fileURLToPath(new URL('../../../scripts/demo.ts', import.meta.url));
const API_KEY = 'demo-api-key-0123456789abcdef';

async function runDemo(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', DEMO], {
    env: { PATH: process.env.PATH, TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

describe('scripts/run demo', { timeout: 90_000 }, () => {
  const api = useApi('demo', {
    QUEUE_POLL_SECONDS: '0.5',
    API_KEY,
    UNSUBSCRIBE_SECRET: 'demo-unsubscribe-secret-0123456789',
    RUN_WORKERS: '1',
  });

  // Bug pinned: the demo always called port 3000 and died with a stack trace when nothing answered.
  it('with no server on PORT: one line saying so, exit 1', async () => {
    const port = await freePort();
    const { code, stdout, stderr } = await runDemo({ PORT: String(port), API_KEY });
    expect(stderr.trim().split('\n')).toEqual([
      `no server at http://127.0.0.1:${port}: start it with scripts/run start`,
    ]);
    expect(stdout).toBe('');
    expect(code).toBe(1);
  });

  it('honours PORT: drives the server listening there', async () => {
    const port = new URL(api.base).port;
    const { code, stdout, stderr } = await runDemo({ PORT: port, API_KEY });
    expect(stderr).toBe('');
    // The campaign id as the API hands it out: `<uuid>.<contact id>` (DESIGN section 9).
    expect(stdout).toMatch(/^created campaign [0-9a-f-]{36}\.[A-Za-z0-9_~.-]+ \(active at /);
    expect(stdout).toContain('posted an open');
    expect(code).toBe(0);
  });
});
