import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from './migrate.ts';
import { migrations } from './migrations/index.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

describe.each(['postgres', 'pglite'] as const)('contacts with a phone (0006) on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  }, 30_000);
  afterAll(async () => database?.dispose());

  const insert = (id: string, email: string | null, phone: string | null) =>
    database.db
      .insertInto('contacts')
      .values({
        id,
        email,
        phone,
        attributes: '{}',
        suppressed_at: null,
        suppression_reason: null,
        name: null,
        timezone: null,
      })
      .execute();

  it('stores a contact with only a phone, and finds it by phone', async () => {
    await insert('phone-only', null, '+4915112345678');
    const row = await database.db
      .selectFrom('contacts')
      .select(['id', 'email'])
      .where('phone', '=', '+4915112345678')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ id: 'phone-only', email: null });
  });

  it('refuses a contact with neither an email nor a phone', async () => {
    await expect(insert('nobody', null, null)).rejects.toThrow(/contacts_email_or_phone/);
  });

  it('refuses a phone that is not E.164', async () => {
    for (const phone of ['015112345678', '+49 151 12345678', '+0151123456', '+1234567890123456']) {
      await expect(insert(`bad-${phone}`, 'a@example.com', phone), phone).rejects.toThrow(
        /contacts_phone_e164/,
      );
    }
  });

  it('keeps the email lookup working (lower(email) index) with null emails present', async () => {
    await insert('by-mail', 'Mixed@Example.com', null);
    const { rows } = await sql<{
      id: string;
    }>`select id from contacts where lower(email) = 'mixed@example.com'`.execute(database.db);
    expect(rows.map((r) => r.id)).toEqual(['by-mail']);
  });
});

describe.each(['postgres', 'pglite'] as const)('migration 0006 down and up on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  }, 30_000);
  afterAll(async () => database?.dispose());

  it('goes back to 0005 keeping email contacts, and forward again', async () => {
    await database.db
      .insertInto('contacts')
      .values({
        id: 'kept',
        email: 'kept@example.com',
        attributes: '{}',
        suppressed_at: null,
        suppression_reason: null,
        name: null,
        timezone: null,
      })
      .execute();
    const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
    const down = await migrator.migrateTo('0005-idempotency-request-hash');
    expect(down.error).toBeUndefined();
    const { rows: columns } = await sql<{ column_name: string }>`
      select column_name from information_schema.columns where table_name = 'contacts' and column_name in ('phone', 'id_given')`.execute(
      database.db,
    );
    expect(columns).toEqual([]);
    const { rows: tables } = await sql<{ n: string }>`
      select count(*)::text as n from information_schema.tables where table_name = 'split_assignments'`.execute(
      database.db,
    );
    expect(tables).toEqual([{ n: '0' }]);
    await migrateToLatest(database.db);
    const kept = await database.db
      .selectFrom('contacts')
      .select(['email', 'phone'])
      .where('id', '=', 'kept')
      .executeTakeFirstOrThrow();
    expect(kept).toEqual({ email: 'kept@example.com', phone: null });
  });
});
