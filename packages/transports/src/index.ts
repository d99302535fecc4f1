export { kindOfStatus } from './classify.ts';
export { BASE_URL_ENV, senderEnvName } from './credentials.ts';
export { bareAddress, ECHO_FIELD, type EmailParts, emailParts } from './email-parts.ts';
export { type MailgunOptions, MailgunTransport } from './mailgun.ts';
export { plainTextOf } from './plain-text.ts';
export { type PostmarkOptions, PostmarkTransport } from './postmark.ts';
export {
  API_TRANSPORTS,
  type ApiTransportName,
  credentialVariables,
  ProviderTransports,
  type ProviderTransportsOptions,
} from './provider-transports.ts';
export { type ResendOptions, ResendTransport } from './resend.ts';
export { type SendgridOptions, SendgridTransport } from './sendgrid.ts';
export { type SesOptions, SesTransport } from './ses.ts';
export type { TwilioSmsTransportConfig } from './twilio-sms-transport.ts';
export { TWILIO_OPTED_OUT, TwilioSmsTransport } from './twilio-sms-transport.ts';
export type { TwilioStandInAnswer, TwilioStandInRequest } from './twilio-stand-in.ts';
export { TwilioStandIn, twilioError } from './twilio-stand-in.ts';
export type {
  TwilioInboundMessage,
  TwilioStatusEvent,
  TwilioWebhookConfig,
  TwilioWebhookResult,
  TwilioWebhookVerifier,
} from './twilio-webhook.ts';
export { createTwilioWebhookVerifier, TWILIO_WEBHOOK_PATH } from './twilio-webhook.ts';
