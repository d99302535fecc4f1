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

describe('PgBossScheduler on postgres: a backlog keeps its order', () => {
  it('due jobs run by their runAt, not by when they were (re)created', async () => {
    await withScheduler(async (scheduler) => {
      const now = Date.now();
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      // Created latest first (as a deferred job is re-created), due earliest first, seconds apart.
      for (const [i, actionId] of [...ids.entries()].reverse())
        await scheduler.schedule([{ actionId, runAt: new Date(now - (3 - i) * 2000) }]);
      const ran: string[] = [];
      await scheduler.start(async (id) => {
        ran.push(id);
      });
      for (let i = 0; i < 100 && ran.length < 3; i++) await sleep(50);
      expect(ran).toEqual(ids);
    });
  }, 30_000);

  it('an urgent job (a throttled send back for its slot) runs ahead of a backlog that was due before it', async () => {
    await withScheduler(async (scheduler) => {
      const now = Date.now();
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const actionId of ids) await scheduler.schedule([{ actionId, runAt: new Date(now - 5000) }]);
      const urgent = randomUUID();
      await scheduler.schedule([{ actionId: urgent, runAt: new Date(now), urgent: true }]);
      const ran: string[] = [];
      await scheduler.start(async (id) => {
        ran.push(id);
      });
      for (let i = 0; i < 100 && ran.length < 4; i++) await sleep(50);
      expect(ran).toEqual([urgent, ...ids]);
    });
  }, 30_000);
});

describe('PgBossScheduler on postgres: a crashed worker', () => {
  it('a job its dead worker left active is delivered again within its expiry and half of it again', async () => {
    const database = await createTestDatabase('postgres');
    const config: PgBossSchedulerConfig = {
      database: { url: database.url ?? '' },
      queueName: `expiry-${randomUUID()}`,
      pollingIntervalSeconds: 0.5,
      retryDelaySeconds: 1,
      expireInSeconds: 2,
    };
    const scheduler = new PgBossScheduler(config);
    // The dead worker: it fetched the job (now active) and never settled it; its process is gone.
    const dead = new PgBoss({ connectionString: database.url ?? '', supervise: false, schema: 'pgboss' });
    try {
      const actionId = randomUUID();
      await scheduler.schedule([{ actionId, runAt: new Date(Date.now() - 1000) }]);
      await dead.start();
      const [taken] = await dead.fetch(config.queueName ?? '');
      expect(taken?.id).toBe(actionId);
      await dead.stop({ graceful: false, close: true });
      const fetchedAt = Date.now();
      let deliveredAt: number | undefined;
      await scheduler.start(async (id) => {
        if (id === actionId) deliveredAt ??= Date.now();
      });
      // Expiry 2 s, supervised every 1 s, first retry 1 s later, a poll of 0.5 s: 4.5 s, with 3 s to spare.
      // pg-boss's default supervision (every 60 s) took up to a minute after the expiry.
      for (const end = fetchedAt + 7500; deliveredAt === undefined && Date.now() < end; ) await sleep(100);
      expect(deliveredAt, 'never delivered again').toBeDefined();
      expect((deliveredAt ?? 0) - fetchedAt).toBeGreaterThanOrEqual(2000); // not before it expired
    } finally {
      await scheduler.close();
      await database.dispose();
    }
  }, 30_000);
});
