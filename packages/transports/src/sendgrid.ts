import type { OutboundEmail, Transport, TransportResult } from '@campaign/core';
import sendgrid from '@sendgrid/mail';
import { kindOfStatus, numberOr, providerError } from './classify.ts';
import { ECHO_FIELD, emailParts } from './email-parts.ts';

/** Options of the SendGrid transport. */
export interface SendgridOptions {
  apiKey: string;
  /** The API's base URL (`https://api.sendgrid.com/` when absent); a test points it at a stand-in. */
  baseUrl?: string | undefined;
  /** The from of an email without a sender. */
  defaultFrom?: string | undefined;
}

/** What of the SDK's client (created per MailService, untyped there) the base-URL option needs. */
interface WithClient {
  client: { setDefaultRequest(key: 'baseUrl', value: string): unknown };
}

/**
 * Email through SendGrid's v3 Mail Send API (`@sendgrid/mail`): the echo id as a custom arg (back as a
 * top-level key of every event), the provider's id from the `X-Message-Id` answer header. A 400 about
 * a `personalizations…to…email` field is the recipient refused (a hard bounce).
 */
export class SendgridTransport implements Transport {
  private readonly mail: typeof sendgrid;
  private readonly defaultFrom: string | undefined;

  constructor(options: SendgridOptions) {
    // A MailService of its own (and with it a client of its own): the module's default is a singleton.
    this.mail = new (sendgrid.constructor as new () => typeof sendgrid)();
    this.mail.setApiKey(options.apiKey);
    // After setApiKey, which sets the region's host.
    if (options.baseUrl)
      (this.mail as unknown as WithClient).client.setDefaultRequest('baseUrl', options.baseUrl);
    this.defaultFrom = options.defaultFrom;
  }

  async send(email: OutboundEmail): Promise<TransportResult> {
    const parts = emailParts(email, this.defaultFrom);
    let response: { headers: Record<string, unknown> };
    try {
      [response] = await this.mail.send({
        from: parts.from,
        to: parts.to,
        subject: parts.subject,
        html: parts.html,
        text: parts.text,
        headers: parts.headers,
        customArgs: { [ECHO_FIELD]: parts.routedEchoId },
      });
    } catch (error) {
      throw sendgridError(error);
    }
    const id = response.headers['x-message-id'];
    return { providerMessageId: typeof id === 'string' && id !== '' ? id : null };
  }
}

/** SendGrid's error answer: `{ errors: [{ message, field, help }] }`. */
function sendgridError(error: unknown) {
  const e = error as { code?: unknown; response?: { body?: unknown }; message?: string };
  const status = numberOr(e.code);
  const body = e.response?.body as { errors?: { message?: string; field?: string | null }[] } | undefined;
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  const recipient =
    status === 400 && errors.some((x) => /^personalizations\.\d+\.to\.\d+\.email$/.test(x.field ?? ''));
  const message =
    errors.map((x) => (x.field ? `${x.field}: ${x.message}` : x.message)).join('; ') || e.message;
  return providerError('SendGrid', kindOfStatus(status, recipient), {
    status,
    code: errors[0]?.field ?? undefined,
    message: message ?? 'unknown error',
    cause: error,
  });
}
