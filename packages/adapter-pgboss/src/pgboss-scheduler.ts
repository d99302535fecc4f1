import type { JobHandler, ScheduledJob, Scheduler, TransactionHandle } from '@campaign/core';
import type { PGlite } from '@electric-sql/pglite';
import { fromKysely, fromPglite, type Job, type KyselyTransactionLike, PgBoss } from 'pg-boss';

export interface PgBossSchedulerConfig {
  /** Postgres connection string, or the PGlite instance the store uses (pg-boss's PGlite backend). */
  database: { url: string; max?: number } | { pglite: PGlite };
  /** Queue name. Default `campaign-actions`. */
  queueName?: string;
  /** Postgres schema of pg-boss's tables. Default `pgboss`. */
  schema?: string;
  /**
   * How long the consumer waits after a fetch that found fewer jobs than it had room for, in seconds (at
   * least 0.5). Default 0.5. It bounds how late a job that falls due while the queue is idle starts; a
   * backlog is fetched again at once.
   */
  pollingIntervalSeconds?: number;
  /** Jobs this process handles at once (each fetch asks for the free slots). Default 8. */
  concurrency?: number;
  /** Retries of a job whose handler throws. Default 10, exponential from `retryDelaySeconds`. */
  retryLimit?: number;
  /** First retry delay in seconds. Default 1. */
  retryDelaySeconds?: number;
  /**
   * An active job whose consumer has not been heard from for this many seconds (its worker died) is
   * retried: within half as long again (plus the first retry delay). A live consumer keeps the jobs it
   * holds alive (pg-boss heartbeats), however long they take: a throttled send may wait in its worker for
   * its slot. Default 60; at least 10 (pg-boss's least heartbeat).
   */
  expireInSeconds?: number;
  /**
   * The kysely transaction behind the store's transaction handle (for `@campaign/db`'s store:
   * `kyselyTransactionOf`). Given, the scheduler `enqueuesInTransaction`: `schedule` with a handle sends
   * its jobs in that transaction. Absent, it does not, and core schedules after the commit.
   */
  transactionOf?: (transaction: TransactionHandle) => KyselyTransactionLike;
}

interface JobData {
  actionId: string;
  /** `ScheduledJob.contactId`, handed back to the handler. */
  contactId?: string;
  /** ISO instant; pg-boss fetches by creation order, so a batch is re-sorted by due time. */
  runAt: string;
  /** `ScheduledJob.urgent`, handed back to the handler. */
  urgent?: true;
}

/**
 * The Scheduler port on pg-boss: one job per scheduled action, the action id as job id, `startAfter` =
 * runAt. Configured with `transactionOf` and given the store's transaction handle, it enqueues in that
 * transaction (`fromKysely`), so the action row and its job commit or roll back together. Scheduling an id again moves its job (upsert);
 * a job already finished is deleted and sent again.
 */
export class PgBossScheduler implements Scheduler {
  readonly enqueuesInTransaction: boolean;
  private readonly boss: PgBoss;
  private readonly queueName: string;
  private readonly config: PgBossSchedulerConfig;
  private started: Promise<void> | undefined;
  private consumer:
    | {
        stopping: AbortController;
        inFlight: Set<Promise<void>>;
        loop: Promise<void>;
        /** The jobs being handled, touched every half heartbeat so none expires while it runs. */
        held: Set<Job<JobData>>;
        beat: NodeJS.Timeout;
      }
    | undefined;
  /** `expireInSeconds`: the queue's heartbeat (crash detection). */
  private readonly heartbeatSeconds: number;

  constructor(config: PgBossSchedulerConfig) {
    this.config = config;
    this.enqueuesInTransaction = config.transactionOf !== undefined;
    this.queueName = config.queueName ?? 'campaign-actions';
    const schema = config.schema ?? 'pgboss';
    // pg-boss takes a heartbeat of 10 seconds at least.
    this.heartbeatSeconds = Math.max(
      MIN_HEARTBEAT_SECONDS,
      Math.ceil(config.expireInSeconds ?? DEFAULT_EXPIRE_SECONDS),
    );
    // pg-boss fails an active job whose heartbeat stopped (its worker died) only in its supervise pass,
    // which runs a queue at most once per monitorIntervalSeconds over all instances (default 60): a
    // crashed worker's job came back up to a minute late. The pass also counts the queue's jobs by state
    // (0.19 s at 1M rows by pg-boss's own measure), so it runs every half heartbeat, not more often.
    const superviseSeconds = supervisionSeconds(this.heartbeatSeconds);
    const supervision = {
      superviseIntervalSeconds: superviseSeconds,
      monitorIntervalSeconds: superviseSeconds,
    };
    this.boss =
      'pglite' in config.database
        ? new PgBoss({ backend: 'pglite', db: fromPglite(config.database.pglite), schema, ...supervision })
        : new PgBoss({
            connectionString: config.database.url,
            max: config.database.max ?? 5,
            schema,
            ...supervision,
          });
    // Errors of pg-boss's own maintenance are retried by it; a listener keeps them from crashing the process.
    this.boss.on('error', () => {});
  }

