export { WebhookConfigurationError, WebhookVerificationError } from './errors.ts';
export {
  createMailgunInboundCheck,
  type MailgunSignatureFields,
  type MailgunSignatureVerdict,
} from './mailgun-inbound.ts';
export { postmarkEventId } from './providers/postmark.ts';
export { SVIX_ID_HEADER, SVIX_SIGNATURE_HEADER, SVIX_TIMESTAMP_HEADER } from './providers/resend.ts';
export { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from './providers/sendgrid.ts';
export { isTrustedSnsCertificateUrl, snsStringToSign } from './providers/ses.ts';
export type { InMemoryReplayCacheOptions } from './replay-cache.ts';
export { InMemoryReplayCache } from './replay-cache.ts';
export type {
  NormalizedEvent,
  NormalizedEventType,
  ProviderName,
  ProviderSecrets,
  RejectedItem,
  ReplayCache,
  SnsSubscriptionConfirmationReply,
  WebhookRequest,
  WebhookResult,
  WebhookVerifier,
  WebhookVerifierOptions,
} from './types.ts';
export { PROVIDER_NAMES } from './types.ts';
export { createWebhookVerifier } from './verifier.ts';
