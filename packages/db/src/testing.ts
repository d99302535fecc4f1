import { randomBytes } from 'node:crypto';
import { CampaignPlanExecutionService, type CampaignStore, type ExecutionServiceDeps } from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import pg from 'pg';
import { type DatabaseHandle, openDatabase } from './connect.ts';
import { migrateToLatest } from './migrate.ts';
import { activeStatementCapture, StatementCapturePlugin } from './statement-capture.ts';

export {
  type AnalyticsWriteConfig,
  analyticsWritePaths,
  seedAnalyticsBench,
  seedAnalyticsWriteCampaigns,
  sequentialMessageCount,
  setAnalyticsTriggers,
} from './analytics/bench-seed.ts';

export type TestDatabaseKind = 'postgres' | 'pglite';

/** The Postgres server tests use: TEST_DATABASE_URL, else the local one (trust auth). */
export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export interface TestDatabase extends DatabaseHandle {
  /** The connection string of the database (Postgres only). */
  url: string | undefined;
  /** Closes the connections and drops the database. */
  dispose(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: a new database on the real Postgres server (dropped by
 * `dispose`), or an in-memory PGlite instance.
 */
export async function createTestDatabase(
  kind: TestDatabaseKind,
  options: { poolSize?: number; preparedStatements?: boolean } = {},
): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const handle = await openDatabase({ dataDir: 'memory://' });
    await migrateToLatest(handle.db);
    return { ...handle, url: undefined, dispose: () => handle.close() };
  }
  const server = testServerUrl();
  const name = `campaign_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(server, `create database ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const handle = await openDatabase({
    url: url.toString(),
    poolSize: options.poolSize ?? 10,
    preparedStatements: options.preparedStatements,
  });
  await migrateToLatest(handle.db);
  // The integration tier's statement-routing check sees every statement after the migrations.
  const capture = activeStatementCapture();
  return {
    ...handle,
    ...(capture ? { db: handle.db.withPlugin(new StatementCapturePlugin(capture)) } : {}),
    url: url.toString(),
    dispose: async () => {
      await handle.close();
      await adminQuery(server, `drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * The execution service over `store` as the database tests drive it by hand: a manual clock at `at`, an
 * in-memory scheduler (jobs run when the test says) and a transport that records what it sends. `options`
 * are the service's other settings (attempts, leases, unsubscribe links...).
 */
export function manualEngine(
  store: CampaignStore,
  at: Date,
  options: Omit<ExecutionServiceDeps, 'store' | 'scheduler' | 'transport' | 'clock'> = {},
) {
  const clock = new ManualClock(at);
  const scheduler = new InMemoryScheduler(clock);
  const transport = new RecordingTransport();
  const service = new CampaignPlanExecutionService({ store, scheduler, transport, clock, ...options });
  return { clock, scheduler, transport, service };
}

/**
 * A Kysely plugin that changes nothing: the base of the tests' plugins that only watch what statements
 * go out or what comes back (override one of the two methods).
 */
export class WatchingPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
