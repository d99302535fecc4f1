/**
 * At most `limit` holders at once; the others wait, served in the order they asked. What bounds the
 * actions a process runs at once (`ExecutionServiceDeps.actionConcurrency`): a throttled send waiting for
 * its slot gives its permit back while it sleeps (`SendWaits`, through `sleep`).
 *
 * While sends sleep in the process, some permits are kept for them (`reserved`): a new action starts only
 * when more than that many are free; a send waking for its slot takes any. A sleeping send is a link of a
 * sender's line, which moves one claim at a time: in a burst the backlog's first deferrals (a thousand
 * sends due at once, each deferred once) would otherwise hold every permit, and each link would wait for
 * one of them to end.
 */
export class Permits {
  private free: number;
  private readonly limit: number;
  /** Holders that gave their permit back to sleep and will take one again (`sleep`). */
  private sleeping = 0;
  /** Waiting for a permit: sends waking for their slot (served first), urgent new actions, the others. */
  private readonly waking: (() => void)[] = [];
  private readonly urgent: (() => void)[] = [];
  private readonly starting: (() => void)[] = [];

  constructor(limit: number) {
    if (!(limit >= 1)) throw new Error(`permits: the limit must be at least 1 (got ${limit})`);
    this.free = limit;
    this.limit = limit;
  }

  /**
   * Permits a new action may not take while sends sleep: one per sleeping send, at most half the limit
   * (rounded down: with one permit, none), so new actions always keep at least half.
   */
  get reserved(): number {
    return Math.min(this.sleeping, Math.floor(this.limit / 2));
  }

  /**
   * `first`: a send waking for its slot (due now): ahead of every new action, and it may take a reserved
   * permit. Else a new action; `urgent` (its job is, `ScheduledJob.urgent`): ahead of the other new actions.
   */
  async acquire(first = false, urgent = false): Promise<void> {
    const queue = first ? this.waking : urgent ? this.urgent : this.starting;
    const ahead = first ? [] : urgent ? [this.waking] : [this.waking, this.urgent];
    if (this.free > (first ? 0 : this.reserved) && ahead.every((q) => q.length === 0)) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => queue.push(resolve));
  }

  /**
   * Hands the permit to the longest-waiting waking send, else to a new action (urgent first) when one may
   * start, or frees it.
   */
  release(): void {
    this.free += 1;
    this.dispatch();
  }

  /**
   * Gives the permit back while `wait` runs (a send sleeping until its slot), then takes one as a waking
   * send.
   */
  async sleep(wait: () => Promise<void>): Promise<void> {
    this.sleeping += 1;
    this.release();
    try {
      await wait();
    } finally {
      this.sleeping -= 1;
      await this.acquire(true);
      // One reserved fewer: a new action may start on a permit kept for this send.
      this.dispatch();
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

  private dispatch(): void {
    while (this.free > 0 && this.waking.length > 0) {
      this.free -= 1;
      (this.waking.shift() as () => void)();
    }
    for (const queue of [this.urgent, this.starting])
      while (this.free > this.reserved && queue.length > 0) {
        this.free -= 1;
        (queue.shift() as () => void)();
      }
  }
}
