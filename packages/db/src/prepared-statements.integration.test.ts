import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { KyselyCampaignStore, kyselyTransactionOf } from './kysely-campaign-store.ts';
import { prepareStatements } from './prepared-statements.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * Named prepared statements on Postgres (`DatabaseConfig.preparedStatements`, on by default): read back
 * from the server's own view of the session (`pg_prepared_statements`), on a pool of one connection so
 * every statement runs on the session that is read.
 */

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.dispose();
  database = undefined;
});

async function open(options: { preparedStatements?: boolean } = {}) {
  database = await createTestDatabase('postgres', { poolSize: 1, ...options });
  await sql`create table prepared_probe (id int primary key, label text)`.execute(database.db);
  await sql`insert into prepared_probe values (1, 'one'), (2, 'two')`.execute(database.db);
  return database.db;
}

/** The session's prepared statements on prepared_probe, with how often each ran on a generic or custom plan. */
async function probeStatements(db: TestDatabase['db']) {
  const { rows } = await sql<{ name: string; statement: string; runs: number }>`
    select name, statement, (generic_plans + custom_plans)::int as runs from pg_prepared_statements
    where statement like '%prepared_probe%' order by name`.execute(db);
  return rows;
}

const byId = (db: TestDatabase['db'], id: number) =>
  db
    .selectFrom('prepared_probe' as never)
    .selectAll()
    .where('id' as never, '=', id as never)
    .execute() as Promise<Record<string, unknown>[]>;

describe('prepared statements', () => {
  it('names a parameterized statement the second time it runs and runs it by name after', async () => {
    const db = await open();
    expect(await byId(db, 1)).toHaveLength(1);
    expect(await probeStatements(db)).toEqual([]);
    for (const id of [2, 1, 2, 1, 2, 1, 2]) expect(await byId(db, id)).toHaveLength(1);
    const statements = await probeStatements(db);
    expect(statements).toHaveLength(1);
    expect(statements[0]?.name).toMatch(/^campaign_\d+$/);
    expect(statements[0]?.runs).toBe(7);
  });

  it('runs the statements whose plan depends on the values unnamed: by sender, by a range of instants', async () => {
    const db = await open();
    await sql`create table prepared_probe_line (id int, sender_id text, run_at timestamptz)`.execute(db);
    for (let run = 0; run < 3; run += 1) {
      await sql`select id from prepared_probe_line where "sender_id" = ${'sender-1'}`.execute(db);
      await sql`select id from prepared_probe_line where "run_at" <= ${new Date()}`.execute(db);
      expect(await byId(db, 1)).toHaveLength(1);
    }
    const statements = await probeStatements(db);
    expect(statements.map((s) => s.statement)).toHaveLength(1);
    expect(statements[0]?.statement).not.toContain('prepared_probe_line');
  });

  it('prepares nothing when turned off', async () => {
    const db = await open({ preparedStatements: false });
    for (const id of [1, 2, 1]) expect(await byId(db, id)).toHaveLength(1);
    expect(await probeStatements(db)).toEqual([]);
  });

  it('names at most `limit` statements a connection and runs the others unnamed', async () => {
    await open();
    const client = new pg.Client({ connectionString: database?.url });
    await client.connect();
    try {
      prepareStatements(client, 2);
      for (const column of ['id', 'label', 'id + 1', 'id', 'label', 'id + 1', 'id', 'label', 'id + 1'])
        expect(
          (await client.query(`select ${column} from prepared_probe where id = $1`, [1])).rows,
        ).toHaveLength(1);
      const { rows } = await client.query(
        "select statement from pg_prepared_statements where statement like '%prepared_probe%' order by name",
      );
      expect(rows.map((r) => r.statement)).toEqual([
        'select id from prepared_probe where id = $1',
        'select label from prepared_probe where id = $1',
      ]);
    } finally {
      await client.end();
    }
  });

  it('runs a statement again when the schema changed under its plan, outside a transaction', async () => {
    const db = await open();
    // Twice: named on the second run.
    expect(await byId(db, 1)).toEqual([{ id: 1, label: 'one' }]);
    expect(await byId(db, 2)).toEqual([{ id: 2, label: 'two' }]);
    expect(await probeStatements(db)).toHaveLength(1);
    await sql`alter table prepared_probe add column extra int default 7`.execute(db);
    expect(await byId(db, 1)).toEqual([{ id: 1, label: 'one', extra: 7 }]);
    expect(await byId(db, 2)).toEqual([{ id: 2, label: 'two', extra: 7 }]);
  });

  it('runs a store transaction again when the schema changed under one of its plans', async () => {
    const db = await open();
    const store = new KyselyCampaignStore(db);
    let attempts = 0;
    const read = () =>
      store.transaction(async (tx) => {
        attempts += 1;
        return byId(kyselyTransactionOf(tx.handle) as unknown as TestDatabase['db'], 1);
      });
    expect(await read()).toEqual([{ id: 1, label: 'one' }]);
    expect(await read()).toEqual([{ id: 1, label: 'one' }]);
    expect(await probeStatements(db)).toHaveLength(1);
    await sql`alter table prepared_probe add column extra int default 7`.execute(db);
    attempts = 0;
    expect(await read()).toEqual([{ id: 1, label: 'one', extra: 7 }]);
    expect(attempts).toBe(2);
  });
});
