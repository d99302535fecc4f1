import type { JobHandler, ScheduledJob, Scheduler } from '@campaign/core';
import { type ConnectionOptions, DelayedError, type Job, Queue, Worker, type WorkerOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

export interface BullmqSchedulerConfig {
  /**
   * Where Redis is: a URL (`redis://`, `rediss://` for TLS, with a password in it if needed), ioredis
   * options (TLS, password, sentinels), or a function that makes a client. Every client the scheduler
   * makes is its own and closed by `close`.
   */
  connection: string | RedisOptions | (() => Redis);
  /** Queue name. Default `campaign-actions`. */
  queueName?: string;
  /**
   * Key prefix. Default `{campaign}`: the braces are a Redis Cluster hash tag, so every key of the queue
   * lands in one slot and the queue runs on a cluster unchanged.
   */
  prefix?: string;
  /** Jobs handled at once by this process. Default 8. */
  concurrency?: number;
  /** Deliveries of a job whose handler keeps throwing, before BullMQ gives up on it. Default 10. */
  attempts?: number;
  /** First retry delay in milliseconds, doubled per attempt. Default 1000. */
  backoffMs?: number;
  /**
   * How long a worker's claim on a job lasts without renewal, in ms (live workers renew it at half
   * that). A crashed worker's job is delivered again once its lock lapses. Default 30 000.
   */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock lapsed, in ms. Default 5000. */
  stalledIntervalMs?: number;
  /** Where the wall clock comes from (tests). Default Date.now. */
  now?: () => number;
  /**
   * Whether `start` runs this scheduler's own BullMQ Worker. Default true. False: `start` only takes the
   * handler, and a Worker the host runs (a `@nestjs/bullmq` processor, with `workerOptions()`) hands
   * each job to `processJob`.
   */
  ownWorker?: boolean;
}

/** What a Worker run by the host needs to take this scheduler's jobs as its own Worker would. */
export interface BullmqWorkerSettings {
  queueName: string;
  /** BullMQ connection options; a client given here is the scheduler's, closed by `close`. */
  connection: ConnectionOptions;
  prefix: string;
  worker: Pick<WorkerOptions, 'concurrency' | 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
}

interface JobData {
  actionId: string;
}

const JOB_NAME = 'action';

/**
 * The Scheduler port on BullMQ: one delayed job per scheduled action, `jobId` = action id.
 *
 * Scheduling an id again moves its job (remove, then add with the new delay); a job that is being
 * processed is left alone, and the service re-queues it if it came too early. Completed jobs are
 * removed, so an action re-queued after a pause gets a fresh job. Throwing handlers are retried with
 * exponential backoff; BullMQ's stalled-job check hands the jobs of a crashed worker to another one.
 */
export class BullmqScheduler implements Scheduler {
  readonly enqueuesInTransaction = false;
  private readonly config: Required<Omit<BullmqSchedulerConfig, 'connection'>> &
    Pick<BullmqSchedulerConfig, 'connection'>;
  private readonly clients: Redis[] = [];
  private readonly queue: Queue<JobData>;
  private worker: Worker<JobData> | undefined;
  private handler: JobHandler | undefined;
  /** Jobs this process is handling right now, and a new due time asked for one of them meanwhile. */
  private readonly active = new Map<string, Date | null>();

  constructor(config: BullmqSchedulerConfig) {
    this.config = {
      queueName: 'campaign-actions',
      prefix: '{campaign}',
      concurrency: 8,
      attempts: 10,
      backoffMs: 1000,
      lockDurationMs: 30_000,
      stalledIntervalMs: 5000,
      now: Date.now,
      ownWorker: true,
      ...config,
    };
    this.queue = new Queue<JobData>(this.config.queueName, {
      connection: this.client(),
      prefix: this.config.prefix,
    });
  }

  private client(): Redis {
    const { connection } = this.config;
    const client =
      typeof connection === 'function'
        ? connection()
        : typeof connection === 'string'
          ? new Redis(connection, { maxRetriesPerRequest: null })
          : new Redis({ ...connection, maxRetriesPerRequest: null });
    this.clients.push(client);
    return client;
  }

  async schedule(jobs: readonly ScheduledJob[]): Promise<void> {
    const now = this.config.now();
    for (const job of jobs) {
      if (this.active.has(job.actionId)) {
        // Scheduled again by its own handler (a retry, an early arrival): BullMQ cannot remove a job
        // that is being processed, so the processor moves it back to delayed when the handler returns.
        this.active.set(job.actionId, job.runAt);
        continue;
      }
      // A job being processed elsewhere cannot be removed (remove returns 0, add is a no-op): it runs,
      // and the row decides.
      await this.queue.remove(job.actionId);
      await this.queue.add(
        JOB_NAME,
        { actionId: job.actionId },
        {
          jobId: job.actionId,
          delay: Math.max(0, job.runAt.getTime() - now),
          attempts: this.config.attempts,
          backoff: { type: 'exponential', delay: this.config.backoffMs },
          removeOnComplete: true,
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      );
    }
  }

  async cancel(actionIds: readonly string[]): Promise<void> {
    for (const id of actionIds) await this.queue.remove(id);
  }

  async start(handler: JobHandler): Promise<void> {
    if (this.handler) throw new Error('BullmqScheduler already started');
    this.handler = handler;
    if (!this.config.ownWorker) return;
    const settings = this.workerOptions();
    this.worker = new Worker<JobData>(settings.queueName, (job, token) => this.processJob(job, token), {
      connection: this.client(),
      prefix: settings.prefix,
      ...settings.worker,
    });
    // Errors of the connection are retried by ioredis; a listener keeps them from crashing the process.
    this.worker.on('error', () => {});
    await this.worker.waitUntilReady();
  }

  /**
   * Hands one job of this queue to the handler given to `start` (the processor of this scheduler's own
   * Worker, and of a Worker the host runs). A job scheduled again by its own handler goes back to
   * delayed when the handler returns. Throws (BullMQ retries the job) before `start`.
   */
  async processJob(job: Job<JobData>, token?: string): Promise<void> {
    const handler = this.handler;
    if (!handler) throw new Error('BullmqScheduler not started: no handler for the job');
    const id = job.data.actionId;
    this.active.set(id, null);
    let again: Date | null;
    try {
      await handler(id);
    } finally {
      again = this.active.get(id) ?? null;
      this.active.delete(id);
    }
    if (again && token) {
      await job.moveToDelayed(Math.max(again.getTime(), this.config.now()), token);
      throw new DelayedError();
    }
  }

  /** The queue, connection, key prefix and worker options this scheduler's own Worker uses. */
  workerOptions(): BullmqWorkerSettings {
    return {
      queueName: this.config.queueName,
      // A URL leaves the Worker its own clients; otherwise it shares one of ours (BullMQ duplicates it
      // for its blocking connection).
      connection:
        typeof this.config.connection === 'string'
          ? { url: this.config.connection, maxRetriesPerRequest: null }
          : this.client(),
      prefix: this.config.prefix,
      worker: {
        concurrency: this.config.concurrency,
        lockDuration: this.config.lockDurationMs,
        stalledInterval: this.config.stalledIntervalMs,
        maxStalledCount: 5,
      },
    };
  }

  /**
   * The BullMQ queue this scheduler adds to, for a dashboard in the same process (Bull Board), so no
   * caller builds a second queue with its own connection. Owned by the scheduler: `close` closes it. A
   * job retried or removed through it is safe for the reason a duplicate delivery is: the worker re-reads
   * and claims the action row.
   */
  dashboardQueue(): Queue {
    return this.queue;
  }

  async ping(): Promise<void> {
    const [client] = this.clients;
    if (!client) throw new Error('no Redis connection');
    await client.ping();
  }

  async close(): Promise<void> {
    // Worker.close() waits for the jobs in flight to finish.
    await this.worker?.close();
    this.worker = undefined;
    this.handler = undefined;
    await this.queue.close();
    await Promise.all(this.clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  }
}
