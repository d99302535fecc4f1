import {
  type OutboundEmail,
  type OutboundSender,
  type Transport,
  TransportError,
  type TransportResult,
} from '@campaign/core';
import { BASE_URL_ENV, envValue, senderEnvName } from './credentials.ts';
import { MailgunTransport } from './mailgun.ts';
import { PostmarkTransport } from './postmark.ts';
import { ResendTransport } from './resend.ts';
import { SendgridTransport } from './sendgrid.ts';
import { SesTransport } from './ses.ts';

/** The API transports a sender may choose. */
export const API_TRANSPORTS = ['sendgrid', 'mailgun', 'postmark', 'ses', 'resend'] as const;
export type ApiTransportName = (typeof API_TRANSPORTS)[number];

/** Where ProviderTransports sends what is not for a provider's API. */
export interface ProviderTransportsOptions {
  /** The environment credentials and base URLs are read from (`process.env` in the runtime). */
  env: Readonly<Record<string, string | undefined>>;
  /** Emails without a sender, and senders on `smtp`: the configured SMTP transport, or the log one. */
  fallback: Transport;
  /** Senders on `log`. */
  log: Transport;
}

/**
 * The Transport that sends each email through its sender's transport: `smtp` (and no sender) through
 * the fallback, `log` through the log transport, an API transport through its provider's SDK with the
 * sender's credentials from the environment (see `senderEnvName`). One client per sender, made on its
 * first email. A credential that is not set refuses the email as `bad_credentials` (naming the variable,
 * never a value), so the sender is disabled with the reason visible.
 */
export class ProviderTransports implements Transport {
  private readonly options: ProviderTransportsOptions;
  private readonly clients = new Map<string, Transport>();

  constructor(options: ProviderTransportsOptions) {
    this.options = options;
  }

  send(email: OutboundEmail): Promise<TransportResult> {
    try {
      return this.transportFor(email.sender).send(email);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private transportFor(sender: OutboundSender | undefined): Transport {
    if (sender === undefined || sender.transport === 'smtp') return this.options.fallback;
    if (sender.transport === 'log') return this.options.log;
    const key = `${sender.id}\u0000${sender.transport}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.create(sender);
      this.clients.set(key, client);
    }
    return client;
  }

  private create(sender: OutboundSender): Transport {
    const { env } = this.options;
    const need = (name: string): string => {
      const variable = senderEnvName(sender.id, name);
      const value = envValue(env, variable);
      if (value === undefined)
        throw new TransportError(
          'bad_credentials',
          `${variable} is not set (sender ${sender.id}, ${sender.transport})`,
        );
      return value;
    };
    const optional = (name: string) => envValue(env, senderEnvName(sender.id, name));
    switch (sender.transport) {
      case 'sendgrid':
        return new SendgridTransport({
          apiKey: need('API_KEY'),
          baseUrl: envValue(env, BASE_URL_ENV.sendgrid),
        });
      case 'mailgun':
        return new MailgunTransport({
          apiKey: need('API_KEY'),
          domain: optional('MAILGUN_DOMAIN'),
          baseUrl: envValue(env, BASE_URL_ENV.mailgun),
        });
      case 'postmark':
        return new PostmarkTransport({
          apiKey: need('API_KEY'),
          messageStream: optional('POSTMARK_STREAM'),
          baseUrl: envValue(env, BASE_URL_ENV.postmark),
        });
      case 'ses':
        return new SesTransport({
          accessKeyId: need('AWS_ACCESS_KEY_ID'),
          secretAccessKey: need('AWS_SECRET_ACCESS_KEY'),
          region: optional('AWS_REGION') ?? envValue(env, 'AWS_REGION') ?? 'us-east-1',
          endpoint: envValue(env, BASE_URL_ENV.ses),
        });
      case 'resend':
        return new ResendTransport({ apiKey: need('API_KEY'), baseUrl: envValue(env, BASE_URL_ENV.resend) });
      default:
        throw new TransportError(
          'permanent',
          `sender ${sender.id} has an unknown email transport ${JSON.stringify(sender.transport)}`,
        );
    }
  }
}

/** The names of a sender's credential variables for its transport (for the README and redaction). */
export function credentialVariables(senderId: string, transport: string): string[] {
  if (transport === 'ses')
    return [senderEnvName(senderId, 'AWS_ACCESS_KEY_ID'), senderEnvName(senderId, 'AWS_SECRET_ACCESS_KEY')];
  return (API_TRANSPORTS as readonly string[]).includes(transport)
    ? [senderEnvName(senderId, 'API_KEY')]
    : [];
}
