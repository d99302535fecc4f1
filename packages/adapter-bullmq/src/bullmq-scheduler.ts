import type { JobHandler, ScheduledJob, Scheduler } from '@campaign/core';
import { type ConnectionOptions, DelayedError, type Job, Queue, Worker, type WorkerOptions } from 'bullmq';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { shardOf, shardPrefix } from './shard.ts';

/** A Redis Cluster to connect to: seed nodes (any masters; the client discovers the rest) and options. */
export interface BullmqClusterConnection {
  cluster: {
    nodes: readonly { host: string; port: number }[];
    /** ioredis Cluster options; `redisOptions` apply to each node (password, TLS). */
    options?: ClusterOptions;
  };
}

export interface BullmqSchedulerConfig {
  /**
   * Where Redis is: a URL (`redis://`, `rediss://` for TLS, with a password in it if needed), ioredis
   * options (TLS, password, sentinels), or a function that makes a client. Every client the scheduler
   * makes is its own and closed by `close`.
   */
  connection: string | RedisOptions | BullmqClusterConnection | (() => Redis | Cluster);
  /** Queue name. Default `campaign-actions`. */
  queueName?: string;
  /**
   * Key prefix. Default `{campaign}`: the braces are a Redis Cluster hash tag, so every key of the queue
   * lands in one slot and the queue runs on a cluster unchanged. With `shards` > 1 each shard's queue
   * has the shard number in the tag (`{campaign-0}` .. `{campaign-K-1}`); on a cluster the prefix MUST be
   * a hash tag.
   */
  prefix?: string;
  /**
   * How many queues the jobs are spread over (K), each its own hash tag, so that on a Redis Cluster they
   * land on several masters instead of one. A job's queue is `shardOf(actionId, K)`: every process MUST
   * use the same K (changing it strands delayed jobs in their old queues until the reconcile loop queues
   * their actions again). Default 1: one queue, named and prefixed as before sharding existed.
   */
  shards?: number;
  /** Jobs handled at once by this process, over all shards. Default 8. */
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

/** The clients an adapter makes are closed by it; `quit` exists on both a node client and a cluster. */
type RedisClient = Redis | Cluster;

interface JobData {
  actionId: string;
  /** `ScheduledJob.contactId`, handed back to the handler. */
  contactId?: string;
}

const JOB_NAME = 'action';
/**
 * Every job has a priority: BullMQ hands out jobs without one before any prioritized job, so an urgent job
 * (`ScheduledJob.urgent`) can go ahead of the others only when they are prioritized too. Same priority:
 * in the order they became due, as in a plain wait list.
 */
const PRIORITY = 2;
const URGENT_PRIORITY = 1;

/**
 * The Scheduler port on BullMQ: one delayed job per scheduled action, `jobId` = action id, in the queue of
 * shard `shardOf(actionId, shards)` (the only queue when `shards` is 1). A job carries its contact id to
 * the handler, but the port's `cancel` names the action id only, so the action id is the shard key: every
 * call that names an action finds its queue without a lookup.
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
  private readonly clients: RedisClient[] = [];
  /** One queue per shard, index = shard. */
  private readonly queues: Queue<JobData>[];
  private workers: Worker<JobData>[] = [];
  private handler: JobHandler | undefined;
  /** Jobs this process is handling right now, and a new due time asked for one of them meanwhile. */
  private readonly active = new Map<string, ScheduledJob | null>();

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
      shards: 1,
      ...config,
    };
    const { shards, prefix, connection } = this.config;
    if (!Number.isInteger(shards) || shards < 1)
      throw new RangeError(`BullmqScheduler: shards must be a positive integer, got ${shards}`);
    if (isCluster(connection) && !/^\{[^{}]+\}$/.test(prefix))
      throw new Error(
        `BullmqScheduler: on a Redis Cluster the prefix must be a hash tag like {campaign}, got ${prefix}`,
      );
    // The queues share one client: a Queue only sends commands on it.
    const client = this.client();
    this.queues = Array.from(
      { length: shards },
      (_, shard) =>
        new Queue<JobData>(this.config.queueName, { connection: client, prefix: this.prefixOf(shard) }),
    );
  }

  /** How many queues (shards) the jobs are spread over. */
  get shardCount(): number {
    return this.config.shards;
  }

  /** The key prefix of shard `shard`'s queue (`{campaign-3}`; the configured prefix with one shard). */
  prefixOf(shard: number): string {
    return shardPrefix(this.config.prefix, shard, this.config.shards);
  }

  private queueOf(actionId: string): Queue<JobData> {
    const queue = this.queues[shardOf(actionId, this.config.shards)];
    if (!queue) throw new Error(`BullmqScheduler: no queue for action ${actionId}`);
    return queue;
  }

  private client(): RedisClient {
    const { connection } = this.config;
    const client =
      typeof connection === 'function'
        ? connection()
        : typeof connection === 'string'
          ? new Redis(connection, { maxRetriesPerRequest: null })
          : isCluster(connection)
            ? new Cluster([...connection.cluster.nodes], {
                ...connection.cluster.options,
                redisOptions: { ...connection.cluster.options?.redisOptions, maxRetriesPerRequest: null },
              })
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
        this.active.set(job.actionId, job);
        continue;
      }
      // A job being processed elsewhere cannot be removed (remove returns 0, add is a no-op): it runs,
      // and the row decides.
      const queue = this.queueOf(job.actionId);
      if (job.runAt.getTime() <= now && (await this.alreadyDue(queue, job.actionId))) continue;
      await queue.remove(job.actionId);
      await queue.add(
        JOB_NAME,
        { actionId: job.actionId, ...(job.contactId !== undefined ? { contactId: job.contactId } : {}) },
        {
          jobId: job.actionId,
          // The job's time is exactly runAt: BullMQ orders delayed jobs by timestamp + delay, and with its
          // own Date.now() as the timestamp, jobs due at one instant (a burst at a quiet-hours end) were
          // ordered by the milliseconds each add happened to take, not by when they were queued.
          timestamp: now,
          delay: Math.max(0, job.runAt.getTime() - now),
          priority: job.urgent ? URGENT_PRIORITY : PRIORITY,
          attempts: this.config.attempts,
          backoff: { type: 'exponential', delay: this.config.backoffMs },
          removeOnComplete: true,
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      );
    }
  }

  /**
   * The action's job waits for a worker already (or is being processed): asked to run now again (the
   * reconcile pass re-queues every action overdue by its grace, which in a backlog is every job still
   * waiting), it keeps its place in the line. Removed and added again it would go to the back, behind
   * every job due after it, on each pass.
   */
  private async alreadyDue(queue: Queue<JobData>, actionId: string): Promise<boolean> {
    const existing = await queue.getJob(actionId);
    if (!existing) return false;
    const state = await existing.getState();
    return state === 'waiting' || state === 'prioritized' || state === 'active';
  }

  async cancel(actionIds: readonly string[]): Promise<void> {
    for (const id of actionIds) await this.queueOf(id).remove(id);
  }

  async start(handler: JobHandler): Promise<void> {
    if (this.handler) throw new Error('BullmqScheduler already started');
    this.handler = handler;
    if (!this.config.ownWorker) return;
    const { shards } = this.config;
    // The process's concurrency is shared out over the shards (at least one job each), so K queues do
    // not multiply the jobs in flight (and the database connections they hold).
    const concurrency = Math.max(1, Math.ceil(this.config.concurrency / shards));
    // One client for the Workers' commands (BullMQ makes each Worker its own blocking connection).
    const connection = this.client();
    for (let shard = 0; shard < shards; shard++) {
      const worker = new Worker<JobData>(this.config.queueName, (job, token) => this.processJob(job, token), {
        connection,
        prefix: this.prefixOf(shard),
        ...this.workerSettings(),
        concurrency,
      });
      // Errors of the connection are retried by ioredis; a listener keeps them from crashing the process.
      worker.on('error', () => {});
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
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
    let again: ScheduledJob | null;
    try {
      await handler(id, job.data.contactId, { urgent: job.priority === URGENT_PRIORITY });
    } finally {
      again = this.active.get(id) ?? null;
      this.active.delete(id);
    }
    if (again && token) {
      // Delayed jobs are promoted with the priority their hash holds.
      if (again.urgent) await job.changePriority({ priority: URGENT_PRIORITY });
      await job.moveToDelayed(Math.max(again.runAt.getTime(), this.config.now()), token);
      throw new DelayedError();
    }
  }

  /**
   * The queue, connection, key prefix and worker options this scheduler's own Worker uses, for a Worker
   * the host runs. One queue only: with `shards` > 1 it throws, and the scheduler runs its own Workers
   * (one per shard; `ownWorker` must stay true).
   */
  workerOptions(): BullmqWorkerSettings {
    if (this.config.shards > 1)
      throw new Error('BullmqScheduler: a host-run Worker takes one queue; with shards > 1 use ownWorker');
    return {
      queueName: this.config.queueName,
      // A URL leaves the Worker its own clients; otherwise it shares one of ours (BullMQ duplicates it
      // for its blocking connection).
      connection:
        typeof this.config.connection === 'string'
          ? { url: this.config.connection, maxRetriesPerRequest: null }
          : this.client(),
      prefix: this.config.prefix,
      worker: this.workerSettings(),
    };
  }

  private workerSettings(): BullmqWorkerSettings['worker'] {
    return {
      concurrency: this.config.concurrency,
      lockDuration: this.config.lockDurationMs,
      stalledInterval: this.config.stalledIntervalMs,
      maxStalledCount: 5,
    };
  }

  /**
   * The BullMQ queue this scheduler adds to (shard 0's with `shards` > 1: see `dashboardQueues`), for a dashboard in the same process (Bull Board), so no
   * caller builds a second queue with its own connection. Owned by the scheduler: `close` closes it. A
   * job retried or removed through it is safe for the reason a duplicate delivery is: the worker re-reads
   * and claims the action row.
   */
  dashboardQueue(): Queue {
    return this.queues[0] as Queue;
  }

  /** Every shard's queue, index = shard (one with `shards` 1); owned by the scheduler as above. */
  dashboardQueues(): readonly Queue[] {
    return this.queues;
  }

  async ping(): Promise<void> {
    const [client] = this.clients;
    if (!client) throw new Error('no Redis connection');
    await client.ping();
  }

  async close(): Promise<void> {
    // Worker.close() waits for the jobs in flight to finish.
    await Promise.all(this.workers.splice(0).map((w) => w.close()));
    this.handler = undefined;
    await Promise.all(this.queues.map((q) => q.close()));
    await Promise.all(this.clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  }
}

function isCluster(connection: BullmqSchedulerConfig['connection']): connection is BullmqClusterConnection {
  return typeof connection === 'object' && 'cluster' in connection;
}
