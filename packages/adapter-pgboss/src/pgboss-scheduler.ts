import type { JobHandler, ScheduledJob, Scheduler, TransactionHandle } from '@campaign/core';
import { kyselyTransactionOf } from '@campaign/db';
import type { PGlite } from '@electric-sql/pglite';
import { fromKysely, fromPglite, PgBoss } from 'pg-boss';

export interface PgBossSchedulerConfig {
  /** Postgres connection string, or the PGlite instance the store uses (pg-boss's PGlite backend). */
  database: { url: string; max?: number } | { pglite: PGlite };
  /** Queue name. Default `campaign-actions`. */
  queueName?: string;
  /** Postgres schema of pg-boss's tables. Default `pgboss`. */
  schema?: string;
  /** How often workers look for jobs that became due, in seconds. Default 0.5. */
  pollingIntervalSeconds?: number;
  /** Jobs fetched and handled at once by this process. Default 8. */
  concurrency?: number;
  /** Retries of a job whose handler throws. Default 10, exponential from `retryDelaySeconds`. */
  retryLimit?: number;
  /** First retry delay in seconds. Default 1. */
  retryDelaySeconds?: number;
  /** An active job not completed in this many seconds (a crashed worker) is retried. Default 60. */
  expireInSeconds?: number;
}

interface JobData {
  actionId: string;
  /** ISO instant; pg-boss fetches by creation order, so a batch is re-sorted by due time. */
  runAt: string;
}

/**
 * The Scheduler port on pg-boss: one job per scheduled action, the action id as job id, `startAfter` =
 * runAt. Given the store's transaction handle, it enqueues in that transaction (`fromKysely`), so the
 * action row and its job commit or roll back together. Scheduling an id again moves its job (upsert);
 * a job already finished is deleted and sent again.
 */
export class PgBossScheduler implements Scheduler {
  readonly enqueuesInTransaction = true;
  private readonly boss: PgBoss;
  private readonly queueName: string;
  private readonly config: PgBossSchedulerConfig;
  private started: Promise<void> | undefined;

  constructor(config: PgBossSchedulerConfig) {
    this.config = config;
    this.queueName = config.queueName ?? 'campaign-actions';
    const schema = config.schema ?? 'pgboss';
    this.boss =
      'pglite' in config.database
        ? new PgBoss({ backend: 'pglite', db: fromPglite(config.database.pglite), schema })
        : new PgBoss({ connectionString: config.database.url, max: config.database.max ?? 5, schema });
    // Errors of pg-boss's own maintenance are retried by it; a listener keeps them from crashing the process.
    this.boss.on('error', () => {});
  }

  /** Installs or migrates pg-boss's schema and creates the queue. Idempotent; `schedule` and `start` call it. */
  async ready(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      if (!(await this.boss.getQueue(this.queueName))) {
        await this.boss.createQueue(this.queueName, {
          retryLimit: this.config.retryLimit ?? 10,
          retryDelay: this.config.retryDelaySeconds ?? 1,
          retryBackoff: true,
          expireInSeconds: this.config.expireInSeconds ?? 60,
        });
      }
    })();
    await this.started;
  }

  async schedule(
    jobs: readonly ScheduledJob[],
    options: { transaction?: TransactionHandle } = {},
  ): Promise<void> {
    await this.ready();
    const db = options.transaction ? fromKysely(kyselyTransactionOf(options.transaction)) : undefined;
    for (const job of jobs) {
      const sendOptions = { id: job.actionId, startAfter: job.runAt, ...(db ? { db } : {}) };
      const { jobs: touched } = await this.boss.upsert(
        this.queueName,
        { actionId: job.actionId, runAt: job.runAt.toISOString() },
        sendOptions,
      );
      if (touched.length === 0) {
        // The id belongs to a job that already ran (a delivery the campaign deferred while paused): replace it.
        await this.boss.deleteJob(this.queueName, job.actionId, db ? { db } : {});
        await this.boss.send(
          this.queueName,
          { actionId: job.actionId, runAt: job.runAt.toISOString() },
          sendOptions,
        );
      }
    }
  }

  async cancel(actionIds: readonly string[]): Promise<void> {
    if (actionIds.length === 0) return;
    await this.ready();
    await this.boss.cancel(this.queueName, [...actionIds]);
  }

  async start(handler: JobHandler): Promise<void> {
    await this.ready();
    await this.boss.work<JobData>(
      this.queueName,
      {
        batchSize: this.config.concurrency ?? 8,
        pollingIntervalSeconds: this.config.pollingIntervalSeconds ?? 0.5,
      },
      async (jobs) => {
        // A throw fails the whole batch: each job is retried, and the service's claim makes that safe.
        const due = [...jobs].sort((a, b) => Date.parse(a.data.runAt) - Date.parse(b.data.runAt));
        await Promise.all(due.map((job) => handler(job.data.actionId)));
      },
    );
  }

  async ping(): Promise<void> {
    await this.ready();
    await this.boss.getDb().executeSql('select 1');
  }

  async close(): Promise<void> {
    if (!this.started) return;
    // graceful: waits for the handlers in flight; close: ends pg-boss's own pool (not a PGlite it was given).
    await this.boss.stop({ graceful: true, close: true, timeout: 30_000 });
    this.started = undefined;
  }
}
