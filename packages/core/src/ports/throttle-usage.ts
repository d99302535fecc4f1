import type { CampaignMode } from './records.ts';

/**
 * What throttling (DESIGN section 11) reads and records in the claim transaction (`tx.throttle`).
 *
 * Instants are claim instants (`claimedAt` of a message, the service's clock; never the database's).
 * A message counts while it is claimed or sent (status `sending` or `sent`); a `failed` one gave its
 * slot back, a `shadow` one never used one. With `mode` `shadow` (default `live`) every count is of
 * `shadow` messages (and of shadow campaigns) instead: shadow sends have counters of their own. Callers MUST hold the sender's row lock
 * (`tx.senders.lock`) when they read a sender's usage and then reserve, so that any number of workers
 * agree without over-granting.
 */
export interface ThrottleUsageRepository {
  /** Claim instants of the sender's messages in `[from, to]`, ascending. */
  senderClaims(senderId: string, from: Date, to: Date, mode?: CampaignMode): Promise<Date[]>;
  /**
   * In one round trip (it runs under the sender's lock): how many of the sender's messages were claimed
   * in `[dayStart, nextDayStart)`, its latest claim instant (null before its first), and `ahead`: how
   * many other pending sends of the sender (its active campaigns) are due by `now` (`dueAt <= now`,
   * deferred or not) and ahead of `action` in due order `(dueAt, id)`: they take slots first; and
   * `paceFrom`: the claim instant `paceClaims` claims back from the latest (its `paceClaims + 1`-th latest;
   * null with fewer, or without `paceClaims`), from which the sender's recent pace is measured. With
   * `heldFrom`, `ahead` counts only the sends whose `runAt` is at or after it (a send planned when it is
   * stored for later, `SendLinePlanner`: the sends ahead that will still wait then).
   */
  senderState(
    senderId: string,
    day: { start: Date; next: Date },
    action: { id: string; dueAt: Date },
    now: Date,
    mode?: CampaignMode,
    paceClaims?: number,
    heldFrom?: Date,
  ): Promise<{ today: number; last: Date | null; ahead: number; paceFrom: Date | null }>;
  /** Claim instants of the contact's messages (every campaign, both channels) in `(from, to]`, ascending. */
  contactClaims(contactId: string, from: Date, to: Date, mode?: CampaignMode): Promise<Date[]>;
  /** The reason of the action's latest `deferred` timeline entry, null when it was never deferred. */
  lastDeferralReason(campaignId: string, actionId: string): Promise<string | null>;
}

/**
 * A sender's line (DESIGN section 11, due order per sender) as a waiting or just-claimed send watches it:
 * reads outside any transaction (`CampaignReader.lines`), one round trip each, no lock taken (a waiting
 * send counts the sends ahead every few milliseconds; a BEGIN and COMMIT around each would triple it).
 */
export interface SenderLineReader {
  /** `senderState`'s `ahead` alone: how many of the sender's pending sends take slots before `action`. */
  sendsAhead(
    senderId: string,
    action: { id: string; dueAt: Date },
    now: Date,
    mode: CampaignMode,
  ): Promise<number>;
  /**
   * The head of the sender's line ahead of `action`: of the sends `ahead` counts (`senderState`), the
   * first `limit` in due order, each with its contact, campaign and `runAt`.
   */
  lineHead(
    senderId: string,
    action: { id: string; dueAt: Date },
    now: Date,
    mode: CampaignMode,
    limit: number,
  ): Promise<{ actionId: string; contactId: string; campaignId: string; runAt: Date }[]>;
  /**
   * The sends right behind `action` in its sender's line: the first `limit` of the sender's pending sends
   * (its active campaigns of `mode`) due by `now` and after `action` in due order `(dueAt, id)`, each with
   * its contact, campaign and `runAt`.
   */
  lineBehind(
    senderId: string,
    action: { id: string; dueAt: Date },
    now: Date,
    mode: CampaignMode,
    limit: number,
  ): Promise<{ actionId: string; contactId: string; campaignId: string; runAt: Date }[]>;
}
