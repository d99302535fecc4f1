import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Clock, Scheduler } from '@campaign/core';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { createRuntime, loadConfig } from '../../packages/runtime/src/index.ts';
import { type NodeProcess, spawnWorker } from '../../test-e2e/src/support/processes.ts';
import { cloneDueCampaigns } from './clone.ts';
import { Queue, sql } from './libs.ts';
import { quantile, rate, rssMiB, sleep } from './measure.ts';
import { plan } from './service-rows.ts';

/*
 * Sends executed by real worker processes (apps/workers, the log transport): N campaigns activated here
 * with a clock fixed at one instant T in the future, so every send falls due at T (the burst); K worker
 * processes started before T; drain rate and lateness (executed_at - due_at) read from the database
 * afterwards. Optionally `pending` timers that are not due (a day ahead) are seeded in bulk first: pg-boss
 * rows by SQL, BullMQ jobs by addBulk.
 *
 * Optionally then the steady state (`steadySeconds`): with the same workers and pending timers, sends
 * that fall due one by one at half the drain rate the burst just measured, over `steadySeconds`; their
 * lateness is claimed_at (the worker's clock when it claimed the send) minus due_at: how late a timer
 * fires when the queue keeps up, which is what the issue-15 lateness goal is about.
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
  /** Seconds spent seeding the pending timers (for sizing the run). */
  seedSeconds: number;
  /** The steady-state phase, when asked for. */
  steady?: SteadyRun;
}

export interface SteadyRun {
  /** Sends falling due per second: half the burst's drain rate. */
  duePerSecond: number;
  sends: number;
  /** claimed_at - due_at of each send (the timer firing and the claim transaction). */
  latenessMs: Lateness;
  /** executed_at - due_at (also the log transport and the completing transaction). */
  executedLatenessMs: Lateness;
  /** True when scheduling the sends ran past the first one's due instant. */
  schedulingOverranDue: boolean;
}

export interface Lateness {
  p50: number;
  p99: number;
  max: number;
}

export interface WorkerRunOptions {
  backend: Backend;
  workers: number;
  sends: number;
  /** How many of `sends` are activated through the service (the rest are copies, see clone.ts). */
  activations: number;
  pending: number;
  concurrency: number;
  /** The bench's own Redis server: emptied after the run (FLUSHDB; obliterating a million jobs takes minutes). */
  redisUrl: string;
  pollSeconds: number;
  /** Expected activations per second (from the service rows), to place T after activation ends. */
  expectedActivationRate: number;
  /** Time the worker processes get to start before the first send falls due, in ms. */
  startMarginMs: number;
  /** After the burst, sends due at half its drain rate over this many seconds (0: no steady phase). */
  steadySeconds?: number;
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
    // To compare: DATABASE_PREPARED_STATEMENTS=false pnpm bench runs the workers without prepared statements.
    ...(process.env.DATABASE_PREPARED_STATEMENTS
      ? { DATABASE_PREPARED_STATEMENTS: process.env.DATABASE_PREPARED_STATEMENTS }
      : {}),
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
    const seedStart = performance.now();
    await seedPending(o.backend, env, database.db, o.pending, o.redisUrl);
    const seedSeconds = Math.round((performance.now() - seedStart) / 100) / 10;
    // The steady phase's template, activated while the clock still reads an hour ahead: its own send
    // stays pending (due then) and its copies get their due instants in steadyPhase.
    const steadyTemplate =
      (o.steadySeconds ?? 0) > 0
        ? (
            await runtime.service.persistPlan({
              contact: { id: randomUUID(), email: `${randomUUID()}@bench.test` },
              plan,
            })
          ).campaign.id
        : null;
    due = new Date(Date.now() + leadMs);
    const contacts = Array.from({ length: activations }, () => ({
      id: randomUUID(),
      email: `${randomUUID()}@bench.test`,
    }));
    for (let k = 0; k < o.workers; k += 1) workers.push(spawnWorker({ ...env }));
    let template = '';
    const activationStart = performance.now();
    const activationsPerSecond = await rate(contacts, 8, async (contact) => {
      template = (await runtime.service.persistPlan({ contact, plan })).campaign.id;
    });
    const cloneStart = performance.now();
    await cloneDueCampaigns(database.db, runtime.scheduler, template, o.sends - activations, due);
    const scheduledAt = Date.now();
    // Milliseconds per send to copy and schedule it (or to activate it, when nothing was copied).
    const msPerSend =
      o.sends > activations
        ? (performance.now() - cloneStart) / (o.sends - activations)
        : (cloneStart - activationStart) / activations;
    const activationOverranDue = scheduledAt >= due.getTime();
    while (Date.now() < due.getTime() - 500) await sleep(Math.min(1000, due.getTime() - 500 - Date.now()));
    const pids = workers.map((w) => w.child.pid);
    for (const w of workers)
      if (w.child.exitCode !== null) throw new Error(`a worker exited:\n${w.output()}`);
    const idle = Math.max(...pids.map(rssMiB));
    let load = idle;
    const sampleRss = () => {
      load = Math.max(load, ...pids.map(rssMiB));
    };
    const waitDone = (from: Date, count: number, deadline: number) =>
      waitForSends(
        database.db,
        from,
        count,
        deadline,
        sampleRss,
        () => workers[0]?.output() ?? '',
        o.backend,
      );
    await waitDone(due, o.sends, Date.now() + Math.max(120_000, (leadMs - o.startMarginMs) * 20));
    const rows = await database.db
      .selectFrom('scheduled_actions')
      .select(['due_at', 'executed_at'])
      .where('kind', '=', 'send')
      .where('status', '=', 'done')
      .execute();
    const lateness = rows.map((r) => new Date(r.executed_at ?? 0).getTime() - new Date(r.due_at).getTime());
    const last = Math.max(...lateness);
    // From T, or from when the last job was scheduled if that came later (then the report warns).
    const drainPerSecond = o.sends / ((last - Math.max(0, scheduledAt - due.getTime())) / 1000);
    const steady =
      steadyTemplate === null
        ? undefined
        : await steadyPhase({
            db: database.db,
            scheduler: runtime.scheduler,
            template: steadyTemplate,
            duePerSecond: drainPerSecond / 2,
            seconds: o.steadySeconds ?? 0,
            msPerSend,
            waitDone,
          });
    return {
      backend: o.backend,
      workers: o.workers,
      sends: o.sends,
      pending: o.pending,
      activationsPerSecond,
      drainPerSecond,
      latenessMs: { p50: quantile(lateness, 0.5), p99: quantile(lateness, 0.99), max: last },
      workerRssMiB: { idle, load },
      activationOverranDue,
      seedSeconds,
      ...(steady ? { steady } : {}),
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    if (o.backend === 'bullmq') execFileSync('redis-cli', ['-u', o.redisUrl, 'FLUSHDB'], { stdio: 'ignore' });
    await runtime.close();
    await database.dispose();
  }
}

