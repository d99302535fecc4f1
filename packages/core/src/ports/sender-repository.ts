import type {
  Sender,
  SenderCaps,
  SenderChannel,
  SenderHealthFigures,
  SenderTransportName,
  SenderWarmup,
} from '../senders/sender.ts';

export interface NewSender {
  id: string;
  channel: SenderChannel;
  from: string;
  timezone: string;
  caps: SenderCaps;
  warmup: SenderWarmup | null;
  enabled: boolean;
  transport: SenderTransportName;
  createdAt: Date;
}

/** The fields an update changes; an absent field is kept. */
export interface SenderPatch {
  from?: string;
  timezone?: string;
  caps?: SenderCaps;
  warmup?: SenderWarmup | null;
  enabled?: boolean;
  transport?: SenderTransportName;
  pausedAt?: Date | null;
  pausedReason?: string | null;
  health?: SenderHealthFigures | null;
}

/** Which of a sender's messages a usage count covers: live sends, or shadow ones (counters of their own). */
export type SenderUsageMode = 'live' | 'shadow';

/**
 * The senders (DESIGN section 11), on the transaction scope (`tx.senders`).
 *
 * A soft-deleted sender MUST be invisible to `get`, `lock`, `list` and `update`. Usage counts are of the
 * sender's messages by their claim instant (`claimedAt` of the message, the service's clock): a live
 * count covers messages claimed or sent (status `sending` or `sent`; a `failed` one gave its slot
 * back), a shadow count those recorded with status `shadow`. The repository MUST NOT count by the
 * database's own clock.
 */
export interface SenderRepository {
  /** Stores a new sender; null when the id is taken (by a sender, deleted or not). */
  insert(sender: NewSender): Promise<Sender | null>;
  /**
   * The sender (null when it does not exist or is deleted). MAY answer with the row as this transaction
   * last read, locked or wrote it, without reading again.
   */
  get(senderId: string): Promise<Sender | null>;
  /** The sender, locked (FOR UPDATE) until the transaction ends: serializes cap decisions per sender. */
  lock(senderId: string): Promise<Sender | null>;
  /** Every sender not deleted, optionally of one channel, in id order. */
  list(channel?: SenderChannel): Promise<Sender[]>;
  /** Applies the patch; null when the sender does not exist (or is deleted). */
  update(senderId: string, patch: SenderPatch, at: Date): Promise<Sender | null>;
  /** Marks it deleted; false when it did not exist (or was deleted already). */
  softDelete(senderId: string, at: Date): Promise<boolean>;
  /** Its campaigns (either channel) that are not over: `pending`, `active` or `paused`. */
  activeCampaignCount(senderId: string): Promise<number>;
  /** Its messages claimed in `[from, to)` (see the contract above). `mode` defaults to `live`. */
  countSends(senderId: string, from: Date, to: Date, mode?: SenderUsageMode): Promise<number>;
  /** The claim instant of its latest message of that mode (`live` by default); null before its first. */
  lastSendAt(senderId: string, mode?: SenderUsageMode): Promise<Date | null>;
  /**
   * Pending send actions, of the channel the sender serves, of its open campaigns, with `runAt` in
   * `[from, to)`: the sends it is due to make (what least-loaded assignment adds to the day's sent).
   */
  countDue(senderId: string, from: Date, to: Date): Promise<number>;
  /**
   * Of its latest `window` live messages sent (status `sent`, by claim instant), how many drew a
   * complaint and how many a hard bounce (a stored `bounced` event is a hard one: soft bounces are not
   * stored as bounces). What the sender's health rates divide.
   */
  healthCounts(
    senderId: string,
    window: number,
  ): Promise<{ sent: number; complaints: number; hardBounces: number }>;
}
