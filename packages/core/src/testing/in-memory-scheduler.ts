import type { JobHandler, ScheduledJob, Scheduler } from '../ports/scheduler.ts';
import type { ManualClock } from './manual-clock.ts';

interface Job {
  actionId: string;
  contactId?: string | undefined;
  runAt: number;
  seq: number;
  /** Kept to be read back (`pending`); delivery here is by runAt alone. */
  urgent?: boolean;
}

/**
 * The queue state an InMemoryScheduler works on. Kept apart from the scheduler so that a "restarted"
 * scheduler (a new instance on the same backend) finds the jobs the old one left, as with Redis.
 */
export class InMemoryQueue {
  readonly jobs = new Map<string, Job>();
  seq = 0;
}

/**
 * A Scheduler on a ManualClock, for tests and the scenario driver: nothing runs by itself; `runDue`
 * delivers what is due at the clock's time and `advanceTo` walks the clock through every due instant.
 * It honours the Scheduler contract (it runs the same conformance suite as the real adapters).
 */
export class InMemoryScheduler implements Scheduler {
  readonly enqueuesInTransaction = false;
  private handler: JobHandler | undefined;
  private closed = false;
  private readonly clock: ManualClock;
  private readonly queue: InMemoryQueue;
  private readonly retryDelayMs: number;

  constructor(clock: ManualClock, options: { queue?: InMemoryQueue; retryDelayMs?: number } = {}) {
    this.clock = clock;
    this.queue = options.queue ?? new InMemoryQueue();
    this.retryDelayMs = options.retryDelayMs ?? 1000;
  }

  async schedule(jobs: readonly ScheduledJob[]): Promise<void> {
    for (const job of jobs) {
      this.queue.seq += 1;
      this.queue.jobs.set(job.actionId, {
        actionId: job.actionId,
        ...(job.contactId !== undefined ? { contactId: job.contactId } : {}),
        runAt: job.runAt.getTime(),
        seq: this.queue.seq,
        ...(job.urgent ? { urgent: true } : {}),
      });
    }
  }

  async cancel(actionIds: readonly string[]): Promise<void> {
    for (const id of actionIds) this.queue.jobs.delete(id);
  }

  async start(handler: JobHandler): Promise<void> {
    this.handler = handler;
    this.closed = false;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handler = undefined;
  }

  /** Jobs not delivered yet, soonest first. */
  pending(): ScheduledJob[] {
    return this.sorted().map((j) => ({
      actionId: j.actionId,
      ...(j.contactId !== undefined ? { contactId: j.contactId } : {}),
      runAt: new Date(j.runAt),
      ...(j.urgent ? { urgent: true } : {}),
    }));
  }

  /** The soonest job's due instant, if any. */
  nextRunAt(): Date | undefined {
    const first = this.sorted()[0];
    return first ? new Date(first.runAt) : undefined;
  }

  /**
   * Delivers every job due at the clock's time, soonest first, including jobs that handlers schedule
   * for now. A handler that throws sees its job again `retryDelayMs` later. Returns how many ran.
   */
  async runDue(): Promise<number> {
    let ran = 0;
    for (;;) {
      if (this.closed || !this.handler) return ran;
      const now = this.clock.now().getTime();
      const job = this.sorted().find((j) => j.runAt <= now);
      if (!job) return ran;
      this.queue.jobs.delete(job.actionId);
      ran += 1;
      try {
        await this.handler(job.actionId, job.contactId, { urgent: job.urgent === true });
      } catch {
        if (!this.queue.jobs.has(job.actionId)) {
          this.queue.seq += 1;
          this.queue.jobs.set(job.actionId, {
            ...job,
            runAt: now + this.retryDelayMs,
            seq: this.queue.seq,
          });
        }
      }
    }
  }

  /** Moves the clock to `until`, stopping at each due instant on the way to deliver what is due. */
  async advanceTo(until: Date): Promise<void> {
    for (;;) {
      await this.runDue();
      const next = this.nextRunAt();
      // Nothing left before `until`, or a due job nobody takes (closed, no handler): stop stepping.
      if (!next || next.getTime() > until.getTime() || next.getTime() <= this.clock.now().getTime()) break;
      this.clock.set(next);
    }
    this.clock.set(until);
    await this.runDue();
  }

  private sorted(): Job[] {
    return [...this.queue.jobs.values()].sort((a, b) => a.runAt - b.runAt || a.seq - b.seq);
  }
}
