/**
 * At most `limit` holders at once; the others wait, served in the order they asked. What bounds the
 * actions a process runs at once (`ExecutionServiceDeps.actionConcurrency`): a throttled send waiting for
 * its slot gives its permit back while it sleeps (`SendWaits`).
 */
export class Permits {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    if (!(limit >= 1)) throw new Error(`permits: the limit must be at least 1 (got ${limit})`);
    this.free = limit;
  }

  /** `first`: ahead of every holder-to-be that asked before (a send waking for its slot is due now). */
  async acquire(first = false): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) =>
      first ? this.waiting.unshift(resolve) : this.waiting.push(resolve),
    );
  }

  /** Hands the permit to the longest waiter, or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}