  /** Installs or migrates pg-boss's schema and creates the queue. Idempotent; `schedule` and `start` call it. */
  async ready(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      // A job lives as long as its consumer beats for it (`heartbeatSeconds`), up to HANDLER_LIMIT_SECONDS
      // in all (`expireInSeconds`: a bound on a job's whole run, heartbeat or not, which a throttled send
      // waiting in its worker for its slot would otherwise outlive and be run twice at once).
      const liveness = { expireInSeconds: HANDLER_LIMIT_SECONDS, heartbeatSeconds: this.heartbeatSeconds };
      const queue = await this.boss.getQueue(this.queueName);
      if (!queue) {
        await this.boss.createQueue(this.queueName, {
          retryLimit: this.config.retryLimit ?? 10,
          retryDelay: this.config.retryDelaySeconds ?? 1,
          retryBackoff: true,
          ...liveness,
        });
      } else if (
        queue.expireInSeconds !== liveness.expireInSeconds ||
        queue.heartbeatSeconds !== liveness.heartbeatSeconds
      ) {
        // A queue made before heartbeats (its jobs expired after expireInSeconds, running or not).
        await this.boss.updateQueue(this.queueName, liveness);
      }
    })();
    await this.started;
  }

  async schedule(
    jobs: readonly ScheduledJob[],
    options: { transaction?: TransactionHandle } = {},
  ): Promise<void> {
    await this.ready();
    const { transactionOf } = this.config;
    const db =
      options.transaction && transactionOf ? fromKysely(transactionOf(options.transaction)) : undefined;
    const waiting = await this.waitingDue(jobs, db);
    for (const job of jobs) {
      // Asked to run now while its job already waits, due (the reconcile pass re-queues every action
      // overdue by its grace, which in a backlog is every job still waiting): it keeps its place. An upsert
      // would write each one again on every pass of every worker and move it behind the jobs due after it.
      if (waiting.has(job.actionId)) continue;
      const sendOptions = {
        id: job.actionId,
        startAfter: job.runAt,
        priority: priorityOf(job.runAt) + (job.urgent ? URGENT_BOOST : 0),
        ...(db ? { db } : {}),
      };
      const { jobs: touched } = await this.boss.upsert(this.queueName, jobData(job), sendOptions);
      if (touched.length === 0) {
        // The id belongs to a job that already ran (a delivery the campaign deferred while paused): replace it.
        await this.boss.deleteJob(this.queueName, job.actionId, db ? { db } : {});
        await this.boss.send(this.queueName, jobData(job), sendOptions);
      }
    }
  }

  /** Of `jobs` due now and not urgent, the ids whose job is already queued and due (one statement). */
  private async waitingDue(
    jobs: readonly ScheduledJob[],
    db: ReturnType<typeof fromKysely> | undefined,
  ): Promise<Set<string>> {
    const now = Date.now();
    const ids = jobs.filter((j) => !j.urgent && j.runAt.getTime() <= now).map((j) => j.actionId);
    if (ids.length === 0) return new Set();
    const schema = this.config.schema ?? 'pgboss';
    const { rows } = await (db ?? this.boss.getDb()).executeSql(
      `select id::text as id from ${schema}.job where name = $1 and id = any($2::uuid[])
         and state in ('created', 'retry') and start_after <= now()`,
      [this.queueName, ids],
    );
    return new Set((rows as { id: string }[]).map((r) => r.id));
  }

  async cancel(actionIds: readonly string[]): Promise<void> {
    if (actionIds.length === 0) return;
    await this.ready();
    await this.boss.cancel(this.queueName, [...actionIds]);
  }

  /**
   * Delivers due jobs to `handler`, at most `concurrency` at once. The consumer fetches as many due jobs
   * as it has free slots and fetches again as soon as a slot frees while the last fetch came back full:
   * only a fetch that finds fewer jobs than it asked for (nothing more is due) waits a polling interval.
   * pg-boss's own `work()` settles a batch only when all of its handlers are done and waits a polling
   * interval after it, which drained a backlog at `concurrency` jobs per interval (issue 8 item 4). Each
   * job is completed or failed alone, fenced to the attempt it fetched, so a handler that throws retries
   * its own job under the queue's retry policy and nothing else.
   */
  async start(handler: JobHandler): Promise<void> {
    await this.ready();
    if (this.consumer) throw new Error('PgBossScheduler is already started');
    const stopping = new AbortController();
    const inFlight = new Set<Promise<void>>();
    const held = new Set<Job<JobData>>();
    // pg-boss's own workers beat for their jobs; this consumer fetches by itself, so it beats by itself.
    const beat = setInterval(
      () => {
        if (held.size > 0) void this.boss.touch(this.queueName, [...held]).catch(() => {});
      },
      Math.max(500, (this.heartbeatSeconds * 1000) / 2),
    );
    beat.unref();
    this.consumer = {
      stopping,
      inFlight,
      held,
      beat,
      loop: this.consume(handler, stopping.signal, inFlight, held),
    };
  }

  private async consume(
    handler: JobHandler,
    stopping: AbortSignal,
    inFlight: Set<Promise<void>>,
    held: Set<Job<JobData>>,
  ): Promise<void> {
    const concurrency = this.config.concurrency ?? 8;
    const pollMs = (this.config.pollingIntervalSeconds ?? 0.5) * 1000;
    while (!stopping.aborted) {
      const free = concurrency - inFlight.size;
      if (free === 0) {
        await firstOf(stopping, inFlight);
        continue;
      }
      let jobs: Job<JobData>[] = [];
      try {
        jobs = await this.boss.fetch<JobData>(this.queueName, { batchSize: free });
      } catch {
        // The database is unreachable: try again after a polling interval, as pg-boss's workers do.
      }
      // pg-boss fetches by creation order; start the batch in due order.
      jobs.sort((a, b) => Date.parse(a.data.runAt) - Date.parse(b.data.runAt));
      for (const job of jobs) {
        held.add(job);
        const running: Promise<void> = this.run(job, handler).finally(() => {
          inFlight.delete(running);
          held.delete(job);
        });
        inFlight.add(running);
      }
      // A short batch: nothing more is due now. A full one: more may be waiting, fetch again at once.
      if (jobs.length < free) await firstOf(stopping, [sleep(pollMs)]);
    }
  }

  /** Runs one job and settles it alone. Never rejects. */
  private async run(job: Job<JobData>, handler: JobHandler): Promise<void> {
    try {
      await handler(job.data.actionId, job.data.contactId, { urgent: job.data.urgent === true });
    } catch (error) {
      // Retried under the queue's policy (retryLimit, backoff); the service's claim makes that safe.
      const reason = error instanceof Error ? error : { message: String(error) };
      await this.boss.fail(this.queueName, job, reason).catch(() => {});
      return;
    }
    // A completion that does not land leaves the job active until it expires and is delivered again,
    // which the service's claim turns into a no-op.
    await this.boss.complete(this.queueName, job).catch(() => {});
  }

  async ping(): Promise<void> {
    await this.ready();
    await this.boss.getDb().executeSql('select 1');
  }

  async close(): Promise<void> {
    if (!this.started) return;
    const consumer = this.consumer;
    if (consumer) {
      consumer.stopping.abort();
      await consumer.loop;
      // Graceful: the handlers in flight finish and settle their jobs. A job still running past the bound
      // stays active until it expires (expireInSeconds) and is delivered again, which its claim makes safe.
      await Promise.race([Promise.all(consumer.inFlight), sleep(STOP_TIMEOUT_MS)]);
      clearInterval(consumer.beat);
      this.consumer = undefined;
    }
    // close: ends pg-boss's own pool (not a PGlite it was given).
    await this.boss.stop({ graceful: true, close: true, timeout: STOP_TIMEOUT_MS });
    this.started = undefined;
  }
}

