import type { OutboundEmail, Transport, TransportResult } from '@campaign/core';
import { Resend } from 'resend';
import { kindOfStatus, numberOr, providerError } from './classify.ts';
import { ECHO_FIELD, emailParts } from './email-parts.ts';

/** Options of the Resend transport. */
export interface ResendOptions {
  apiKey: string;
  /** The API's base URL (`https://api.resend.com` when absent); a test points it at a stand-in. */
  baseUrl?: string | undefined;
  defaultFrom?: string | undefined;
}

/** Resend's error names (its documented error codes) that are throttling or our key refused. */
const RETRYABLE = new Set(['rate_limit_exceeded', 'application_error', 'internal_server_error']);
const CREDENTIALS = new Set(['missing_api_key', 'invalid_api_key', 'restricted_api_key']);

/**
 * Email through Resend's API (`resend`): the echo id as a tag (back in every event's `tags`), the
 * provider's id from the answer's `id`, the message id as the idempotency key (a retried attempt is
 * not sent twice). The SDK answers `{ data, error }` instead of throwing; a `validation_error` that
 * names the `to` field is the recipient refused (a hard bounce).
 */
export class ResendTransport implements Transport {
  private readonly client: Resend;
  private readonly defaultFrom: string | undefined;

  constructor(options: ResendOptions) {
    this.client = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl } : undefined);
    this.defaultFrom = options.defaultFrom;
  }

  async send(email: OutboundEmail): Promise<TransportResult> {
    const parts = emailParts(email, this.defaultFrom);
    const { data, error } = await this.client.emails.send(
      {
        from: parts.from,
        to: [parts.to],
        subject: parts.subject,
        html: parts.html,
        text: parts.text,
        headers: parts.headers,
        tags: [{ name: ECHO_FIELD, value: parts.echoId }],
      },
      { idempotencyKey: `campaign-message/${email.messageId}` },
    );
    if (error) {
      const e = error as { name?: string; message?: string; statusCode?: unknown };
      const status = numberOr(e.statusCode) ?? undefined;
      const name = e.name ?? 'unknown';
      const message = e.message ?? 'unknown error';
      const kind = CREDENTIALS.has(name)
        ? 'bad_credentials'
        : RETRYABLE.has(name) && status === undefined
          ? 'retryable'
          : kindOfStatus(status, name === 'validation_error' && /\bto\b/i.test(message));
      throw providerError('Resend', kind, { status, code: name, message, cause: error });
    }
    return { providerMessageId: data?.id ?? null };
  }
}
