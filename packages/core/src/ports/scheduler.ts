import type { TransactionHandle } from './campaign-store.ts';

/** A due instant for one `scheduled_actions` row. The job carries nothing else: the row is the truth. */
export interface ScheduledJob {
  actionId: string;
  /**
   * The action's contact, carried with the job to the handler so the worker reads the action on its
   * contact's shard (DESIGN section 9: job payloads carry the contact id). A backend MUST hand it back
   * as it was given; absent (a job queued before it was carried), the action is read by id alone.
   */
  contactId?: string | undefined;
  runAt: Date;
  /**
   * A throttled send coming back for its slot (due within THROTTLE_WAIT_MS): delivered ahead of the
   * jobs due meanwhile that are not urgent (a burst's backlog, all due at one quiet-hours end), which
   * would otherwise make it, and every send of its sender behind it, late. A backend may ignore it.
   */
  urgent?: boolean;
}

/** What a handler is told of the job it runs: whether it was scheduled `urgent`. */
export interface DeliveredJob {
  urgent: boolean;
}

/**
 * Called with the id of an action that is due (or was delivered again), its job's `contactId`, and what
 * the job was scheduled as (a backend that ignores `urgent` may leave it out).
 */
export type JobHandler = (actionId: string, contactId?: string, job?: DeliveredJob) => Promise<void>;

/**
 * The queue that wakes workers when actions fall due (DESIGN section 6).
 *
 * - `schedule` MUST be idempotent per action id: scheduling the same id again leaves one job, due at
 *   the latest `runAt` given (a rescheduled action moves, it is not doubled). It MUST accept a `runAt`
 *   in the past (due now).
 * - Delivery is at least once: a job MAY reach the handler more than once (a worker crash, a
 *   reconcile), so the handler MUST be idempotent; the execution service claims the row, so a second
 *   delivery does nothing. A job MUST NOT be delivered before its `runAt` (a small clock skew aside:
 *   the service re-queues a job that arrives early).
 * - A handler that throws MUST see the job again later (retries with backoff).
 * - `cancel` is best effort: the database decides, and a cancelled action's job that still fires finds
 *   the row not pending and does nothing.
 * - With `enqueuesInTransaction`, `schedule` called with the store's transaction handle MUST enqueue in
 *   that same transaction (committed or rolled back with it). Without it the service calls `schedule`
 *   after commit, and the reconcile loop repairs a crash in between.
 * - No queue-library type, connection or option crosses this port.
 */
export interface Scheduler {
  readonly enqueuesInTransaction: boolean;
  schedule(jobs: readonly ScheduledJob[], options?: { transaction?: TransactionHandle }): Promise<void>;
  cancel(actionIds: readonly string[]): Promise<void>;
  /** Starts delivering due jobs to `handler`. */
  start(handler: JobHandler): Promise<void>;
  /** Stops taking jobs; resolves when in-flight handlers have finished. */
  close(): Promise<void>;
  /** Rejects when the backend cannot be reached (readiness checks). */
  ping?(): Promise<void>;
}