const STOP_TIMEOUT_MS = 30_000;

const jobData = (job: ScheduledJob): JobData => ({
  actionId: job.actionId,
  ...(job.contactId !== undefined ? { contactId: job.contactId } : {}),
  runAt: job.runAt.toISOString(),
  ...(job.urgent ? { urgent: true as const } : {}),
});

const DEFAULT_EXPIRE_SECONDS = 60;
const MIN_HEARTBEAT_SECONDS = 10;

/** The longest a job may run, its consumer alive or not (pg-boss's `expireInSeconds`): an hour. */
const HANDLER_LIMIT_SECONDS = 3600;

/** How often pg-boss supervises the queue (fails jobs whose heartbeat stopped): half of it, 1 to 60 s. */
export function supervisionSeconds(heartbeatSeconds: number): number {
  return Math.min(60, Math.max(1, Math.ceil(heartbeatSeconds / 2)));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Resolves when one of `promises` settles or `signal` aborts; leaves no listener on the signal behind. */
function firstOf(signal: AbortSignal, promises: Iterable<Promise<unknown>>): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    for (const promise of promises) promise.then(done, done);
  });
}

/**
 * Added to an urgent job's priority (`ScheduledJob.urgent`): ahead of every job that is not, whatever its
 * `runAt` (for a `runAt` from 1992 on `priorityOf` is below 2^30, so the sum stays an int32).
 */
const URGENT_BOOST = 2 ** 30;

/** Seconds from which `priorityOf` counts (2026-01-01T00:00:00Z): keeps the priority within an int32. */
const PRIORITY_EPOCH_S = 1_767_225_600;

/**
 * pg-boss fetches due jobs by priority, then creation. A job scheduled again (a deferral, a retry) is a
 * new job, created last: by creation alone it would run behind every job due after it, and a backlog
 * would lose its order. The priority puts the earlier `runAt` first, to the second (within a second, by
 * creation; a throttled send orders itself within that in its worker).
 */
export function priorityOf(runAt: Date): number {
  return PRIORITY_EPOCH_S - Math.floor(runAt.getTime() / 1000);
}
