import { randomUUID } from 'node:crypto';
import { schedulerContractSuite } from '@campaign/core/testing';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { PgBoss } from 'pg-boss';
import { describe, expect, it } from 'vitest';
import { PgBossScheduler, type PgBossSchedulerConfig } from './pgboss-scheduler.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The Scheduler contract against pg-boss on the real Postgres and on PGlite, one queue per test.
for (const kind of ['postgres', 'pglite'] as const) {
  schedulerContractSuite(
    `pg-boss on ${kind}`,
    async () => {
      const database: TestDatabase = await createTestDatabase(kind);
      const config: PgBossSchedulerConfig = {
        database:
          kind === 'postgres'
            ? { url: database.url ?? '' }
            : { pglite: database.pglite as NonNullable<TestDatabase['pglite']> },
        queueName: `contract-${randomUUID()}`,
        pollingIntervalSeconds: 0.5,
        retryDelaySeconds: 1,
      };
      let current = new PgBossScheduler(config);
      await current.ready();
      return {
        scheduler: current,
        now: () => new Date(),
        wait: sleep,
        restart: async () => {
          await current.close();
          current = new PgBossScheduler(config);
          return current;
        },
        dispose: async () => {
          await current.close();
          await database.dispose();
        },
      };
    },
    { maxLatenessMs: 1500 },
  );
}

/** Runs `test` with a scheduler of one worker slot on a database of its own, then drops it. */
async function withScheduler(test: (scheduler: PgBossScheduler) => Promise<void>): Promise<void> {
  const database = await createTestDatabase('postgres');
  const scheduler = new PgBossScheduler({
    database: { url: database.url ?? '' },
    queueName: `order-${randomUUID()}`,
    pollingIntervalSeconds: 0.5,
    concurrency: 1,
  });
  try {
    await test(scheduler);
  } finally {
    await scheduler.close();
    await database.dispose();
  }
}

/** Starts `scheduler` and answers the ids of the first `count` jobs it ran, in the order it ran them (5 s at most). */
async function runOrder(scheduler: PgBossScheduler, count: number): Promise<string[]> {
  const ran: string[] = [];
  await scheduler.start(async (id) => {
    ran.push(id);
  });
  for (let i = 0; i < 100 && ran.length < count; i++) await sleep(50);
  return ran;
}

describe('PgBossScheduler on postgres: a backlog keeps its order', () => {
  it('due jobs run by their runAt, not by when they were (re)created', async () => {
    await withScheduler(async (scheduler) => {
      const now = Date.now();
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      // Created latest first (as a deferred job is re-created), due earliest first, seconds apart.
      for (const [i, actionId] of [...ids.entries()].reverse())
        await scheduler.schedule([{ actionId, runAt: new Date(now - (3 - i) * 2000) }]);
      expect(await runOrder(scheduler, 3)).toEqual(ids);
    });
  }, 30_000);

  it('a waiting job asked to run now again (a reconcile pass) keeps its place, not moved behind later jobs', async () => {
    await withScheduler(async (scheduler) => {
      const now = Date.now();
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const [i, actionId] of ids.entries())
        await scheduler.schedule([{ actionId, runAt: new Date(now - (3 - i) * 2000) }]);
      // The reconcile pass re-queues an overdue action, due now: the first one, still waiting.
      await scheduler.schedule([{ actionId: ids[0] as string, runAt: new Date() }]);
      expect(await runOrder(scheduler, 3)).toEqual(ids);
    });
  }, 30_000);

  it('an urgent job (a throttled send back for its slot) runs ahead of a backlog that was due before it', async () => {
    await withScheduler(async (scheduler) => {
      const now = Date.now();
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const actionId of ids) await scheduler.schedule([{ actionId, runAt: new Date(now - 5000) }]);
      const urgent = randomUUID();
      await scheduler.schedule([{ actionId: urgent, runAt: new Date(now), urgent: true }]);
      expect(await runOrder(scheduler, 4)).toEqual([urgent, ...ids]);
    });
  }, 30_000);
});

describe('PgBossScheduler on postgres: a crashed worker, a slow handler', () => {
  it("a job its dead worker left active comes back within its heartbeat and half of it again; a live handler's job, however long it runs, does not", async () => {
    const database = await createTestDatabase('postgres');
    const config: PgBossSchedulerConfig = {
      database: { url: database.url ?? '' },
      queueName: `liveness-${randomUUID()}`,
      pollingIntervalSeconds: 0.5,
      retryDelaySeconds: 1,
      expireInSeconds: 10, // the heartbeat: pg-boss's least
    };
    const scheduler = new PgBossScheduler(config);
    // The dead worker: it fetched a job (now active) and never settled it or beat for it; its process is gone.
    const dead = new PgBoss({ connectionString: database.url ?? '', supervise: false, schema: 'pgboss' });
    try {
      const orphan = randomUUID();
      const slow = randomUUID();
      await scheduler.schedule([{ actionId: orphan, runAt: new Date(Date.now() - 1000) }]);
      await dead.start();
      const [taken] = await dead.fetch(config.queueName ?? '');
      expect(taken?.id).toBe(orphan);
      await dead.stop({ graceful: false, close: true });
      const fetchedAt = Date.now();
      const deliveries: { id: string; at: number }[] = [];
      await scheduler.start(async (id) => {
        deliveries.push({ id, at: Date.now() });
        // A send waiting in its worker for its slot, longer than the heartbeat and a supervision after it.
        if (id === slow) await sleep(17_000);
      });
      await scheduler.schedule([{ actionId: slow, runAt: new Date() }]);
      // Heartbeat 10 s, supervised every 5 s, first retry 1 s later, a poll of 0.5 s: 16.5 s, with 2 s to spare.
      // pg-boss's default supervision (every 60 s) took up to a minute more.
      const orphanBack = () => deliveries.find((d) => d.id === orphan);
      for (const end = fetchedAt + 18_500; !orphanBack() && Date.now() < end; ) await sleep(100);
      expect(orphanBack(), 'the orphaned job never came back').toBeDefined();
      expect((orphanBack()?.at ?? 0) - fetchedAt).toBeGreaterThanOrEqual(10_000); // not before its heartbeat lapsed
      // The slow handler ran past its heartbeat and a supervision: its job was beaten for, never run twice.
      for (const end = Date.now() + 4000; Date.now() < end; ) await sleep(100);
      expect(deliveries.filter((d) => d.id === slow)).toHaveLength(1);
    } finally {
      await scheduler.close();
      await database.dispose();
    }
  }, 60_000);
});
