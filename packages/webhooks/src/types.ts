/** The email providers whose engagement webhooks this package verifies. */
export type ProviderName = 'sendgrid' | 'mailgun' | 'postmark' | 'ses' | 'resend';

/** The list of every provider name, for callers that route on a path segment. */
export const PROVIDER_NAMES: readonly ProviderName[] = ['sendgrid', 'mailgun', 'postmark', 'ses', 'resend'];

/** An HTTP request as the edge received it: the body untouched, header names in lower case. */
export interface WebhookRequest {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

/** What the engine reacts to; `null` means "store it, do nothing". */
export type NormalizedEventType =
  | 'delivered'
  | 'opened'
  | 'clicked'
  | 'replied'
  | 'bounced'
  | 'complained'
  | 'unsubscribed';

/** One provider event, reduced to the fields the campaign engine needs. */
export interface NormalizedEvent {
  /**
   * The provider's own event id, the dedupe key. Postmark gives none: there it is derived
   * (see `postmarkEventId`), stable across redeliveries of the same record.
   */
  providerEventId: string;
  /**
   * Our message id (a UUID) as the provider echoed it back from the message's echo field
   * (`campaign_message_id` in SendGrid unique args, Mailgun variables, Postmark metadata, SES message
   * tags, Resend tags): the first thing to match a message by, whatever transport sent it. Null when
   * absent or not a UUID.
   */
  echoedMessageId: string | null;
  /** How the provider names the message, as its send API or SMTP reply returned it. */
  providerMessageId: string | null;
  /** The RFC 5322 Message-ID in `<local@domain>` form, when the payload carries it. */
  messageIdHeader: string | null;
  /** `null`: unknown type, soft bounce, deferral and the like — stored and ignored. */
  type: NormalizedEventType | null;
  /** The provider's own event name. */
  rawType: string;
  occurredAt: Date;
  email: string | null;
  /** An open made by a machine or privacy proxy (Apple Mail Privacy Protection), as the provider says. */
  machine: boolean;
  /** A bot or link-scanner hit, as the provider says. */
  bot: boolean;
  autoReply: boolean;
  /** The item as received (for SES: the SES event carried in the SNS `Message`). */
  payload: unknown;
}

/** An item of a verified request that could not be normalized. */
export interface RejectedItem {
  index: number;
  code: string;
  message: string;
}

/** What the caller must do besides storing events: confirm an SNS subscription by visiting the URL. */
export interface SnsSubscriptionConfirmationReply {
  kind: 'sns_subscription_confirmation';
  subscribeUrl: string;
}

/**
 * The outcome of one webhook request. `ok: false` maps to the HTTP status to answer with:
 * 401 for anything that fails authentication (forged, stale, replayed, unsigned, not configured),
 * 400 for a body that cannot be read at all.
 */
export type WebhookResult =
  | {
      ok: true;
      events: NormalizedEvent[];
      rejected: RejectedItem[];
      reply?: SnsSubscriptionConfirmationReply;
    }
  | { ok: false; status: 400 | 401; code: string; message: string };

/** The secrets of the providers in use; a provider left out answers 401 `provider_not_configured`. */
export interface ProviderSecrets {
  /** The ECDSA P-256 verification key as SendGrid shows it: base64 of the DER SubjectPublicKeyInfo, or PEM. */
  sendgridPublicKey?: string;
  /** Mailgun's "HTTP webhook signing key". */
  mailgunSigningKey?: string;
  /** The HTTP basic auth credentials set on the Postmark webhook. */
  postmark?: { username: string; password: string };
  ses?: {
    /** SNS topics allowed to post; anything else is refused before a certificate is fetched. */
    topicArns: string[];
    /** Fetches the PEM certificate at an already-vetted SNS URL (injected so tests serve a local one). */
    fetchCertificate: (url: string) => Promise<string>;
    /**
     * Refuse SignatureVersion 1 (SHA1withRSA). Default false: SNS signs with 1 unless the topic's
     * `SignatureVersion` attribute is set to 2, and both are signed by AWS's certificate.
     */
    requireSignatureVersion2?: boolean;
  };
  /** The Resend (Svix) signing secret, `whsec_<base64>`. */
  resendSecret?: string;
}

/** Remembers one-time values (Mailgun tokens) to refuse a second delivery of the same signed request. */
export interface ReplayCache {
  /** True if `key` was already seen and has not expired; otherwise records it for `ttlSeconds` and returns false. */
  seen(key: string, now: Date, ttlSeconds: number): boolean;
}

/** Options of {@link createWebhookVerifier}. */
export interface WebhookVerifierOptions {
  /** Largest accepted clock difference for SendGrid, Mailgun and Resend timestamps. Default 300. */
  toleranceSeconds?: number;
  /**
   * Largest accepted age of an SNS message. Default 3600: SNS retries a failed delivery with the
   * original Timestamp for up to an hour, so the 5-minute window would refuse legitimate retries.
   */
  sesToleranceSeconds?: number;
  /** Where Mailgun tokens are remembered. Default: a fresh {@link InMemoryReplayCache} per verifier. */
  replayCache?: ReplayCache;
}

/** The verifier returned by {@link createWebhookVerifier}. */
export interface WebhookVerifier {
  handle(provider: ProviderName, request: WebhookRequest, now: Date): Promise<WebhookResult>;
}