/** Waits until `count` sends due from `from` on are done; throws with the worker's output past `deadline`. */
async function waitForSends(
  db: TestDatabase['db'],
  from: Date,
  count: number,
  deadline: number,
  sample: () => void,
  output: () => string,
  backend: Backend,
): Promise<void> {
  for (;;) {
    const [row] = await db
      .selectFrom('scheduled_actions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('kind', '=', 'send')
      .where('status', '=', 'done')
      .where('due_at', '>=', from)
      .execute();
    sample();
    if (Number(row?.n ?? 0) >= count) return;
    if (Date.now() > deadline)
      throw new Error(`${backend}: only ${row?.n} of ${count} sends executed\n${output().slice(-2000)}`);
    await sleep(250);
  }
}

const lateness = (values: number[]): Lateness => ({
  p50: quantile(values, 0.5),
  p99: quantile(values, 0.99),
  max: Math.max(...values),
});

/**
 * The steady state: `duePerSecond * seconds` copies of `template` due one every 1 / duePerSecond
 * seconds, the first a margin ahead (for copying and scheduling them); waits for them and reads their
 * lateness. The workers are running and drained the burst: nothing else is due meanwhile.
 */
async function steadyPhase(o: {
  db: TestDatabase['db'];
  scheduler: Scheduler;
  template: string;
  duePerSecond: number;
  seconds: number;
  /** Milliseconds per send that copying and scheduling took in the burst. */
  msPerSend: number;
  waitDone: (from: Date, count: number, deadline: number) => Promise<void>;
}): Promise<SteadyRun> {
  const sends = Math.max(2, Math.round(o.duePerSecond * o.seconds));
  const spacingMs = 1000 / o.duePerSecond;
  // Three times what copying and scheduling took a send in the burst, plus 3 s.
  const first = new Date(Date.now() + 3000 + 3 * o.msPerSend * sends);
  await cloneDueCampaigns(o.db, o.scheduler, o.template, sends, first, spacingMs);
  const schedulingOverranDue = Date.now() >= first.getTime();
  const lastDue = first.getTime() + (sends - 1) * spacingMs;
  await o.waitDone(first, sends, lastDue + Math.max(60_000, o.seconds * 5000));
  const { rows } = await sql<{ due_at: Date; executed_at: Date; claimed_at: Date }>`
    SELECT a.due_at, a.executed_at, m.claimed_at
    FROM scheduled_actions a JOIN outbound_messages m ON m.action_id = a.id AND m.contact_id = a.contact_id
    WHERE a.kind = 'send' AND a.status = 'done' AND a.due_at >= ${first.toISOString()}::timestamptz`.execute(
    o.db,
  );
  const ms = (d: Date) => new Date(d).getTime();
  return {
    duePerSecond: o.duePerSecond,
    sends,
    latenessMs: lateness(rows.map((r) => ms(r.claimed_at) - ms(r.due_at))),
    executedLatenessMs: lateness(rows.map((r) => ms(r.executed_at) - ms(r.due_at))),
    schedulingOverranDue,
  };
}
