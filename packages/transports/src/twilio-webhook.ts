import twilio from 'twilio';

/** Where Twilio posts status callbacks and inbound messages, under `PUBLIC_URL`. */
export const TWILIO_WEBHOOK_PATH = '/v1/webhooks/twilio';

/** A delivery report (status callback) of an SMS we sent, matched by `MessageSid`. */
export interface TwilioStatusEvent {
  /** Twilio gives status callbacks no id of their own: `<MessageSid>:<MessageStatus>`, stable across retries. */
  providerEventId: string;
  /** The SMS's `MessageSid`: the provider message id our send stored. */
  providerMessageId: string;
  /** `delivered`, `bounced` (`undelivered`, `failed`), or null for the in-between statuses (stored, ignored). */
  type: 'delivered' | 'bounced' | null;
  /** Twilio's `MessageStatus`. */
  rawType: string;
  occurredAt: Date;
  payload: Record<string, string>;
}

/** An SMS a contact sent to one of our numbers. */
export interface TwilioInboundMessage {
  /** The inbound message's `MessageSid`. */
  providerEventId: string;
  /** The contact's number (`From`). */
  from: string;
  /** Our sender's number (`To`). */
  to: string;
  text: string;
  occurredAt: Date;
  payload: Record<string, string>;
}

/** What a Twilio webhook request is, once verified; `ok: false` is the HTTP status to answer with. */
export type TwilioWebhookResult =
  | { ok: true; kind: 'status'; event: TwilioStatusEvent }
  | { ok: true; kind: 'inbound'; message: TwilioInboundMessage }
  | { ok: false; status: 400 | 401; code: string; message: string };

/** Settings of {@link createTwilioWebhookVerifier}. */
export interface TwilioWebhookConfig {
  /** The account's auth token: Twilio signs every webhook with it. */
  authToken: string;
  /** `PUBLIC_URL`, the address Twilio was given for this service (no trailing slash needed). */
  publicUrl: string;
}

/**
 * Verifies a Twilio webhook by `X-Twilio-Signature`, with the SDK's own `validateRequest` over
 * `PUBLIC_URL` + `/v1/webhooks/twilio` and the posted form parameters, then reads it as a status
 * callback (it has `MessageStatus`) or an inbound message (it has `Body`). A missing or forged
 * signature is a 401 before anything is read; a verified body that is neither is a 400. Never throws
 * for a bad request; reads no clock (`now` dates what Twilio does not).
 */
export function createTwilioWebhookVerifier(config: TwilioWebhookConfig) {
  if (config.authToken.trim() === '') throw new Error('the Twilio auth token is empty');
  const url = new URL(
    TWILIO_WEBHOOK_PATH,
    config.publicUrl.endsWith('/') ? config.publicUrl : `${config.publicUrl}/`,
  ).href;
  return {
    url,
    handle(
      request: { rawBody: Buffer; headers: Record<string, string | string[] | undefined> },
      now: Date,
    ): TwilioWebhookResult {
      const header = request.headers['x-twilio-signature'];
      const signature = Array.isArray(header) ? (header.length === 1 ? header[0] : undefined) : header;
      if (!signature)
        return {
          ok: false,
          status: 401,
          code: 'missing_signature',
          message: 'X-Twilio-Signature is missing',
        };
      const params = formParams(request.rawBody);
      if (params === null || !twilio.validateRequest(config.authToken, signature, url, params)) {
        return {
          ok: false,
          status: 401,
          code: 'invalid_signature',
          message: `the Twilio signature does not match ${url} and the posted parameters`,
        };
      }
      return readWebhook(params, now);
    },
  };
}

/** The verifier {@link createTwilioWebhookVerifier} returns. */
export type TwilioWebhookVerifier = ReturnType<typeof createTwilioWebhookVerifier>;

/** The form body as Twilio signs it (each name once; a repeated name keeps its last value); null when not UTF-8. */
function formParams(rawBody: Buffer): Record<string, string> | null {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(rawBody);
    return Object.fromEntries(new URLSearchParams(text));
  } catch {
    return null;
  }
}

function readWebhook(params: Record<string, string>, now: Date): TwilioWebhookResult {
  const sid = params.MessageSid ?? params.SmsSid;
  if (!sid) return { ok: false, status: 400, code: 'malformed', message: 'the body has no MessageSid' };
  const status = params.MessageStatus;
  if (status !== undefined) {
    return {
      ok: true,
      kind: 'status',
      event: {
        providerEventId: `${sid}:${status}`,
        providerMessageId: sid,
        type:
          status === 'delivered'
            ? 'delivered'
            : status === 'undelivered' || status === 'failed'
              ? 'bounced'
              : null,
        rawType: status,
        occurredAt: now,
        payload: params,
      },
    };
  }
  const { From: from, To: to, Body: text } = params;
  if (from === undefined || to === undefined || text === undefined)
    return {
      ok: false,
      status: 400,
      code: 'malformed',
      message: 'neither a status callback (MessageStatus) nor an inbound message (From, To, Body)',
    };
  return {
    ok: true,
    kind: 'inbound',
    message: { providerEventId: sid, from, to, text, occurredAt: now, payload: params },
  };
}
