import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { prepareStatements } from './prepared-statements.ts';
import type { Database } from './schema.ts';

export interface DatabaseConfig {
  /** Postgres connection string. Absent: embedded PGlite. */
  url?: string | undefined;
  /** PGlite data directory when there is no url. Default `./.data/pglite`; `memory://` keeps nothing. */
  dataDir?: string | undefined;
  /** Postgres pool size. Default 10. */
  poolSize?: number | undefined;
  /**
   * Postgres: run parameterized statements as named prepared statements (`prepareStatements`). Default
   * true; turn it off behind a pooler that does not keep them per client (PgBouncer in transaction mode
   * before 1.21).
   */
  preparedStatements?: boolean | undefined;
  /**
   * Called when a connection dies outside a query (server restart, terminated backend). The query that
   * next uses it fails and its transaction rolls back; without a listener Node would crash the process.
   */
  onConnectionError?: ((error: Error) => void) | undefined;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
  /** The PGlite instance when embedded (pg-boss's PGlite backend shares it). */
  pglite: PGlite | undefined;
  /** Resolves when the database answers a trivial query (readiness); rejects with the driver's error. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Resolves when `db` answers `select 1`; rejects with the driver's error otherwise (refused, closed,
 * authentication). It sets no time limit: a caller that must answer in time (a readiness probe) races it.
 */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Opens the database: Postgres through `url`, else embedded PGlite with its data under `dataDir`. */
export async function openDatabase(config: DatabaseConfig = {}): Promise<DatabaseHandle> {
  if (config.url) {
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize ?? 10 });
    const onError = config.onConnectionError ?? (() => {});
    pool.on('error', onError);
    pool.on('connect', (client) => client.on('error', onError));
    if (config.preparedStatements !== false) pool.on('connect', (client) => prepareStatements(client));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      kind: 'postgres',
      pglite: undefined,
      ping: () => pingDatabase(db),
      close: () => db.destroy(),
    };
  }
  const dataDir = config.dataDir ?? './.data/pglite';
  if (!dataDir.startsWith('memory://')) mkdirSync(resolve(dataDir), { recursive: true });
  const pglite = await PGlite.create(dataDir);
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: 'pglite',
    pglite,
    ping: () => pingDatabase(db),
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

/** The configuration the environment asks for: `DATABASE_URL`, else PGlite under `PGLITE_DIR` or `./.data/pglite`. */
export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  return {
    url: env.DATABASE_URL || undefined,
    dataDir: env.PGLITE_DIR || undefined,
    preparedStatements: preparedStatementsFromEnv(env.DATABASE_PREPARED_STATEMENTS),
  };
}

/** `DATABASE_PREPARED_STATEMENTS` as the processes read it: empty or unset is on; 0/false off, 1/true on. */
function preparedStatementsFromEnv(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new Error(
    `DATABASE_PREPARED_STATEMENTS must be one of 0, 1, true, false; got ${JSON.stringify(value)}`,
  );
}
