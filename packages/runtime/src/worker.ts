import { startPayloadRetention } from './payload-retention.ts';
import type { Runtime } from './runtime.ts';

/** How often the workers sweep raw event payloads past EVENT_PAYLOAD_RETENTION. */
const PAYLOAD_RETENTION_INTERVAL_MS = 3_600_000;

export interface RunningWorker {
  /** Stops taking jobs, lets the actions in flight finish, stops the reconcile and payload-retention loops. */
  stop(): Promise<void>;
}

/**
 * Runs the action consumers (sends and timeouts, through the Scheduler) and the reconcile loop. Every
 * job goes through CampaignPlanExecutionService.executeAction, which claims the row: any number of
 * workers may run against one queue and database.
 */
export async function startWorker(runtime: Runtime): Promise<RunningWorker> {
  const { service, scheduler, logger, config } = runtime;
  await scheduler.start(async (actionId, contactId, job) => {
    const started = Date.now();
    try {
      const result = await service.executeAction(actionId, contactId, job);
      logger.info({ actionId, outcome: result.outcome, ms: Date.now() - started }, 'action');
    } catch (error) {
      // The queue retries the job; the adapters keep no log, so the error is seen here or nowhere.
      logger.error({ err: error, actionId, ms: Date.now() - started }, 'action failed');
      throw error;
    }
  });
  let reconciling: Promise<void> = Promise.resolve();
  const reconcile = () => {
    reconciling = service
      .reconcileOverdue(config.reconcileGraceMs)
      .then((count) => {
        if (count > 0) logger.warn({ count }, 'reconcile: re-queued overdue actions');
      })
      .catch((error: unknown) => logger.error({ err: error }, 'reconcile failed'));
  };
  reconcile();
  const timer = setInterval(reconcile, config.reconcileIntervalMs);
  const retention =
    config.eventPayloadRetentionMs === undefined
      ? undefined
      : startPayloadRetention({
          db: runtime.database.db,
          clock: runtime.clock,
          retentionMs: config.eventPayloadRetentionMs,
          intervalMs: PAYLOAD_RETENTION_INTERVAL_MS,
          logger,
        });
  logger.info({ backend: config.queueBackend, concurrency: config.workerConcurrency }, 'worker started');
  return {
    stop: async () => {
      clearInterval(timer);
      await retention?.stop();
      await reconciling;
      await scheduler.close();
      logger.info('worker stopped');
    },
  };
}
