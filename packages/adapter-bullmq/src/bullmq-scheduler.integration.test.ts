import { randomUUID } from 'node:crypto';
import { schedulerContractSuite } from '@campaign/core/testing';
import { Queue } from 'bullmq';
import { BullmqScheduler } from './bullmq-scheduler.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The Scheduler contract against the real Redis, one queue per test.
schedulerContractSuite(
  'BullMQ on Redis',
  async () => {
    const queueName = `contract-${randomUUID()}`;
    const config = {
      connection: REDIS_URL,
      queueName,
      prefix: '{campaign-test}',
      backoffMs: 200,
      stalledIntervalMs: 1000,
    };
    let current = new BullmqScheduler(config);
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
        const queue = new Queue(queueName, { connection: { url: REDIS_URL }, prefix: '{campaign-test}' });
        await queue.obliterate({ force: true });
        await queue.close();
      },
    };
  },
  { maxLatenessMs: 1000 },
);
