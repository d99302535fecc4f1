import type { OutboundEmail, Transport, TransportResult } from '@campaign/core';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';

/**
 * The Transport on SMTP (nodemailer): one SMTP transaction per message, with our stable Message-ID and
 * the List-Unsubscribe headers. SMTP has no provider id of its own, so the Message-ID is returned as one.
 */
export class SmtpTransport implements Transport {
  private readonly transporter: Transporter;
  private readonly from: string;

  /** `url`: `smtp://user:pass@host:port`, or `smtps://` for implicit TLS. */
  constructor(config: { url: string; from: string }) {
    this.transporter = nodemailer.createTransport(config.url);
    this.from = config.from;
  }

  async send(email: OutboundEmail): Promise<TransportResult> {
    const info = await this.transporter.sendMail({
      from: this.from,
      to: email.to,
      subject: email.subject,
      html: email.html,
      messageId: email.messageIdHeader,
      headers: { ...email.headers, 'X-Campaign-Id': email.campaignId },
    });
    return { providerMessageId: info.messageId ?? email.messageIdHeader };
  }

  close(): void {
    this.transporter.close();
  }
}

/** A Transport that only logs each message: the embedded default, for trying the engine out. */
export class LogTransport implements Transport {
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  async send(email: OutboundEmail): Promise<TransportResult> {
    this.logger.info(
      { messageId: email.messageId, to: email.to, subject: email.subject, headers: email.headers },
      'email (log transport, not sent)',
    );
    return { providerMessageId: email.messageIdHeader };
  }
}
