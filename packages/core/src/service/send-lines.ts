import { deferSend } from '../engine/engine.ts';
import type { CampaignStore, StoreTransaction } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { CampaignRecord, ScheduledActionRecord } from '../ports/records.ts';
import type { ThrottleReason } from '../senders/throttle.ts';
import { definition } from './campaign-record.ts';
import type { AtHand, SendLine } from './send-pace.ts';
import type { CampaignTransactions } from './transactions.ts';

export type { SendLine } from './send-pace.ts';

/** The deferral reasons of a sender's caps: a send ahead deferred for one of them may be brought forward. */
const SENDER_CAP_REASONS: ReadonlySet<string | null> = new Set<ThrottleReason>([
  'sender_min_gap',
  'sender_hourly_cap',
  'sender_daily_cap',
]);

/**
 * A sender's line whose head is away (DESIGN section 11, due order per sender): a send deferred by a pace
 * slower than the line then went (`pacedRetry`) is tried after the sends behind it could go, and they
 * wait for it. The sends behind it bring it forward (`SendWaits`, and a deferred send, `SendClaims`).
 */
export class SendLines {
  private readonly store: CampaignStore;
  private readonly clock: Clock;
  private readonly transactions: CampaignTransactions;

  constructor(deps: { store: CampaignStore; clock: Clock; transactions: CampaignTransactions }) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.transactions = deps.transactions;
  }

  /**
   * Keeps the next sends of a line at hand (`AtHand`): of the `count` sends right behind the one just
   * claimed (for `at`), those whose `runAt` is later than the line will reach them at its pace (one every
   * `intervalMs` after `at`), last deferred by their sender's caps (a paced retry the line outran), run
   * now: their jobs come to a worker, which waits for their slots (within the wait: the line reaches them
   * within it). Without this the line stalls at each of them until a send behind it sees no progress and
   * brings it forward (`pullAhead`), and on a polling queue its job waits for the next poll. Returns how
   * many moved.
   */
  async pullBehind(behind: AtHand): Promise<number> {
    const { line, at, intervalMs, count } = behind;
    const now = this.clock.now();
    const action = { id: line.actionId, dueAt: line.dueAt };
    const next = await this.store.read.lines.lineBehind(line.senderId, action, now, line.mode, count);
    let pulled = 0;
    for (const [i, send] of next.entries()) {
      const reached = new Date(at.getTime() + (i + 1) * intervalMs);
      if (send.runAt.getTime() > reached.getTime() && (await this.pull(send, now, reached))) pulled += 1;
    }
    return pulled;
  }

  /** How many sends of the line are still ahead of its send (`SenderLineReader.sendsAhead`). */
  async ahead(line: SendLine): Promise<number> {
    const now = this.clock.now();
    const action = { id: line.actionId, dueAt: line.dueAt };
    return this.store.read.lines.sendsAhead(line.senderId, action, now, line.mode);
  }

  /**
   * Whether a send whose job came back before its `runAt` (at most the wait ahead) may be claimed from
   * `now` on, its caps deciding when: its `runAt` is a paced retry (`pacedRetry`: last deferred by its
   * sender's caps), an estimate of when its line reaches it, and the plan's rules allow `now`. A line that
   * went faster than that estimate then does not wait for it; one that did not defers it again.
   */
  async pacedRetryDue(
    tx: StoreTransaction,
    campaign: CampaignRecord,
    action: ScheduledActionRecord,
    now: Date,
  ): Promise<boolean> {
    if (deferSend(definition(campaign), campaign.state, action, now) !== null) return false;
    return SENDER_CAP_REASONS.has(await tx.throttle.lastDeferralReason(campaign.id, action.id));
  }

  /**
   * Brings forward the head of a send's line (`line`) when it is late for the line: the first sends ahead
   * in due order (at most `limit`, up to the first one not late) that will be tried after the instant the
   * caps give this send behind them (`line.until`), deferred by a pace slower than the line went
   * (`pacedRetry`): last deferred by its sender's caps (not by its plan's rules, its contact's cap or a
   * hold). A send ahead that the caps hold longer (a daily cap) is not late. Each runs now, in its own
   * contact's transaction; returns how many moved.
   */
  async pullAhead(line: SendLine, limit: number): Promise<number> {
    const now = this.clock.now();
    const action = { id: line.actionId, dueAt: line.dueAt };
    const head = await this.store.read.lines.lineHead(line.senderId, action, now, line.mode, limit);
    const firstHeld = head.findIndex((send) => send.runAt.getTime() <= line.until.getTime());
    let pulled = 0;
    for (const send of firstHeld === -1 ? head : head.slice(0, firstHeld))
      if (await this.pull(send, now, line.until)) pulled += 1;
    return pulled;
  }

  /**
   * Runs a send of a line now (an urgent job) when it is still tried later than `laterThan` and was last
   * deferred by its sender's caps; in its own contact's transaction.
   */
  private async pull(
    send: { actionId: string; contactId: string; campaignId: string },
    now: Date,
    laterThan: Date,
  ): Promise<boolean> {
    const { actionId, contactId, campaignId } = send;
    return this.transactions.run(
      async (tx, pending) => {
        const reason = await tx.throttle.lastDeferralReason(campaignId, actionId);
        if (!SENDER_CAP_REASONS.has(reason)) return false;
        if (!(await tx.actions.pullForward(actionId, now, laterThan))) return false;
        pending.jobs.push({ actionId, contactId, runAt: now, urgent: true });
        return true;
      },
      { contactId },
    );
  }
}
