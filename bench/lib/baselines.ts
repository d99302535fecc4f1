import { randomUUID } from 'node:crypto';
import { PgBoss, Queue, Worker } from './libs.ts';

/* The raw-queue baselines of `pnpm bench`: what a hand-rolled setup on the same servers reaches. */

export interface QueueBaseline {
  /** Jobs added per second (BullMQ: addBulk of delayed jobs; pg-boss: send, `concurrency` callers). */
  addedPerSecond: number;
  /** No-op jobs processed per second at the workers' concurrency, once all are due. */
  processedPerSecond: number;
}

/** Raw BullMQ: `jobs` delayed jobs by addBulk (chunks of 1000), then a Worker at `concurrency` drains them. */
export async function rawBullmq(redisUrl: string, jobs: number, concurrency: number): Promise<QueueBaseline> {
  const u = new URL(redisUrl);
  const connection = { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
  const name = `bench-raw-${randomUUID().slice(0, 8)}`;
  const queue = new Queue(name, { connection, prefix: '{bench}' });
  const delay = 2000;
  const addStart = performance.now();
  for (let i = 0; i < jobs; i += 1000) {
    const chunk = Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => ({
      name: 'a',
      data: { actionId: randomUUID() },
      opts: { jobId: `j${i + j}`, delay, removeOnComplete: true },
    }));
    await queue.addBulk(chunk);
  }
  const addedPerSecond = jobs / ((performance.now() - addStart) / 1000);
  // Every job is due once the last one's delay has passed; start the clock then.
  await new Promise((resolve) => setTimeout(resolve, delay + 100));
  let processed = 0;
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const start = performance.now();
  const worker = new Worker(
    name,
    async () => {
      processed += 1;
      if (processed === jobs) allDone();
    },
    { connection, prefix: '{bench}', concurrency },
  );
  await done;
  const processedPerSecond = jobs / ((performance.now() - start) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return { addedPerSecond, processedPerSecond };
}

/** Raw pg-boss: `jobs` jobs sent by `concurrency` callers, then `concurrency` fetch/complete loops drain them. */
export async function rawPgboss(
  databaseUrl: string,
  jobs: number,
  concurrency: number,
): Promise<QueueBaseline> {
  const boss = new PgBoss({ connectionString: databaseUrl, max: concurrency + 2 });
  boss.on('error', () => {});
  await boss.start();
  const name = `bench-raw-${randomUUID().slice(0, 8)}`;
  await boss.createQueue(name);
  let next = 0;
  const addStart = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs) {
        next += 1;
        await boss.send(name, { actionId: randomUUID() });
      }
    }),
  );
  const addedPerSecond = jobs / ((performance.now() - addStart) / 1000);
  // `concurrency` loops of fetch + complete: pg-boss's work() waits a polling interval between batches,
  // which would measure the interval, not the queue.
  let processed = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (processed < jobs) {
        const batch = await boss.fetch(name, { batchSize: 1 });
        if (batch.length === 0) continue;
        await boss.complete(
          name,
          batch.map((job) => job.id),
        );
        processed += batch.length;
      }
    }),
  );
  const processedPerSecond = jobs / ((performance.now() - start) / 1000);
  await boss.stop({ graceful: false });
  return { addedPerSecond, processedPerSecond };
}
