import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { OutboundEmail, Transport, TransportResult } from '@campaign/core';
import { kindOfStatus, numberOr, providerError } from './classify.ts';
import { ECHO_FIELD, emailParts } from './email-parts.ts';

/** Options of the Amazon SES (v2) transport. */
export interface SesOptions {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** The API's endpoint (the region's when absent); a test points it at a stand-in. */
  endpoint?: string | undefined;
  defaultFrom?: string | undefined;
}

/** SES error names that are our credentials refused, whatever status they came with. */
const CREDENTIAL_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
]);

/** SES error names that are throttling, retried like a 429. */
const THROTTLING_ERRORS = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'LimitExceededException',
]);

/**
 * Email through the SES v2 `SendEmail` API (`@aws-sdk/client-sesv2`), as a simple message with its
 * headers, the echo id as an email tag (back as the event's `mail.tags`), the provider's id from the
 * answer's `MessageId`. The SDK's own retries are off (`maxAttempts: 1`): the send path owns retries.
 * `MessageRejected` naming the recipient's address is the recipient refused (a hard bounce).
 */
export class SesTransport implements Transport {
  private readonly client: SESv2Client;
  private readonly defaultFrom: string | undefined;

  constructor(options: SesOptions) {
    this.client = new SESv2Client({
      region: options.region,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      maxAttempts: 1,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
    this.defaultFrom = options.defaultFrom;
  }

  async send(email: OutboundEmail): Promise<TransportResult> {
    const parts = emailParts(email, this.defaultFrom);
    let answer: { MessageId?: string | undefined };
    try {
      answer = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: parts.from,
          Destination: { ToAddresses: [parts.to] },
          Content: {
            Simple: {
              Subject: { Data: parts.subject, Charset: 'UTF-8' },
              Body: {
                Html: { Data: parts.html, Charset: 'UTF-8' },
                Text: { Data: parts.text, Charset: 'UTF-8' },
              },
              Headers: Object.entries(parts.headers).map(([Name, Value]) => ({ Name, Value })),
            },
          },
          EmailTags: [{ Name: ECHO_FIELD, Value: parts.echoId }],
        }),
      );
    } catch (error) {
      const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: unknown } };
      const status = numberOr(e.$metadata?.httpStatusCode);
      const name = e.name ?? 'Error';
      const message = e.message ?? 'unknown error';
      const kind = CREDENTIAL_ERRORS.has(name)
        ? 'bad_credentials'
        : THROTTLING_ERRORS.has(name)
          ? 'retryable'
          : kindOfStatus(status, name === 'MessageRejected' && message.includes(parts.to));
      throw providerError('Amazon SES', kind, { status, code: name, message, cause: error });
    }
    return { providerMessageId: answer.MessageId ?? null };
  }
}
