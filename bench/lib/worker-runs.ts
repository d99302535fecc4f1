import { randomUUID } from 'node:crypto';
import type { Clock } from '@campaign/core';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { createRuntime, loadConfig } from '../../packages/runtime/src/index.ts';
import { type NodeProcess, spawnWorker } from '../../test-e2e/src/support/processes.ts';
import { cloneDueCampaigns } from './clone.ts';
import { Queue, sql } from './libs.ts';
import { quantile, rate, rssMiB, sleep } from './measure.ts';
import { plan } from './service-rows.ts';

/*
 * Sends executed by real worker processes (apps/workers, the log transport): N campaigns activated here
 * with a clock fixed at one instant T in the future, so every send falls due at T; K worker processes
 * started before T; drain rate and lateness (executed_at - due_at) read from the database afterwards.
 * Optionally `pending` timers that are not due (a day ahead) are seeded in bulk first: pg-boss rows by
 * SQL, BullMQ jobs by addBulk.
 */

export type Backend = 'pgboss' | 'bullmq';

export interface WorkerRun {
  backend: Backend;
  workers: number;
  sends: number;
  pending: number;
  /** Campaigns activated per second by this process on the runtime (the backend's scheduler). */
  activationsPerSecond: number;
  /** Sends executed per second from T (or from when all were scheduled, if later) to the last one. */
  drainPerSecond: number;
  latenessMs: { p50: number; p99: number; max: number };
  /** Largest worker RSS (MiB) just before T and while draining. */
  workerRssMiB: { idle: number; load: number };
  /** True when activation ran past T (then lateness includes activation time). */
  activationOverranDue: boolean;
}

export interface WorkerRunOptions {
  backend: Backend;
  workers: number;
  sends: number;
  /** How many of `sends` are activated through the service (the rest are copies, see clone.ts). */
  activations: number;
  pending: number;
  concurrency: number;
  redisUrl: string;
  pollSeconds: number;
  /** Expected activations per second (from the service rows), to place T after activation ends. */
  expectedActivationRate: number;
  /** Time the worker processes get to start before the first send falls due, in ms. */
  startMarginMs: number;
}

export function workerEnv(o: {
  backend: Backend;
  databaseUrl: string;
  redisUrl: string;
  queueName: string;
  concurrency: number;
  pollSeconds: number;
}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: o.databaseUrl,
    QUEUE_BACKEND: o.backend,
    REDIS_URL: o.backend === 'bullmq' ? o.redisUrl : '',
    QUEUE_NAME: o.queueName,
    WORKER_CONCURRENCY: String(o.concurrency),
    QUEUE_POLL_SECONDS: String(o.pollSeconds),
    UNSUBSCRIBE_SECRET: 'bench-unsubscribe-secret-0123456789',
    MESSAGE_ID_DOMAIN: 'bench.test',
    LOG_LEVEL: 'warn',
    METRICS_PORT: '',
  };
}

async function seedPending(
  backend: Backend,
  env: NodeJS.ProcessEnv,
  db: TestDatabase['db'],
  count: number,
  redisUrl: string,
): Promise<void> {
  const queueName = env.QUEUE_NAME ?? '';
  if (count === 0) return;
  if (backend === 'pgboss') {
    for (let i = 0; i < count; i += 100_000) {
      const n = Math.min(100_000, count - i);
      await sql`INSERT INTO pgboss.job (id, name, data, start_after)
        SELECT gen_random_uuid(), ${queueName}, jsonb_build_object('actionId', gen_random_uuid()::text),
               now() + interval '1 day'
        FROM generate_series(1, ${n})`.execute(db);
    }
    return;
  }
  const u = new URL(redisUrl);
  const queue = new Queue(queueName, {
    connection: { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null },
    prefix: '{campaign}',
  });
  const DAY = 86_400_000;
  const chunks: Promise<unknown>[] = [];
  for (let i = 0; i < count; i += 5000) {
    const n = Math.min(5000, count - i);
    chunks.push(
      queue.addBulk(
        Array.from({ length: n }, () => {
          const actionId = randomUUID();
          return { name: 'action', data: { actionId }, opts: { jobId: actionId, delay: DAY } };
        }),
      ),
    );
    if (chunks.length >= 4) await Promise.all(chunks.splice(0));
  }
  await Promise.all(chunks);
  await queue.close();
}

