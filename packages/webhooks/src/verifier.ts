import { WebhookConfigurationError, WebhookVerificationError } from './errors.ts';
import { createMailgunHandler } from './providers/mailgun.ts';
import { createPostmarkHandler } from './providers/postmark.ts';
import type { ProviderHandler } from './providers/provider.ts';
import { createResendHandler } from './providers/resend.ts';
import { createSendgridHandler } from './providers/sendgrid.ts';
import { createSesHandler } from './providers/ses.ts';
import { InMemoryReplayCache } from './replay-cache.ts';
import type {
  ProviderName,
  ProviderSecrets,
  WebhookRequest,
  WebhookResult,
  WebhookVerifier,
  WebhookVerifierOptions,
} from './types.ts';

const DEFAULT_TOLERANCE_SECONDS = 300;
const DEFAULT_SES_TOLERANCE_SECONDS = 3600;

function positiveSeconds(name: string, value: number | undefined, fallback: number): number {
  const seconds = value ?? fallback;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new WebhookConfigurationError(`${name} must be a positive number of seconds, got ${seconds}`);
  }
  return seconds;
}

/**
 * Builds a verifier for the configured providers. Every secret is parsed here, so a bad key fails
 * at startup with {@link WebhookConfigurationError} rather than on the first webhook.
 *
 * `handle` never throws for a bad request: it answers `{ ok: false, status, code }` (401 for an
 * authentication failure, 400 for an unreadable body) or `{ ok: true, events, rejected }`. It reads
 * no clock: `now` is the caller's.
 */
export function createWebhookVerifier(
  secrets: ProviderSecrets,
  options: WebhookVerifierOptions = {},
): WebhookVerifier {
  const tolerance = positiveSeconds('toleranceSeconds', options.toleranceSeconds, DEFAULT_TOLERANCE_SECONDS);
  const sesTolerance = positiveSeconds(
    'sesToleranceSeconds',
    options.sesToleranceSeconds,
    DEFAULT_SES_TOLERANCE_SECONDS,
  );
  const replayCache = options.replayCache ?? new InMemoryReplayCache();
  const handlers: Partial<Record<ProviderName, ProviderHandler>> = {};
  if (secrets.sendgridPublicKey !== undefined) {
    handlers.sendgrid = createSendgridHandler(secrets.sendgridPublicKey, tolerance);
  }
  if (secrets.mailgunSigningKey !== undefined) {
    handlers.mailgun = createMailgunHandler(secrets.mailgunSigningKey, tolerance, replayCache);
  }
  if (secrets.postmark !== undefined) handlers.postmark = createPostmarkHandler(secrets.postmark);
  if (secrets.ses !== undefined) handlers.ses = createSesHandler(secrets.ses, sesTolerance);
  if (secrets.resendSecret !== undefined) {
    handlers.resend = createResendHandler(secrets.resendSecret, tolerance);
  }

  return {
    async handle(provider: ProviderName, request: WebhookRequest, now: Date): Promise<WebhookResult> {
      if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
        throw new TypeError('now must be a valid Date');
      }
      // An own-property lookup: a provider name such as "constructor" from a URL must not reach the prototype.
      const handler = Object.hasOwn(handlers, provider) ? handlers[provider] : undefined;
      if (handler === undefined) {
        return {
          ok: false,
          status: 401,
          code: 'provider_not_configured',
          message: `no secret is configured for provider ${String(provider)}`,
        };
      }
      try {
        return await handler(request, now);
      } catch (error) {
        if (error instanceof WebhookVerificationError) {
          return { ok: false, status: error.status, code: error.code, message: error.message };
        }
        throw error;
      }
    },
  };
}
