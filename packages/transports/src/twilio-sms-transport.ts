import { type OutboundSms, type SmsTransport, TransportError, type TransportResult } from '@campaign/core';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

/** Twilio's error code for a send to a number that replied STOP (the carrier-level opt-out). */
export const TWILIO_OPTED_OUT = 21610;

/** Settings of {@link TwilioSmsTransport}. */
export interface TwilioSmsTransportConfig {
  accountSid: string;
  authToken: string;
  /**
   * The sender number (E.164) used when a message names none (`OutboundSms.sender`): the `TWILIO_FROM`
   * default, until the campaign's SMS sender gives its own.
   */
  defaultFrom?: string | undefined;
  /**
   * Where the REST API is (`TWILIO_API_BASE_URL`), e.g. `http://127.0.0.1:4010`: every request the SDK
   * makes to `https://api.twilio.com` goes there instead, path and query kept. Default: Twilio itself.
   */
  apiBaseUrl?: string | undefined;
  /**
   * The status callback Twilio posts delivery reports to: `PUBLIC_URL` + `/v1/webhooks/twilio`. Absent:
   * no callback is asked for.
   */
  statusCallback?: string | undefined;
  /** Per-request timeout in milliseconds. Default 30 000 (the SDK's). */
  timeoutMs?: number | undefined;
}

/**
 * The SDK's own HTTP client, with every URI's origin replaced by the configured base URL: the SDK has
 * no base-URL option, and its RequestClient is the documented seam (`httpClient` in the client options).
 */
class RebasedRequestClient extends twilio.RequestClient {
  private readonly base: URL;

  constructor(base: string, timeoutMs: number | undefined) {
    super(timeoutMs === undefined ? {} : { timeout: timeoutMs });
    this.base = new URL(base);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = new URL(opts.uri);
    const rebased = new URL(uri.pathname + uri.search, this.base);
    return super.request<TData>({ ...opts, uri: rebased.href });
  }
}

/**
 * The SmsTransport on Twilio's Messages API, through the official SDK (`messages.create`). It never
 * retries (the SDK's auto-retry stays off: the execution service owns retries). A refusal is thrown as
 * a {@link TransportError}: Twilio's 21610 (the recipient opted out) as `recipient_opted_out`, a 429
 * or a 5xx (or no answer at all) as `retryable`, any other 4xx as `permanent`.
 */
export class TwilioSmsTransport implements SmsTransport {
  private readonly client: twilio.Twilio;
  private readonly defaultFrom: string | undefined;
  private readonly statusCallback: string | undefined;

  constructor(config: TwilioSmsTransportConfig) {
    if (config.accountSid.trim() === '' || config.authToken.trim() === '')
      throw new Error('TwilioSmsTransport needs an account SID and an auth token');
    this.client = twilio(config.accountSid, config.authToken, {
      autoRetry: false,
      ...(config.timeoutMs !== undefined ? { timeout: config.timeoutMs } : {}),
      ...(config.apiBaseUrl
        ? { httpClient: new RebasedRequestClient(config.apiBaseUrl, config.timeoutMs) }
        : {}),
    });
    this.defaultFrom = config.defaultFrom;
    this.statusCallback = config.statusCallback;
  }

  async send(sms: OutboundSms): Promise<TransportResult> {
    const from = sms.sender?.from ?? this.defaultFrom;
    if (!from) throw new TransportError('permanent', `SMS ${sms.messageId} has no sender number`);
    try {
      const message = await this.client.messages.create({
        to: sms.to,
        from,
        body: sms.text,
        ...(this.statusCallback ? { statusCallback: this.statusCallback } : {}),
      });
      return { providerMessageId: message.sid };
    } catch (error) {
      throw classify(error);
    }
  }
}

/** A Twilio refusal as a TransportError (see the class doc); anything without an HTTP status is retryable. */
export function classify(error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  if (error instanceof twilio.RestException) {
    const detail = `Twilio ${error.status}${error.code === undefined ? '' : ` (${error.code})`}: ${error.message}`;
    const details = {
      status: error.status,
      providerCode: error.code === undefined ? undefined : String(error.code),
      cause: error,
    };
    if (error.code === TWILIO_OPTED_OUT) return new TransportError('recipient_opted_out', detail, details);
    if (error.status === 429 || error.status >= 500) return new TransportError('retryable', detail, details);
    return new TransportError('permanent', detail, details);
  }
  // Connection refused, a timeout, a body that is not JSON: the provider may not have seen it.
  const message = error instanceof Error ? error.message : String(error);
  return new TransportError('retryable', `Twilio unreachable: ${message}`, { cause: error });
}
