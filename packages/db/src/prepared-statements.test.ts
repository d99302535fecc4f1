import { describe, expect, it } from 'vitest';
import { databaseConfigFromEnv } from './connect.ts';
import { isStalePlanError } from './prepared-statements.ts';

describe('isStalePlanError', () => {
  it('knows the error by its code and routine, whatever language the server answers in', () => {
    const stale = { code: '0A000', routine: 'RevalidateCachedQuery' };
    expect(isStalePlanError({ ...stale, message: 'cached plan must not change result type' })).toBe(true);
    expect(
      isStalePlanError({ ...stale, message: 'le plan en cache ne doit pas modifier le type en résultat' }),
    ).toBe(true);
    // Another feature_not_supported error is not retried.
    expect(isStalePlanError({ code: '0A000', routine: 'transformSelectStmt' })).toBe(false);
    expect(isStalePlanError(undefined)).toBe(false);
  });
});

describe('databaseConfigFromEnv: DATABASE_PREPARED_STATEMENTS', () => {
  it('reads it as the processes do: on unless 0/false, anything else refused', () => {
    expect(databaseConfigFromEnv({}).preparedStatements).toBe(true);
    expect(databaseConfigFromEnv({ DATABASE_PREPARED_STATEMENTS: '' }).preparedStatements).toBe(true);
    expect(databaseConfigFromEnv({ DATABASE_PREPARED_STATEMENTS: 'true' }).preparedStatements).toBe(true);
    expect(databaseConfigFromEnv({ DATABASE_PREPARED_STATEMENTS: '0' }).preparedStatements).toBe(false);
    expect(databaseConfigFromEnv({ DATABASE_PREPARED_STATEMENTS: 'false' }).preparedStatements).toBe(false);
    expect(() => databaseConfigFromEnv({ DATABASE_PREPARED_STATEMENTS: 'off' })).toThrow(
      /DATABASE_PREPARED_STATEMENTS/,
    );
  });
});
