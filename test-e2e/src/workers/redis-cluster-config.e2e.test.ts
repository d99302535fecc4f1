import { afterAll, describe, expect, it } from 'vitest';
import { type NodeProcess, spawnWorker } from '../support/processes.ts';

/*
 * REDIS_CLUSTER_NODES is checked before the worker connects to anything: a bad value is one line on
 * stderr naming the variable, exit 2 (as every configuration error). No database or Redis is reached, so
 * the URLs below point at closed ports.
 */
const env: NodeJS.ProcessEnv = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
  UNSUBSCRIBE_SECRET: 'e2e-unsubscribe-secret-0123456789',
  QUEUE_BACKEND: 'bullmq',
  LOG_LEVEL: 'warn',
};

describe('worker process with REDIS_CLUSTER_NODES', { timeout: 30_000 }, () => {
  const workers: NodeProcess[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  });

  it.each([
    ['127.0.0.1', '"127.0.0.1" is not host:port'],
    ['127.0.0.1:7001,redis://127.0.0.1:7002', '"redis://127.0.0.1:7002" is not host:port'],
    ['127.0.0.1:70001', '"127.0.0.1:70001" is not host:port'],
  ])('%j: one line naming the variable and the entry, exit 2', async (value, reason) => {
    const worker = spawnWorker({ ...env, REDIS_CLUSTER_NODES: value });
    workers.push(worker);
    expect(await worker.exited).toBe(2);
    const lines = worker
      .stderr()
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`REDIS_CLUSTER_NODES: ${reason}`);
  });

  it('QUEUE_SHARDS that is not a positive integer: named, exit 2', async () => {
    const worker = spawnWorker({ ...env, REDIS_CLUSTER_NODES: '127.0.0.1:7001', QUEUE_SHARDS: '0' });
    workers.push(worker);
    expect(await worker.exited).toBe(2);
    expect(worker.stderr()).toContain('QUEUE_SHARDS');
  });
});
