import { randomUUID } from 'node:crypto';
import { schedulerContractSuite } from '@campaign/core/testing';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type BullmqClusterConnection, BullmqScheduler } from './bullmq-scheduler.ts';
import { shardOf } from './shard.ts';

/*
 * BullMQ on a three-master Redis Cluster (scripts/services starts one on 127.0.0.1:7001-7003;
 * REDIS_CLUSTER_NODES names another), through an ioredis Cluster client, with the jobs sharded over
 * several queues.
 */
const NODES = (process.env.REDIS_CLUSTER_NODES ?? '127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003')
  .split(',')
  .map((node) => {
    const [host = '', port = ''] = node.trim().split(':');
    return { host, port: Number(port) };
  });
const CONNECTION: BullmqClusterConnection = { cluster: { nodes: NODES } };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Removes every shard's queue of a test. */
async function obliterate(queueName: string, prefixes: readonly string[]): Promise<void> {
  const cluster = new Cluster([...NODES]);
  try {
    for (const prefix of prefixes) {
      const queue = new Queue(queueName, { connection: cluster, prefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
  } finally {
    await cluster.quit();
  }
}

// The Scheduler contract on the cluster, jobs spread over four queues.
schedulerContractSuite(
  'BullMQ on Redis Cluster, 4 shards',
  async () => {
    const tag = `contract-${randomUUID()}`;
    const config = {
      connection: CONNECTION,
      queueName: 'campaign-actions',
      prefix: `{${tag}}`,
      shards: 4,
      backoffMs: 200,
      stalledIntervalMs: 1000,
    };
    let current = new BullmqScheduler(config);
    const prefixes = [0, 1, 2, 3].map((shard) => current.prefixOf(shard));
    return {
      scheduler: current,
      now: () => new Date(),
      wait: sleep,
      restart: async () => {
        await current.close();
        current = new BullmqScheduler(config);
        return current;
      },
      dispose: async () => {
        await current.close();
        await obliterate(config.queueName, prefixes);
      },
    };
  },
  { maxLatenessMs: 1000 },
);

describe('BullMQ sharded over a Redis Cluster', { timeout: 30_000 }, () => {
  let scheduler: BullmqScheduler | undefined;
  let cleanup: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await scheduler?.close();
    await cleanup?.();
    scheduler = undefined;
    cleanup = undefined;
  });

  async function sharded(shards: number): Promise<BullmqScheduler> {
    const tag = `spread-${randomUUID()}`;
    const made = new BullmqScheduler({ connection: CONNECTION, prefix: `{${tag}}`, shards });
    scheduler = made;
    const prefixes = Array.from({ length: shards }, (_, shard) => made.prefixOf(shard));
    cleanup = () => obliterate('campaign-actions', prefixes);
    return made;
  }

  /** The master (host:port) serving each slot, from CLUSTER SLOTS. */
  async function slotOwners(): Promise<(slot: number) => string> {
    const cluster = new Cluster([...NODES]);
    try {
      const ranges = await cluster.cluster('SLOTS');
      return (slot) => {
        const master = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2];
        if (!master) throw new Error(`slot ${slot} has no master`);
        return `${master[0]}:${master[1]}`;
      };
    } finally {
      await cluster.quit();
    }
  }

  it('puts the delayed jobs of 8 shards on at least two masters, each in its hashed shard, and cancel finds them', async () => {
    const made = await sharded(8);
    const ids = Array.from({ length: 64 }, () => randomUUID());
    const runAt = new Date(Date.now() + 60_000);
    await made.schedule(ids.map((actionId) => ({ actionId, runAt })));

    // Count the delayed jobs where Redis holds them: per master, the keys of each shard's delayed set.
    const owner = await slotOwners();
    const perMaster = new Map<string, number>();
    const queues = made.dashboardQueues();
    for (const [shard, queue] of queues.entries()) {
      const delayed = await queue.getDelayed();
      // Every job sits in the queue its id hashes to.
      for (const job of delayed) expect(shardOf(job.id ?? '', 8)).toBe(shard);
      const key = `${made.prefixOf(shard)}:campaign-actions:delayed`;
      const cluster = new Cluster([...NODES]);
      const slot = Number(await cluster.cluster('KEYSLOT', key));
      const count = await cluster.zcard(key);
      await cluster.quit();
      expect(count).toBe(delayed.length);
      const master = owner(slot);
      perMaster.set(master, (perMaster.get(master) ?? 0) + count);
    }
    expect([...perMaster.values()].reduce((a, b) => a + b, 0)).toBe(64);
    expect([...perMaster.values()].filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);

    // Cancel finds each job's shard from its id alone.
    await made.cancel(ids);
    const left = await Promise.all(queues.map((q) => q.getDelayedCount()));
    expect(left.reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('rescheduling moves a job within its shard instead of doubling it', async () => {
    const made = await sharded(4);
    const actionId = randomUUID();
    await made.schedule([{ actionId, runAt: new Date(Date.now() + 60_000) }]);
    await made.schedule([{ actionId, runAt: new Date(Date.now() + 120_000) }]);
    const counts = await Promise.all(made.dashboardQueues().map((q) => q.getDelayedCount()));
    expect(counts).toEqual([0, 1, 2, 3].map((shard) => (shard === shardOf(actionId, 4) ? 1 : 0)));
  });

  it('refuses a prefix without a hash tag on a cluster, which would spread a queue over slots', () => {
    expect(() => new BullmqScheduler({ connection: CONNECTION, prefix: 'campaign', shards: 2 })).toThrow(
      /hash tag/,
    );
  });

  it('refuses a host-run Worker with more than one shard', async () => {
    const made = await sharded(2);
    expect(() => made.workerOptions()).toThrow(/shards > 1/);
  });
});
