export { PgBossScheduler, type PgBossSchedulerConfig } from './pgboss-scheduler.ts';
