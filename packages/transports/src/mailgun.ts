import type { OutboundEmail, Transport, TransportResult } from '@campaign/core';
import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import { kindOfStatus, numberOr, providerError } from './classify.ts';
import { bareAddress, ECHO_FIELD, emailParts } from './email-parts.ts';

/** Options of the Mailgun transport. */
export interface MailgunOptions {
  apiKey: string;
  /** The sending domain; absent: the domain of the from address. */
  domain?: string | undefined;
  /** The API's base URL (`https://api.mailgun.net` when absent; `https://api.eu.mailgun.net` in the EU). */
  baseUrl?: string | undefined;
  defaultFrom?: string | undefined;
}

type MailgunClient = ReturnType<Mailgun['client']>;

/**
 * Email through Mailgun's Messages API (`mailgun.js`): headers as `h:` fields, the echo id as the
 * `v:` variable (back as the event's `user-variables`), the provider's id from the answer's `id`.
 * A 400 that names the `to` parameter is the recipient refused (a hard bounce).
 */
export class MailgunTransport implements Transport {
  private readonly client: MailgunClient;
  private readonly domain: string | undefined;
  private readonly defaultFrom: string | undefined;

  constructor(options: MailgunOptions) {
    this.client = new Mailgun(FormData).client({
      username: 'api',
      key: options.apiKey,
      ...(options.baseUrl ? { url: options.baseUrl } : {}),
    });
    this.domain = options.domain;
    this.defaultFrom = options.defaultFrom;
  }

  async send(email: OutboundEmail): Promise<TransportResult> {
    const parts = emailParts(email, this.defaultFrom);
    const domain = this.domain ?? bareAddress(parts.from).split('@')[1];
    if (!domain) throw new Error(`no Mailgun domain for the from ${JSON.stringify(parts.from)}`);
    const headerFields = Object.fromEntries(Object.entries(parts.headers).map(([k, v]) => [`h:${k}`, v]));
    let answer: { id?: string | undefined };
    try {
      answer = await this.client.messages.create(domain, {
        from: parts.from,
        to: [parts.to],
        subject: parts.subject,
        html: parts.html,
        text: parts.text,
        ...headerFields,
        [`v:${ECHO_FIELD}`]: parts.routedEchoId,
      });
    } catch (error) {
      const e = error as { status?: unknown; details?: unknown; message?: string };
      const status = numberOr(e.status);
      const details = typeof e.details === 'string' ? e.details : (e.message ?? 'unknown error');
      const recipient = status === 400 && /\bto\b.*(invalid|not a valid)|invalid.*\bto\b/i.test(details);
      throw providerError('Mailgun', kindOfStatus(status, recipient), {
        status,
        message: details,
        cause: error,
      });
    }
    return { providerMessageId: answer.id ?? null };
  }
}
