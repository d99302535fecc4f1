import { randomUUID } from 'node:crypto';
import { schedulerContractSuite } from '@campaign/core/testing';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
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

/** Starts the scheduler's worker (concurrency 1) and answers the action ids in the order they ran. */
async function runOrder(scheduler: BullmqScheduler, count: number): Promise<string[]> {
  const ran: string[] = [];
  await scheduler.start(async (id) => {
    ran.push(id);
  });
  for (let i = 0; i < 100 && ran.length < count; i++) await sleep(50);
  return ran;
}

async function dispose(scheduler: BullmqScheduler, queueName: string): Promise<void> {
  await scheduler.close();
  const queue = new Queue(queueName, { connection: { url: REDIS_URL }, prefix: '{campaign-test}' });
  await queue.obliterate({ force: true });
  await queue.close();
}

/** Runs `test` with a scheduler of one worker slot on a queue of its own, then removes the queue. */
async function withScheduler(
  test: (scheduler: BullmqScheduler) => Promise<void>,
  now?: () => number,
): Promise<void> {
  const queueName = `order-${randomUUID()}`;
  const scheduler = new BullmqScheduler({
    connection: REDIS_URL,
    queueName,
    prefix: '{campaign-test}',
    concurrency: 1,
    ...(now ? { now } : {}),
  });
  try {
    await test(scheduler);
  } finally {
    await dispose(scheduler, queueName);
  }
}

describe('BullmqScheduler on Redis: a backlog keeps its order', () => {
  it('jobs due at one instant run in the order they were queued, whatever each add took', async () => {
    // Each schedule call reads the scheduler's clock; BullMQ reads its own when it adds the job. Here the
    // scheduler's clock lags by 30, then 20, then 10 ms, as a loaded process's reads may.
    const lags = [30, 20, 10];
    let call = 0;
    await withScheduler(
      async (scheduler) => {
        const runAt = new Date(Date.now() + 1500);
        const ids = ['a', 'b', 'c'].map((x) => `${x}-${randomUUID()}`);
        for (const actionId of ids) {
          await scheduler.schedule([{ actionId, runAt }]);
          call += 1;
        }
        expect(await runOrder(scheduler, ids.length)).toEqual(ids);
      },
      () => Date.now() - (lags[Math.min(call, lags.length - 1)] as number),
    );
  });

  it('a job already waiting for a worker, scheduled again to run now (the reconcile pass), keeps its place', async () => {
    await withScheduler(async (scheduler) => {
      const now = new Date();
      const ids = ['a', 'b', 'c'].map((x) => `${x}-${randomUUID()}`);
      await scheduler.schedule(ids.map((actionId) => ({ actionId, runAt: now })));
      // The reconcile pass finds all three overdue (no worker yet) and queues them again, first one last.
      await scheduler.schedule([...ids].reverse().map((actionId) => ({ actionId, runAt: new Date() })));
      expect(await runOrder(scheduler, ids.length)).toEqual(ids);
    });
  });

  it('an urgent job (a throttled send back for its slot) runs ahead of a backlog that was due before it', async () => {
    await withScheduler(async (scheduler) => {
      const ids = ['a', 'b', 'c'].map((x) => `${x}-${randomUUID()}`);
      await scheduler.schedule(ids.map((actionId) => ({ actionId, runAt: new Date() })));
      const urgent = `urgent-${randomUUID()}`;
      await scheduler.schedule([{ actionId: urgent, runAt: new Date(Date.now() + 200), urgent: true }]);
      await sleep(500);
      expect(await runOrder(scheduler, 4)).toEqual([urgent, ...ids]);
    });
  });

  it('a job its own handler schedules again as urgent comes back ahead of the jobs waiting meanwhile', async () => {
    await withScheduler(async (scheduler) => {
      const ids = ['a', 'b', 'c'].map((x) => `${x}-${randomUUID()}`);
      const [first] = ids as [string];
      await scheduler.schedule(ids.map((actionId) => ({ actionId, runAt: new Date() })));
      const ran: string[] = [];
      await scheduler.start(async (id) => {
        ran.push(id);
        if (id === first && ran.length === 1) {
          await scheduler.schedule([{ actionId: id, runAt: new Date(Date.now() + 100), urgent: true }]);
          // Still handling it when it falls due again: it goes back to delayed when this returns.
          await sleep(300);
        }
      });
      for (let i = 0; i < 100 && ran.length < 4; i++) await sleep(50);
      expect(ran).toEqual([first, ...ids]);
    });
  });
});
