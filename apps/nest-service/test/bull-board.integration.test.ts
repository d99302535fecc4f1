import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useApi } from './support/start-api.ts';

/*
 * Bull Board at /admin/queues on the BullMQ backend, read through its own JSON API (the one its page
 * calls). With QUEUE_SHARDS the jobs are spread over one queue per shard, all of one name under
 * different key prefixes: the board lists each by its prefix. One queue keeps its plain name.
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The names of the queues the board lists. */
async function boardQueues(api: ReturnType<typeof useApi>): Promise<string[]> {
  const { status, json } = await api.call('GET', '/admin/queues/api/queues');
  expect(status).toBe(200);
  return (json.queues as { name: string }[]).map((q) => q.name).sort();
}

describe('Bull Board with QUEUE_SHARDS=3', { timeout: 60_000 }, () => {
  const queueName = `board-${randomUUID()}`;
  const api = useApi({ QUEUE_BACKEND: 'bullmq', REDIS_URL, QUEUE_SHARDS: '3', QUEUE_NAME: queueName });

  it('regression (the board mounted only shard 0): lists every shard queue by its key prefix', async () => {
    expect(api.runtime.dashboardQueues).toHaveLength(3);
    expect(await boardQueues(api)).toEqual([0, 1, 2].map((shard) => `{campaign-${shard}}:${queueName}`));
  });

  it('is behind the API key', async () => {
    expect((await fetch(`${api.url}/admin/queues/api/queues`)).status).toBe(401);
  });
});

describe('Bull Board with one queue', { timeout: 60_000 }, () => {
  const queueName = `board-${randomUUID()}`;
  const api = useApi({ QUEUE_BACKEND: 'bullmq', REDIS_URL, QUEUE_NAME: queueName });

  it('lists the queue under its own name', async () => {
    expect(await boardQueues(api)).toEqual([queueName]);
  });
});
