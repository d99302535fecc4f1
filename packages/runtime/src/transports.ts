import type { OutboundEmail, OutboundSms, SmsTransport, Transport, TransportResult } from '@campaign/core';
import { ProviderTransports, plainTextOf } from '@campaign/transports';
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
    // nodemailer builds the threading headers itself (a prepared References value would be mangled).
    const { 'In-Reply-To': inReplyTo, References: references, ...headers } = email.headers;
    const info = await this.transporter.sendMail({
      // The campaign's sender (issue 12), else the MAIL_FROM default.
      from: email.sender?.from ?? this.from,
      to: email.to,
      subject: email.subject,
      html: email.html,
      // multipart/alternative: HTML-only mail is scored as spam more often.
      text: plainTextOf(email.html),
      messageId: email.messageIdHeader,
      ...(inReplyTo !== undefined ? { inReplyTo } : {}),
      ...(references !== undefined ? { references: references.split(/\s+/).filter(Boolean) } : {}),
      headers: verbatim({ ...headers, 'X-Campaign-Id': email.campaignId }),
    });
    return { providerMessageId: info.messageId ?? email.messageIdHeader };
  }

  close(): void {
    this.transporter.close();
  }
}

/**
 * The email Transport of the engine: each email goes through its sender's transport (`sendgrid`,
 * `mailgun`, `postmark`, `ses`, `resend` through the provider's SDK with the sender's credentials from
 * `env`, see the README's configuration table; `log` to the log), and an email without a sender, or
 * whose sender is on `smtp`, through SMTP when SMTP_URL is set, else the log.
 */
export function emailTransport(options: {
  smtp: SmtpTransport | undefined;
  logger: Logger;
  env: Readonly<Record<string, string | undefined>>;
}): Transport {
  const log = new LogTransport(options.logger);
  return new ProviderTransports({ env: options.env, fallback: options.smtp ?? log, log });
}

/** Printable ASCII that fits one header line (RFC 5322: 998 octets) with its name. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const MAX_LINE = 998;

/**
 * Our headers as the relay must receive them: verbatim. Left to nodemailer, a value with quotes (the
 * JSON of X-SMTPAPI and X-Mailgun-Variables) goes out as an RFC 2047 encoded word (`=?UTF-8?Q?...?=`),
 * which SendGrid and Mailgun read as it stands, not as JSON: the echoed message id would be lost. A
 * value that is not printable ASCII on one line is still left to nodemailer to encode.
 */
function verbatim(
  headers: Record<string, string>,
): Record<string, string | { prepared: true; value: string }> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      PRINTABLE_ASCII.test(value) && name.length + 2 + value.length <= MAX_LINE
        ? { prepared: true, value }
        : value,
    ]),
  );
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

/**
 * An SmsTransport that only logs each message (plan 1.1 `sms` sends, until an SMS provider is wired):
 * the message is accepted, so the campaign goes on as if it had been sent.
 */
export class LogSmsTransport implements SmsTransport {
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  async send(sms: OutboundSms): Promise<TransportResult> {
    this.logger.info(
      { messageId: sms.messageId, to: sms.to, text: sms.text, segments: sms.segments },
      'sms (log transport, not sent)',
    );
    return { providerMessageId: null };
  }
}
