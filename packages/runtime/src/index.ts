export { runtimeAnalytics } from './analytics.ts';
export {
  ConfigError,
  isEmbedded,
  loadConfig,
  type ProcessRole,
  type RuntimeConfig,
  resolveSharedSecrets,
} from './config.ts';
export { watchEngineGauges } from './engine-gauges.ts';
export { imapMetrics } from './imap/imap-metrics.ts';
export {
  type ImapWatchersOptions,
  type RunningImapWatchers,
  startImapWatchers,
} from './imap/imap-watchers.ts';
export { startRuntimeImapWatchers } from './imap/runtime-imap-watchers.ts';
export { decryptSecret, encryptSecret, ImapSecretKeyError, imapSecretKey } from './imap/secret-box.ts';
export { SenderAdmin, type SenderWithImap } from './imap/sender-admin.ts';
export {
  type ImapSettingsBody,
  imapSettingsBody,
  SenderImapSettings,
  type SenderImapView,
} from './imap/sender-imap-settings.ts';
export type { ImapIntake } from './imap/sender-watcher.ts';
export {
  type BasicCredentials,
  INBOUND_BODY_LIMIT_BYTES,
  type InboundMailAnswer,
  type InboundMailBody,
  InboundMailIntake,
  type InboundMailRequest,
  type MailgunInboundCheck,
} from './inbound-mail-intake.ts';
export { type EngineGauges, PrometheusMetrics } from './metrics.ts';
export { type MetricsServer, startMetricsServer } from './metrics-server.ts';
export { checkReadiness, READINESS_TIMEOUT_MS, type Readiness } from './readiness.ts';
export { REDACTED, redactUrl, redactUrlsIn } from './redact.ts';
export { createRuntime, createScheduler, type Runtime, systemClock } from './runtime.ts';
export { LogSmsTransport, LogTransport, SmtpTransport } from './transports.ts';
export {
  type TwilioIntakeEngine,
  type TwilioSettings,
  TwilioWebhookIntake,
  twilioSettings,
  twilioSmsTransport,
} from './twilio.ts';
export {
  type IntakeVerifier,
  type VerifiedWebhook,
  type VerifiedWebhookEvent,
  WebhookIntake,
  type WebhookIntakeAnswer,
  type WebhookIntakeCounts,
  type WebhookIntakeOptions,
} from './webhook-intake.ts';
export { type RunningWorker, startWorker } from './worker.ts';
