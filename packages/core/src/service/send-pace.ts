import type { CampaignMode } from '../ports/records.ts';

/*
 * A sender's line (DESIGN section 11, "deferral keeps due order per sender") at the pace it really goes:
 * the caps place the sends ahead of a deferred send one min gap apart, but a loaded machine sends slower,
 * and a send that comes back at the gap's estimate finds most of them still ahead and is deferred again.
 */

/**
 * A throttled send in its sender's line: the sender, the campaign's mode, the action, its due time, and
 * `until`: the instant the caps give it behind the sends ahead (a send ahead tried later than that is
 * late for the line, see `SendLines.pullAhead`).
 */
export interface SendLine {
  senderId: string;
  mode: CampaignMode;
  actionId: string;
  dueAt: Date;
  until: Date;
}

/**
 * The sends right behind a send just claimed for `at` that its line keeps at hand (`SendLines.pullBehind`):
 * `count` of them, the line expected to reach each `intervalMs` after the one before.
 */
export interface AtHand {
  line: Omit<SendLine, 'until'>;
  at: Date;
  intervalMs: number;
  count: number;
}

/** The most sends a line keeps at hand behind a claimed one (`atHand`). */
const AT_HAND_LIMIT = 16;

/**
 * What a line keeps at hand behind a send claimed for `at`, for a worker that may wait `waitMs`: the sends
 * the line reaches within the wait at its pace (the min gap's, or the sender's recent one when slower),
 * at most `AT_HAND_LIMIT`; null without a wait or a fixed min gap (a line without one does not pace).
 */
export function atHand(
  line: Omit<SendLine, 'until'>,
  at: Date,
  gapMs: number | null,
  pace: Pick<SenderPace, 'intervalMs'> | null,
  waitMs: number,
): AtHand | null {
  if (gapMs === null || gapMs <= 0 || waitMs <= 0) return null;
  const intervalMs = Math.max(gapMs, pace?.intervalMs ?? 0);
  const count = Math.min(AT_HAND_LIMIT, Math.floor(waitMs / intervalMs));
  return count > 0 ? { line, at, intervalMs, count } : null;
}

/** The claims over which a sender's recent pace is measured (`SenderPace`). */
export const PACE_CLAIMS = 10;
/**
 * A paced retry expects the sends ahead to go in this share of the time their recent pace gives them: a
 * send back early is deferred again (a whole claim transaction, and a job), one back late is brought
 * forward by the line as it comes within reach (`SendLines.pullBehind`: one short transaction), so a
 * retry errs late rather than early. The 1,000-campaign pg-boss burst on a 2-core machine (1,830 TPS
 * pgbench), with the line keeping its sends at hand: 6.1 sends a second at 0.5 (4,151 deferrals), 9.3 at
 * 0.9 (2,414). Before lines kept their sends at hand, a late retry stalled the line until a send behind
 * it saw no progress (0.5 was kept then: BullMQ 10.5, pg-boss 7.0 on a 1,710 TPS machine).
 */
const PACE_SHARE = 0.9;
/** A paced retry is at most this many times as far from now as the caps' instant. */
const PACE_STRETCH = 2;

/**
 * How fast the sender's sends went lately: one every `intervalMs` (`senderPace`). `allowed`: whether the
 * send's plan allows an instant.
 */
export interface SenderPace {
  intervalMs: number;
  allowed: (t: Date) => boolean;
}

/** A sender is busy (its pace counts) when its last `PACE_CLAIMS` claims all fell within this. */
const PACE_WINDOW_MS = 60_000;

/**
 * The sender's pace from its latest claim and the one `PACE_CLAIMS` before: their mean interval, or, when
 * it has not claimed since for longer, the mean as if the next claim were now (a line that stalls is that
 * slow); null when it is not busy (fewer claims, or not all of them within `PACE_WINDOW_MS`).
 */
export function senderPace(
  last: Date | null,
  paceFrom: Date | null,
  now: Date,
): Omit<SenderPace, 'allowed'> | null {
  if (last === null || paceFrom === null) return null;
  const since = now.getTime() - paceFrom.getTime();
  if (since > PACE_WINDOW_MS) return null;
  const intervalMs = Math.max((last.getTime() - paceFrom.getTime()) / PACE_CLAIMS, since / (PACE_CLAIMS + 1));
  return intervalMs > 0 ? { intervalMs } : null;
}

/**
 * The pace a line that keeps its sends at hand (`atHand`) assumes before the sender has one (`senderPace`
 * null: a burst's start): half its min gap's rate (`PACE_STRETCH` gaps a send). A line that goes faster
 * brings the send forward as it comes within reach (`SendLines.pullBehind`): one pull, where at the gap's
 * pace every send far back came back early and was deferred again (a 1,000-send burst whose line started
 * at 4 a second: 20 deferrals a second for its first 50 s). A send that a daily or hourly cap holds keeps
 * the caps' instant: the sends ahead at that pace take less than it.
 */
export function assumedPace(gapMs: number): Omit<SenderPace, 'allowed'> {
  return { intervalMs: PACE_STRETCH * gapMs };
}

/**
 * When a deferred send with `ahead` sends before it is tried again: the caps' instant (`until`, which
 * places the sends ahead at the min gap's pace), or later when the sender's recent pace is slower: the
 * sends ahead are expected to go in `PACE_SHARE` of the time that pace gives them, so the send comes back
 * a little early rather than late (late, the line reaches it first and waits for it, until a send behind
 * it brings it forward, `SendLines.pullAhead`). Behind a 50 ms gap on a machine that sent 10 a second, a
 * send 500 back came back at the gap's estimate, found half of them still ahead, and was deferred again,
 * four or five times in all. Only an allowed instant (`pace.allowed`) before the send's `expiresAt`, else
 * `until`.
 */
export function pacedRetry(
  until: Date,
  now: Date,
  ahead: number,
  pace: SenderPace | null,
  expiresAt: Date | null,
): Date {
  if (pace === null || ahead === 0) return until;
  // At most `PACE_STRETCH` times as far as the caps' instant: a pace measured while the line stalled (the
  // burst's first deferrals) would send the sends far back away for long after it picks up.
  const capsMs = until.getTime() - now.getTime();
  const pacedMs = Math.min(ahead * pace.intervalMs * PACE_SHARE, PACE_STRETCH * capsMs);
  const paced = new Date(now.getTime() + Math.round(pacedMs));
  if (paced.getTime() <= until.getTime()) return until;
  if (expiresAt !== null && paced.getTime() > expiresAt.getTime()) return until;
  return pace.allowed(paced) ? paced : until;
}
