import type { OutboundEmail, Transport, TransportResult } from '@campaign/core';
import { ServerClient } from 'postmark';
import { kindOfStatus, numberOr, providerError } from './classify.ts';
import { ECHO_FIELD, emailParts } from './email-parts.ts';

/** Options of the Postmark transport. */
export interface PostmarkOptions {
  /** The server token. */
  apiKey: string;
  /** The API's base URL (`https://api.postmarkapp.com` when absent). */
  baseUrl?: string | undefined;
  /** The message stream (Postmark's default transactional stream when absent). */
  messageStream?: string | undefined;
  defaultFrom?: string | undefined;
}

/**
 * Postmark's API error codes that mean the recipient itself was refused: 406, the address is inactive
 * (it hard-bounced or complained before); 300 about a `To` address, an invalid one.
 */
function recipientRefused(code: number | undefined, message: string): boolean {
  return code === 406 || (code === 300 && /\bto\b/i.test(message));
}

/**
 * Email through Postmark's Email API (`postmark`): the echo id as `Metadata` (back in every event), the
 * provider's id from the answer's `MessageID`. Postmark answers bad tokens with HTTP 401 (code 10).
 */
export class PostmarkTransport implements Transport {
  private readonly client: ServerClient;
  private readonly messageStream: string | undefined;
  private readonly defaultFrom: string | undefined;

  constructor(options: PostmarkOptions) {
    const base = options.baseUrl ? new URL(options.baseUrl) : undefined;
    this.client = new ServerClient(
      options.apiKey,
      base ? { useHttps: base.protocol === 'https:', requestHost: base.host } : {},
    );
    this.messageStream = options.messageStream;
    this.defaultFrom = options.defaultFrom;
  }

  async send(email: OutboundEmail): Promise<TransportResult> {
    const parts = emailParts(email, this.defaultFrom);
    let answer: { MessageID?: string };
    try {
      answer = await this.client.sendEmail({
        From: parts.from,
        To: parts.to,
        Subject: parts.subject,
        HtmlBody: parts.html,
        TextBody: parts.text,
        Headers: Object.entries(parts.headers).map(([Name, Value]) => ({ Name, Value })),
        // Postmark keeps metadata values of at most 80 characters.
        Metadata: { [ECHO_FIELD]: parts.routedEchoId.length <= 80 ? parts.routedEchoId : parts.echoId },
        ...(this.messageStream ? { MessageStream: this.messageStream } : {}),
      });
    } catch (error) {
      const e = error as { statusCode?: unknown; code?: unknown; message?: string };
      const status = numberOr(e.statusCode) || undefined;
      const code = numberOr(e.code);
      const message = e.message ?? 'unknown error';
      throw providerError('Postmark', kindOfStatus(status, recipientRefused(code, message)), {
        status,
        code,
        message,
        cause: error,
      });
    }
    return { providerMessageId: answer.MessageID ?? null };
  }
}
