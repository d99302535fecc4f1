import type { StoreTransaction } from '../ports/campaign-store.ts';
import type { OutboundEmail, OutboundSms, TransportErrorKind } from '../ports/transport.ts';
import type { EventIntakeInput } from './event-intake.ts';

/**
 * What the send path does with a transport's refusal, by its kind (see `TransportError`), besides
 * marking the message `failed`:
 * - `retryable` (and any error that is not a TransportError): retried with backoff, given up after the
 *   last attempt, as before;
 * - `bad_credentials` with a sender: the sender is disabled with the reason visible, and the send is
 *   released (held by the throttle as `sender_disabled` until the sender is enabled again), never given
 *   up; without a sender (the default one) it is retried as `retryable`;
 * - `recipient_rejected`: a hard bounce (see `hardBounceEvent`);
 * - `permanent`: given up at once (trying again cannot help).
 */
export function refusalIsFinal(kind: TransportErrorKind): boolean {
  return kind === 'permanent' || kind === 'recipient_rejected';
}

/**
 * A `bad_credentials` refusal of a sender's send: the sender is disabled, its `pausedReason` says why
 * (the senders list shows it; `PATCH {"enabled": true}` clears it once the credential is fixed).
 * Returns true when a sender was disabled (the send is then held, not given up).
 */
export async function disableOnBadCredentials(
  tx: StoreTransaction,
  request: OutboundEmail | OutboundSms | undefined,
  kind: TransportErrorKind,
  error: string,
  at: Date,
): Promise<boolean> {
  const senderId = request?.sender?.id;
  if (kind !== 'bad_credentials' || senderId === undefined) return false;
  const reason = `bad_credentials: ${error}`.slice(0, 500);
  return (await tx.senders.update(senderId, { enabled: false, pausedReason: reason }, at)) !== null;
}

/**
 * The `bounced` event of a message whose recipient the provider refused at send time: the same hard
 * bounce a provider reports after accepting a message, so the campaign exits (or takes its `bounced`
 * transition) as the plan says, and the sender's hard-bounce rate counts it. Its id is per message, so
 * a refusal seen again (a retried claim) is a duplicate.
 */
export function hardBounceEvent(messageId: string, error: string, at: Date): EventIntakeInput {
  return {
    provider: 'transport',
    providerEventId: `recipient_rejected:${messageId}`,
    messageId,
    type: 'bounced',
    rawType: 'recipient_rejected',
    occurredAt: at,
    payload: { error },
  };
}
