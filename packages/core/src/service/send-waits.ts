import type { Clock } from '../ports/clock.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import type { Permits } from './permits.ts';
import type { ActionRef, ExecuteActionResult, SendClaim, SendClaims } from './send-claim.ts';
import type { SendLine } from './send-lines.ts';
import { comeBackEarlyMs } from './send-throttle.ts';

/** A send waits in its worker for at most this many times `throttleWaitMs` in all, then it is deferred. */
const THROTTLE_WAIT_LIMIT = 30;
/**
 * A waiting send gives up when none of the sends ahead of it went for this many times `throttleWaitMs`
 * (they are not running). Not once: on a loaded machine one send can take longer than the wait itself.
 */
const THROTTLE_STALL_LIMIT = 5;
/**
 * A waiting send whose sends ahead did not move for this share of `throttleWaitMs` brings forward those of
 * them no worker holds (`SendLines.pullAhead`), at most once per that time.
 */
const THROTTLE_PULL_SHARE = 0.25;
/**
 * How many sends ahead a waiting send brings forward at most: enough for the line to move at its gap
 * until the queue brings the rest back (a pull every stall of a quarter wait, 4 at a time, moved a
 * 50 ms-gap line at 9 a second).
 */
const THROTTLE_PULL_LIMIT = 16;
/** A send with sends ahead of it whose slot is already within the lead asks again after this long. */
const THROTTLE_RECHECK_MS = 10;

/** What a waiting send saw of its line: when it started, when the line last moved, its last pull, the sends ahead. */
interface LineWatch {
  started: number;
  progressAt: number;
  pulledAt: number;
  ahead: number;
}

/** Settings of the in-worker wait (see `ExecutionServiceDeps`). */
export interface SendWaitSettings {
  /** A cap's slot at most this far away is waited for by the worker; 0: always deferred. */
  throttleWaitMs?: number | undefined;
  /**
   * How many sends with sends ahead of them may wait in this process at once (default: no bound). A
   * worker runs a bounded number of jobs at once: were all of them waiting, the send they wait for could
   * not be fetched from the queue and they would wait for nothing until the stall limit. Beyond it a send
   * goes back to the queue, to come back the lead before its slot.
   */
  throttleMaxWaiting?: number | undefined;
}

/**
 * Step 1 of a send as a worker runs it (`ActionRunner.executeAction`): a throttled send whose slot is at
 * most `throttleWaitMs` away waits for it here, no lock held, instead of being deferred through the queue
 * (behind a 50 ms min gap, a queue's delay or poll interval comes back later than the gap, behind every
 * job due meanwhile). It wakes `THROTTLE_LEAD_MS` before its slot and is claimed for it (`SendClaims`),
 * then waits for the slot before the transport is called (`untilSlot`).
 *
 * It waits while the sends ahead of it go: when none of them went for `THROTTLE_STALL_LIMIT` times
 * `throttleWaitMs` (they are not running: their jobs wait in the queue behind this one) or after
 * `THROTTLE_WAIT_LIMIT` times it in all, the send is deferred as any other and frees its slot.
 */
export class SendWaits {
  private readonly claims: SendClaims;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly throttleWaitMs: number;
  private readonly leadMs: number;
  private readonly maxWaiting: number;
  /** Sends with sends ahead of them waiting in this process now. */
  private waiting = 0;

  constructor(
    deps: {
      claims: SendClaims;
      clock: Clock;
      scheduler: Scheduler;
      /** Waits for a throttled send's slot (default: a timer). */
      sleep?: ((ms: number) => Promise<void>) | undefined;
      /** The action permits of this process (`ActionRunner`): given back while a send sleeps. */
      permits?: Permits | undefined;
    },
    settings: SendWaitSettings,
  ) {
    this.claims = deps.claims;
    this.clock = deps.clock;
    this.scheduler = deps.scheduler;
    const sleep = deps.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const permits = deps.permits;
    // A sleeping send holds no permit: the jobs behind it (a burst's backlog, the send it waits for) run
    // meanwhile. It takes one again when it wakes, ahead of jobs that have not started: its slot is now.
    this.sleep = permits ? (ms) => permits.sleep(() => sleep(ms)) : sleep;
    this.throttleWaitMs = settings.throttleWaitMs ?? 0;
    this.leadMs = deps.claims.leadMs;
    this.maxWaiting = settings.throttleMaxWaiting ?? Number.POSITIVE_INFINITY;
  }

