import { randomUUID } from 'node:crypto';
import { schedulerContractSuite } from '@campaign/core/testing';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
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
