import { afterAll, describe, expect, it } from 'vitest';
import { type NodeProcess, spawnWorker } from '../support/processes.ts';

/*
 * EVENT_PAYLOAD_RETENTION (issue 15 item 5) is validated at startup, before anything connects: a bad value
 * is one line on stderr naming the variable, exit 2. The URLs point at closed ports on purpose.
 */
const env: NodeJS.ProcessEnv = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
  UNSUBSCRIBE_SECRET: 'e2e-unsubscribe-secret-0123456789',
  QUEUE_BACKEND: 'pgboss',
  LOG_LEVEL: 'warn',
};

describe('worker process with EVENT_PAYLOAD_RETENTION', { timeout: 30_000 }, () => {
  const workers: NodeProcess[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  });

  it.each(['30 days', 'P1M', 'PT0S'])('%j: one line naming the variable, exit 2', async (value) => {
    const worker = spawnWorker({ ...env, EVENT_PAYLOAD_RETENTION: value });
    workers.push(worker);
    expect(await worker.exited).toBe(2);
    const lines = worker
      .stderr()
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('EVENT_PAYLOAD_RETENTION');
    expect(lines[0]).toContain(`'${value}'`);
  });
});
