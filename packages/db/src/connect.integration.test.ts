import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, pingDatabase } from './connect.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/* The readiness ping the API's /health/ready asks of the database (it used to run its own SQL). */

describe.each(['postgres', 'pglite'] as const)('database ping on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  }, 60_000);
  afterAll(async () => {
    await database?.dispose();
  });

  it('resolves while the database answers and rejects once it is closed', { timeout: 30_000 }, async () => {
    await expect(database.ping()).resolves.toBeUndefined();
    await expect(pingDatabase(database.db)).resolves.toBeUndefined();
    await database.close();
    await expect(database.ping()).rejects.toThrow();
  });
});

describe('database ping on a Postgres nobody listens on', () => {
  it('rejects with the driver error (connection refused) rather than hanging', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const handle = await openDatabase({ url: `postgres://postgres@127.0.0.1:${port}/test` });
    try {
      await expect(handle.ping()).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await handle.close();
    }
  });
});
