import { createRequire } from 'node:module';

/*
 * BullMQ, pg-boss and kysely as the adapters and the database package resolve them (the bench package
 * does not depend on them: no lockfile change for a bench); the very versions the engine runs.
 */
type BullMQ = typeof import('../../packages/adapter-bullmq/node_modules/bullmq/dist/esm/index.js');
type PgBossModule = typeof import('../../packages/adapter-pgboss/node_modules/pg-boss/dist/index.js');
type KyselyModule = typeof import('../../packages/db/node_modules/kysely/dist/index.js');

const from = (pkg: string) => createRequire(new URL(`../../packages/${pkg}/package.json`, import.meta.url));

export const { Queue, Worker } = from('adapter-bullmq')('bullmq') as BullMQ;
export const { PgBoss } = (await import(from('adapter-pgboss').resolve('pg-boss'))) as PgBossModule;
export const { sql } = (await import(from('db').resolve('kysely'))) as KyselyModule;
