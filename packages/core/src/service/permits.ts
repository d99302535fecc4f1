/**
 * At most `limit` holders at once; the others wait, served in the order they asked. What bounds the
 * actions a process runs at once (`ExecutionServiceDeps.actionConcurrency`): a throttled send waiting for
 * its slot gives its permit back while it sleeps (`SendWaits`, through `sleep`).
 *
 * Those waiting are served in three ranks: sends waking for their slot (due now), then urgent new actions
 * (`ScheduledJob.urgent`: a send back for its slot, or pulled by its line), then the others. The queue
 * hands urgent jobs out first; without the ranks here they would wait behind the jobs it handed this
 * process before (a burst's backlog, up to the jobs a process may hold while its sends wait).
 */
export class Permits {
  private free: number;
  /** Waiting for a permit: sends waking for their slot (served first), urgent new actions, the others. */
  private readonly waking: (() => void)[] = [];
  private readonly urgent: (() => void)[] = [];
  private readonly starting: (() => void)[] = [];

  constructor(limit: number) {
    if (!(limit >= 1)) throw new Error(`permits: the limit must be at least 1 (got ${limit})`);
    this.free = limit;
  }

  /**
   * `first`: a send waking for its slot (due now): ahead of every new action. Else a new action; `urgent`
   * (its job is, `ScheduledJob.urgent`): ahead of the other new actions.
   */
  async acquire(first = false, urgent = false): Promise<void> {
    const queue = first ? this.waking : urgent ? this.urgent : this.starting;
    const ahead = first ? [] : urgent ? [this.waking] : [this.waking, this.urgent];
    if (this.free > 0 && ahead.every((q) => q.length === 0)) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => queue.push(resolve));
  }

  /** Hands the permit to the longest waiter of the first rank that has one, or frees it. */
  release(): void {
    const next = this.waking.shift() ?? this.urgent.shift() ?? this.starting.shift();
    if (next) next();
    else this.free += 1;
  }

  /** Gives the permit back while `wait` runs (a send sleeping until its slot), then takes one, first. */
  async sleep(wait: () => Promise<void>): Promise<void> {
    this.release();
    try {
      await wait();
    } finally {
      await this.acquire(true);
    }
  }

  /** Runs `work` as a new action (`urgent`: see `acquire`) holding a permit. */
  async run<T>(work: () => Promise<T>, urgent = false): Promise<T> {
    await this.acquire(false, urgent);
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}
