import type { Runtime } from '@campaign/runtime';
import { sql } from 'kysely';
import { waitFor } from './processes.ts';

/*
 * The positive signal that nothing more can happen to a set of campaigns, for the "no duplicate went
 * out" checks: every scheduled action of theirs is in a final status AND the queue holds no job for any
 * of them that could still run (BullMQ: waiting, delayed, prioritized, active or waiting-children;
 * pg-boss: created, retry or active). A late duplicate job would be one of those; once both hold,
 * asserting on what was sent is asserting on everything that will ever be sent.
 */

const FINAL = new Set(['done', 'skipped', 'cancelled', 'failed']);
const BULLMQ_LIVE = ['waiting', 'delayed', 'prioritized', 'active', 'waiting-children'] as const;

/** What still keeps the campaigns' work alive: actions not final, and live queue jobs of their actions. */
export async function liveWork(
  runtime: Runtime,
  campaignIds: readonly string[],
): Promise<{ openActions: string[]; liveJobs: string[] }> {
  const rows = await runtime.database.db
    .selectFrom('scheduled_actions')
    .select(['id', 'status'])
    .where('campaign_id', 'in', [...campaignIds])
    .execute();
  const actionIds = new Set(rows.map((r) => r.id));
  const openActions = rows.filter((r) => !FINAL.has(r.status)).map((r) => `${r.id} ${r.status}`);
  let liveJobs: string[];
  if (runtime.config.queueBackend === 'bullmq') {
    // Every shard's queue (QUEUE_SHARDS): a job lives in the queue its action id hashes to.
    const queues = runtime.dashboardQueues;
    if (queues.length === 0) throw new Error('QUEUE_BACKEND=bullmq without a queue');
    const jobs = (await Promise.all(queues.map((q) => q.getJobs([...BULLMQ_LIVE])))).flat();
    liveJobs = jobs.filter((j) => j?.id !== undefined && actionIds.has(j.id)).map((j) => `${j.id}`);
  } else {
    const ids = [...actionIds];
    const { rows: jobs } =
      ids.length === 0
        ? { rows: [] }
        : await sql<{ id: string; state: string }>`
            SELECT id::text AS id, state::text AS state FROM pgboss.job
            WHERE name = ${runtime.config.queueName} AND id::text = ANY(${ids})
              AND state IN ('created', 'retry', 'active')`.execute(runtime.database.db);
    liveJobs = jobs.map((j) => `${j.id} ${j.state}`);
  }
  return { openActions, liveJobs };
}

/**
 * Polls until the campaigns are drained (see above); throws with what is still alive after `timeoutMs`.
 * `runtime` is the test's own runtime on the same database, queue backend and queue name as the workers.
 */
export async function waitForDrained(
  runtime: Runtime,
  campaignIds: readonly string[],
  { timeoutMs = 15_000 } = {},
): Promise<void> {
  let last: Awaited<ReturnType<typeof liveWork>> | undefined;
  await waitFor(
    async () => {
      last = await liveWork(runtime, campaignIds);
      return last.openActions.length === 0 && last.liveJobs.length === 0;
    },
    () =>
      `campaigns ${campaignIds.join(', ')} not drained: actions not final [${last?.openActions.join(', ')}], live jobs [${last?.liveJobs.join(', ')}]`,
    { timeoutMs },
  );
}
