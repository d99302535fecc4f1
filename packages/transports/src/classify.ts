import { TransportError, type TransportErrorKind } from '@campaign/core';

/**
 * The kind of a provider's refusal from its HTTP status, shared by every API transport: throttling
 * (429), a 5xx or no answer at all (a network failure, a timeout) is retryable; 401 and 403 are bad
 * credentials; any other 4xx is permanent, unless the provider said the recipient itself was refused
 * (`recipientRejected`, judged per provider from its documented error codes).
 */
export function kindOfStatus(status: number | undefined, recipientRejected = false): TransportErrorKind {
  if (status === undefined || status === 429 || status >= 500) return 'retryable';
  if (recipientRejected) return 'recipient_rejected';
  if (status === 401 || status === 403) return 'bad_credentials';
  return 'permanent';
}

/** A TransportError for `provider`'s refusal: the message says which provider, status and code. */
export function providerError(
  provider: string,
  kind: TransportErrorKind,
  detail: {
    status?: number | undefined;
    code?: string | number | undefined;
    message?: string;
    cause?: unknown;
  },
): TransportError {
  const code = detail.code === undefined ? undefined : String(detail.code);
  const what = [detail.status === undefined ? 'no answer' : `HTTP ${detail.status}`, code]
    .filter((part) => part !== undefined)
    .join(' ');
  return new TransportError(
    kind,
    `${provider} refused the message (${what}): ${detail.message ?? 'no message'}`,
    {
      status: detail.status,
      providerCode: code,
      cause: detail.cause,
    },
  );
}

/** A number when `value` is one (an SDK error's status field), else undefined. */
export function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
