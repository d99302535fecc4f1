#!/usr/bin/env node
import { databaseConfigFromEnv, openDatabase } from './connect.ts';
import { migrateToLatest } from './migrate.ts';

// `pnpm db:migrate`: applies pending migrations to DATABASE_URL (or the embedded PGlite database).
const handle = await openDatabase(databaseConfigFromEnv());
try {
  const { results } = await migrateToLatest(handle.db);
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await handle.close();
}
