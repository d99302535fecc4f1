/** The emergency stop (DESIGN section 11): whether sending is enabled, and since when it is as it is. */
export interface SendingControl {
  enabled: boolean;
  /** When `enabled` last changed; null when it never has (sending enabled since the store began). */
  since: Date | null;
}

/** A send held without an end, as its latest `deferred` timeline entry records it. */
export interface SendHold {
  reason: string;
  at: Date;
}

/**
 * What holds sends without an end, on the store transaction (`tx.holds`).
 *
 * `control` MUST read the one stored state (enabled with `since` null when nothing was ever set). `setControl`
 * MUST change `since` only when `enabled` changes (setting the same value twice keeps the first instant),
 * and MUST serialize concurrent callers (the row is locked). `currentHold` MUST answer from the action's
 * latest `deferred` entry: that entry's reason and time when its `until` is null, else null (the send was
 * last moved to an instant, or never deferred).
 */
export interface SendHoldRepository {
  control(): Promise<SendingControl>;
  setControl(enabled: boolean, at: Date): Promise<SendingControl>;
  currentHold(campaignId: string, actionId: string): Promise<SendHold | null>;
}