export async function workerRun(o: WorkerRunOptions): Promise<WorkerRun> {
  const database = await createTestDatabase('postgres');
  const env = workerEnv({
    backend: o.backend,
    databaseUrl: database.url ?? '',
    redisUrl: o.redisUrl,
    queueName: `bench-${randomUUID().slice(0, 8)}`,
    concurrency: o.concurrency,
    pollSeconds: o.pollSeconds,
  });
  const activations = Math.max(1, Math.min(o.activations, o.sends));
  const leadMs = (activations / o.expectedActivationRate) * 1500 + o.sends / 2 + o.startMarginMs;
  // Placed once the pending timers are seeded (seeding may take a while).
  let due = new Date(Date.now() + 3_600_000);
  const fixed: Clock = { now: () => due };
  const runtime = await createRuntime(loadConfig(env), { clock: fixed });
  const workers: NodeProcess[] = [];
  try {
    if (o.backend === 'pgboss') await (runtime.scheduler as unknown as { ready(): Promise<void> }).ready();
    await seedPending(o.backend, env, database.db, o.pending, o.redisUrl);
    due = new Date(Date.now() + leadMs);
    const contacts = Array.from({ length: activations }, () => ({
      id: randomUUID(),
      email: `${randomUUID()}@bench.test`,
    }));
    for (let k = 0; k < o.workers; k += 1) workers.push(spawnWorker({ ...env }));
    let template = '';
    const activationsPerSecond = await rate(contacts, 8, async (contact) => {
      template = (await runtime.service.persistPlan({ contact, plan })).campaign.id;
    });
    await cloneDueCampaigns(database.db, runtime.scheduler, template, o.sends - activations, due);
    const scheduledAt = Date.now();
    const activationOverranDue = scheduledAt >= due.getTime();
    while (Date.now() < due.getTime() - 500) await sleep(Math.min(1000, due.getTime() - 500 - Date.now()));
    const pids = workers.map((w) => w.child.pid);
    for (const w of workers)
      if (w.child.exitCode !== null) throw new Error(`a worker exited:\n${w.output()}`);
    const idle = Math.max(...pids.map(rssMiB));
    let load = idle;
    const deadline = Date.now() + Math.max(120_000, (leadMs - o.startMarginMs) * 20);
    for (;;) {
      const [row] = await database.db
        .selectFrom('scheduled_actions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('kind', '=', 'send')
        .where('status', '=', 'done')
        .execute();
      load = Math.max(load, ...pids.map(rssMiB));
      if (Number(row?.n ?? 0) >= o.sends) break;
      if (Date.now() > deadline)
        throw new Error(
          `${o.backend}: only ${row?.n} of ${o.sends} sends executed\n${workers[0]?.output().slice(-2000)}`,
        );
      await sleep(250);
    }
    const rows = await database.db
      .selectFrom('scheduled_actions')
      .select(['due_at', 'executed_at'])
      .where('kind', '=', 'send')
      .execute();
    const lateness = rows.map((r) => new Date(r.executed_at ?? 0).getTime() - new Date(r.due_at).getTime());
    const last = Math.max(...lateness);
    return {
      backend: o.backend,
      workers: o.workers,
      sends: o.sends,
      pending: o.pending,
      activationsPerSecond,
      // From T, or from when the last job was scheduled if that came later (then the report warns).
      drainPerSecond: o.sends / ((last - Math.max(0, scheduledAt - due.getTime())) / 1000),
      latenessMs: { p50: quantile(lateness, 0.5), p99: quantile(lateness, 0.99), max: last },
      workerRssMiB: { idle, load },
      activationOverranDue,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    if (o.backend === 'bullmq')
      for (const q of runtime.dashboardQueues) await q.obliterate({ force: true }).catch(() => {});
    await runtime.close();
    await database.dispose();
  }
}
