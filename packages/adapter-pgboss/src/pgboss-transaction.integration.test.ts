import { randomUUID } from 'node:crypto';
import { KyselyCampaignStore, kyselyTransactionOf } from '@campaign/db';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgBossScheduler } from './pgboss-scheduler.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// DESIGN section 6: with pg-boss the job is enqueued in the same transaction as the action row.
describe.each(['postgres', 'pglite'] as const)('pg-boss enqueues in the store transaction on %s', (kind) => {
  let database: TestDatabase;
  let scheduler: PgBossScheduler;
  let store: KyselyCampaignStore;
  const delivered: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
    scheduler = new PgBossScheduler({
      database:
        kind === 'postgres'
          ? { url: database.url ?? '' }
          : { pglite: database.pglite as NonNullable<TestDatabase['pglite']> },
      pollingIntervalSeconds: 0.5,
      transactionOf: kyselyTransactionOf,
    });
    await scheduler.start(async (id) => {
      delivered.push(id);
    });
  }, 60_000);
  afterAll(async () => {
    await scheduler?.close();
    await database?.dispose();
  });

  it('a committed transaction delivers its job; a rolled-back one leaves none', {
    timeout: 30_000,
  }, async () => {
    expect(scheduler.enqueuesInTransaction).toBe(true);
    const committed = randomUUID();
    const rolledBack = randomUUID();
    await store.transaction(async (tx) => {
      await scheduler.schedule([{ actionId: committed, runAt: new Date() }], { transaction: tx.handle });
    });
    await expect(
      store.transaction(async (tx) => {
        await scheduler.schedule([{ actionId: rolledBack, runAt: new Date() }], { transaction: tx.handle });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    // Drained: the committed job has run to completion and no job of the queue can still run; the
    // rolled-back one was never inserted, so it cannot be delivered later either.
    const jobs = async () =>
      (
        await sql<{ id: string; state: string }>`
          SELECT id::text AS id, state::text AS state FROM pgboss.job
          WHERE name = 'campaign-actions' AND id::text = ANY(${[committed, rolledBack]})`.execute(database.db)
      ).rows;
    for (let waited = 0; waited < 10_000; waited += 100) {
      const rows = await jobs();
      if (rows.every((r) => !['created', 'retry', 'active'].includes(r.state)) && rows.length > 0) break;
      await sleep(100);
    }
    expect(await jobs()).toEqual([{ id: committed, state: 'completed' }]);
    expect(delivered).toEqual([committed]);
  });
});

describe('pg-boss without transactionOf', () => {
  it('does not claim to enqueue in the store transaction (core then schedules after the commit)', () => {
    // The adapter knows no store: without the store's handle reader it cannot join its transaction.
    const scheduler = new PgBossScheduler({ database: { url: 'postgres://unused.invalid/none' } });
    expect(scheduler.enqueuesInTransaction).toBe(false);
  });
});
