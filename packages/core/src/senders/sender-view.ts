import type { StoreTransaction } from '../ports/campaign-store.ts';
import {
  effectiveDailyCap,
  localDayRange,
  type Sender,
  type SenderCaps,
  type SenderChannel,
  type SenderWarmup,
} from './sender.ts';

/** How many of a sender's latest live messages its health rates cover (DESIGN section 11, issue 12). */
export const HEALTH_WINDOW_MESSAGES = 1000;

/** A sender as the API returns it. */
export interface SenderView {
  id: string;
  channel: SenderChannel;
  from: string;
  timezone: string;
  caps: SenderCaps;
  warmup: SenderWarmup | null;
  enabled: boolean;
  /** The daily cap today (its local day), warm-up applied. */
  effectiveDailyCap: number;
  usage: {
    /** Live messages claimed or sent on its local day so far. */
    today: number;
    /** Live messages claimed or sent in the last 60 minutes. */
    lastHour: number;
  };
  health: {
    /** Complaints over its latest HEALTH_WINDOW_MESSAGES sent messages (0 to 1); 0 before any. */
    complaintRate: number;
    /** Hard bounces over the same messages (0 to 1). */
    hardBounceRate: number;
    pausedAt: Date | null;
    pausedReason: string | null;
  };
}

const HOUR_MS = 3_600_000;

/** The sender with its figures at `at`, read in the transaction. */
export async function senderView(tx: StoreTransaction, sender: Sender, at: Date): Promise<SenderView> {
  const { start } = localDayRange(sender.timezone, at);
  // Up to and including `at` (the ranges are half-open).
  const through = new Date(at.getTime() + 1);
  const today = await tx.senders.countSends(sender.id, start, through);
  const lastHour = await tx.senders.countSends(sender.id, new Date(at.getTime() - HOUR_MS), through);
  const health = await tx.senders.healthCounts(sender.id, HEALTH_WINDOW_MESSAGES);
  const rate = (n: number) => (health.sent === 0 ? 0 : n / health.sent);
  return {
    id: sender.id,
    channel: sender.channel,
    from: sender.from,
    timezone: sender.timezone,
    caps: sender.caps,
    warmup: sender.warmup,
    enabled: sender.enabled,
    effectiveDailyCap: effectiveDailyCap(sender, at),
    usage: { today, lastHour },
    health: {
      complaintRate: rate(health.complaints),
      hardBounceRate: rate(health.hardBounces),
      pausedAt: sender.pausedAt,
      pausedReason: sender.pausedReason,
    },
  };
}
