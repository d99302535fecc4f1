/**
 * How far an event's time may stray from what is possible, in milliseconds: 5 minutes. Clocks of
 * providers, mail clients and our own hosts disagree by seconds, rarely by minutes; an event dated
 * before its message was sent by more than this, or ahead of our clock by more than this, is a wrong
 * timestamp (a default date, a test payload, a bad time zone), and trusting it would let it satisfy a
 * `within` window or beat a timeout it never raced.
 */
export const EVENT_TIME_TOLERANCE_MS = 5 * 60_000;

/** Why an event's time cannot be true: `before_send` (before its message was sent) or `future`. */
export type ImplausibleTimeReason = 'before_send' | 'future';

/**
 * Checks an event's time against its message's send time and the current time (both with
 * EVENT_TIME_TOLERANCE_MS of slack). Returns null when the time is plausible, else why not.
 *
 * @param occurredAt when the event says it happened
 * @param sentAt when its message was sent; null when the event has no message (an unsubscribe by
 *   contact) or the message is not recorded as sent yet: then only the future bound applies
 * @param now the service clock's current time
 */
export function implausibleEventTime(
  occurredAt: Date,
  sentAt: Date | null,
  now: Date,
): ImplausibleTimeReason | null {
  const at = occurredAt.getTime();
  if (at > now.getTime() + EVENT_TIME_TOLERANCE_MS) return 'future';
  if (sentAt !== null && at < sentAt.getTime() - EVENT_TIME_TOLERANCE_MS) return 'before_send';
  return null;
}
