import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