  /** Claims the send (step 1), waiting for its slot when that is close. */
  async claim(ref: ActionRef): Promise<SendClaim | ExecuteActionResult> {
    const started = this.clock.now().getTime();
    const watch: LineWatch = {
      started,
      progressAt: started,
      pulledAt: started,
      ahead: Number.POSITIVE_INFINITY,
    };
    for (;;) {
      const claim = await this.claims.claimSend(ref, this.mayWait(watch));
      if (!('wait' in claim)) return claim;
      const at = this.clock.now().getTime();
      await this.seen(watch, claim.ahead, claim.line, at);
      // Back the lead before the slot, to be claimed for it; a send with sends ahead whose slot is already
      // that close waits a moment for them to be claimed.
      const wake = Math.max(
        claim.wait.getTime() - this.leadMs,
        at + (claim.ahead > 0 ? THROTTLE_RECHECK_MS : 0),
      );
      // Every job this process may wait with is waiting: back to the queue (its row says the slot already;
      // no entry), so the sends ahead can be fetched, to come back as a deferral's job does
      // (`comeBackEarlyMs`). Not a send whose slot is closer than that: its job would be due at once.
      const comeBack = claim.wait.getTime() - comeBackEarlyMs(this.throttleWaitMs);
      if (claim.ahead > 0 && this.waiting >= this.maxWaiting && comeBack > at) {
        const { actionId, contactId } = ref;
        await this.scheduler.schedule([{ actionId, contactId, runAt: new Date(comeBack), urgent: true }]);
        return { outcome: 'not_due' };
      }
      if (claim.ahead > 0) this.waiting += 1;
      try {
        await this.sleep(wake - at);
        if (claim.line) await this.watchLine(claim.line, watch);
      } finally {
        if (claim.ahead > 0) this.waiting -= 1;
      }
    }
  }

  /** Whether the send may still wait: its line moved lately, and it has not waited too long in all. */
  private mayWait(watch: LineWatch): boolean {
    const now = this.clock.now().getTime();
    return (
      this.throttleWaitMs > 0 &&
      now - watch.progressAt <= THROTTLE_STALL_LIMIT * this.throttleWaitMs &&
      now - watch.started <= THROTTLE_WAIT_LIMIT * this.throttleWaitMs
    );
  }

  /**
   * The sends ahead counted `at`: progress when fewer are left; when the line has not moved for a share of
   * the wait, its head may be away (deferred to come back later than the line reaches it): brought forward.
   */
  private async seen(watch: LineWatch, ahead: number, line: SendLine | undefined, at: number): Promise<void> {
    if (ahead < watch.ahead || ahead === 0) watch.progressAt = at;
    watch.ahead = ahead;
    const pullAfter = THROTTLE_PULL_SHARE * this.throttleWaitMs;
    if (line && ahead > 0 && at - watch.progressAt >= pullAfter && at - watch.pulledAt >= pullAfter) {
      watch.pulledAt = at;
      await this.claims.lines.pullAhead(line, THROTTLE_PULL_LIMIT);
    }
  }

  /**
   * While sends are ahead, the line is watched by counting them (one statement, `SendLines.ahead`), not by
   * claiming again (a whole claim transaction every `THROTTLE_RECHECK_MS` for each waiting send): until
   * none is left (this send's turn: claimed next, for its slot) or it may wait no longer (claimed next,
   * to be deferred).
   */
  private async watchLine(line: SendLine, watch: LineWatch): Promise<void> {
    while (watch.ahead > 0 && this.mayWait(watch)) {
      const ahead = await this.claims.lines.ahead(line);
      await this.seen(watch, ahead, line, this.clock.now().getTime());
      if (ahead === 0) return;
      await this.sleep(THROTTLE_RECHECK_MS);
    }
  }

  /** A send claimed ahead of its slot (`notBefore`) waits for it before it goes. */
  async untilSlot(claim: SendClaim): Promise<void> {
    if (!claim.notBefore) return;
    const ms = claim.notBefore.getTime() - this.clock.now().getTime();
    if (ms > 0) await this.sleep(ms);
  }
}
