import { WebhookVerificationError } from './errors.ts';
import { createMailgunSignatureCheck } from './providers/mailgun.ts';
import { InMemoryReplayCache } from './replay-cache.ts';
import type { ReplayCache } from './types.ts';

/** The fields a Mailgun route forward carries its signature in (form fields, at the top level). */
export interface MailgunSignatureFields {
  timestamp: string | null;
  token: string | null;
  signature: string | null;
}

/** Whether a route forward is Mailgun's; `ok: false` says why not (a 401's stable code). */
export type MailgunSignatureVerdict =
  | { ok: true }
  | { ok: false; status: 401; code: string; message: string };

/**
 * The check for Mailgun routes' forwards (inbound mail, `forward("https://.../mime")`): the same
 * signature, freshness window and one-time tokens as Mailgun's event webhooks (see
 * createMailgunSignatureCheck), for the fields a forward posts. Throws WebhookConfigurationError for an
 * empty key, at startup.
 *
 * @param toleranceSeconds how far the timestamp may be from now; default 300
 */
export function createMailgunInboundCheck(
  signingKey: string,
  options: { toleranceSeconds?: number; replayCache?: ReplayCache } = {},
): (fields: MailgunSignatureFields, now: Date) => MailgunSignatureVerdict {
  const check = createMailgunSignatureCheck(
    signingKey,
    options.toleranceSeconds ?? 300,
    options.replayCache ?? new InMemoryReplayCache(),
  );
  return (fields, now) => {
    try {
      check({ timestamp: fields.timestamp, token: fields.token, signature: fields.signature }, now);
      return { ok: true };
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        return { ok: false, status: 401, code: error.code, message: error.message };
      }
      throw error;
    }
  };
}
