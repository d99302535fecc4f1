import type {
  Clock,
  EventIntakeInput,
  EventRejectionCode,
  InboundSmsInput,
  InboundSmsResult,
  RecordEventsResult,
} from '@campaign/core';
import {
  createTwilioWebhookVerifier,
  TWILIO_WEBHOOK_PATH,
  TwilioSmsTransport,
  type TwilioWebhookVerifier,
} from '@campaign/transports';
import type { PrometheusMetrics } from './metrics.ts';
import type { WebhookIntakeAnswer } from './webhook-intake.ts';

/** Twilio's settings from the environment; absent (no TWILIO_ACCOUNT_SID): SMS go to the log transport. */
export interface TwilioSettings {
  /** TWILIO_ACCOUNT_SID (`AC` + 32 hex). */
  accountSid: string;
  /** TWILIO_AUTH_TOKEN: sends, and the webhooks' signatures. Never logged. */
  authToken: string;
  /** TWILIO_FROM: the number SMS go from when the campaign's SMS sender gives none (E.164). */
  from: string | undefined;
  /** TWILIO_API_BASE_URL: where the REST API is (tests and worker processes point it at a stand-in). */
  apiBaseUrl: string | undefined;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Reads TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM and TWILIO_API_BASE_URL. Undefined when none
 * is set; throws (a message naming the variable) when they are set but unusable: one of the SID and
 * token without the other, a SID not `AC...`, a FROM not E.164, a base URL that is not http(s).
 */
export function twilioSettings(env: NodeJS.ProcessEnv): TwilioSettings | undefined {
  const sid = env.TWILIO_ACCOUNT_SID?.trim() || undefined;
  const token = env.TWILIO_AUTH_TOKEN?.trim() || undefined;
  const from = env.TWILIO_FROM?.trim() || undefined;
  const apiBaseUrl = env.TWILIO_API_BASE_URL?.trim() || undefined;
  if (!sid && !token && !from && !apiBaseUrl) return undefined;
  if (!sid || !token)
    throw new Error('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are set together or not at all');
  if (!/^AC[0-9a-fA-F]{32}$/.test(sid)) throw new Error('TWILIO_ACCOUNT_SID is AC followed by 32 hex digits');
  if (from !== undefined && !E164.test(from))
    throw new Error('TWILIO_FROM is a number in E.164 (+14155550123)');
  if (apiBaseUrl !== undefined) {
    let protocol: string;
    try {
      protocol = new URL(apiBaseUrl).protocol;
    } catch {
      throw new Error('TWILIO_API_BASE_URL is not a URL');
    }
    if (protocol !== 'http:' && protocol !== 'https:') throw new Error('TWILIO_API_BASE_URL is http(s)');
  }
  return { accountSid: sid, authToken: token, from, apiBaseUrl };
}

/** The Twilio SMS transport of these settings, its status callback at PUBLIC_URL + /v1/webhooks/twilio. */
export function twilioSmsTransport(settings: TwilioSettings, publicUrl: string): TwilioSmsTransport {
  return new TwilioSmsTransport({
    accountSid: settings.accountSid,
    authToken: settings.authToken,
    defaultFrom: settings.from,
    apiBaseUrl: settings.apiBaseUrl,
    statusCallback: `${publicUrl.replace(/\/$/, '')}${TWILIO_WEBHOOK_PATH}`,
  });
}

/** What the Twilio intake calls on the engine (the execution service has both). */
export interface TwilioIntakeEngine {
  recordEvents(batch: readonly EventIntakeInput[]): Promise<RecordEventsResult>;
  recordInboundSms(input: InboundSmsInput): Promise<InboundSmsResult>;
}

/**
 * `POST /v1/webhooks/twilio`: verifies the request (see `createTwilioWebhookVerifier`; 401 stores
 * nothing), then records a status callback as a `delivered` / `bounced` event of the message whose
 * provider id is the MessageSid, or hands an inbound message to the engine (reply, STOP, START).
 * Counted in `campaign_webhook_events_total{provider="twilio"}`. Never throws for a bad request.
 */
export class TwilioWebhookIntake {
  private readonly verifier: TwilioWebhookVerifier | undefined;
  private readonly engine: TwilioIntakeEngine;
  private readonly metrics: Pick<PrometheusMetrics, 'webhookEvents'>;
  private readonly clock: Clock;

  constructor(options: {
    /** Absent: Twilio is not configured, every request is a 401. */
    settings: TwilioSettings | undefined;
    publicUrl: string;
    engine: TwilioIntakeEngine;
    metrics: Pick<PrometheusMetrics, 'webhookEvents'>;
    clock: Clock;
  }) {
    this.verifier = options.settings
      ? createTwilioWebhookVerifier({ authToken: options.settings.authToken, publicUrl: options.publicUrl })
      : undefined;
    this.engine = options.engine;
    this.metrics = options.metrics;
    this.clock = options.clock;
  }

  async receive(request: {
    rawBody: Buffer | undefined;
    headers: Record<string, string | string[] | undefined>;
  }): Promise<WebhookIntakeAnswer> {
    const counter = this.metrics.webhookEvents;
    if (!this.verifier) {
      counter.inc({ provider: 'twilio', result: 'unauthorized' });
      return problem(401, 'provider_not_configured', 'Unauthorized', 'TWILIO_AUTH_TOKEN is not configured');
    }
    const result = this.verifier.handle(
      { rawBody: request.rawBody ?? Buffer.alloc(0), headers: request.headers },
      this.clock.now(),
    );
    if (!result.ok) {
      counter.inc({ provider: 'twilio', result: result.status === 401 ? 'unauthorized' : 'malformed' });
      const title = result.status === 401 ? 'Unauthorized' : 'Malformed webhook';
      return problem(result.status, result.code, title, result.message);
    }
    let tally: 'accepted' | 'duplicate' | 'ignored' | EventRejectionCode;
    if (result.kind === 'status') {
      const { event } = result;
      const counted = await this.engine.recordEvents([
        {
          provider: 'twilio',
          providerEventId: event.providerEventId,
          providerMessageId: event.providerMessageId,
          type: event.type,
          rawType: event.rawType,
          occurredAt: event.occurredAt,
          payload: event.payload,
        },
      ]);
      tally =
        counted.accepted > 0
          ? 'accepted'
          : counted.duplicates > 0
            ? 'duplicate'
            : counted.ignored > 0
              ? 'ignored'
              : (counted.rejected[0]?.code ?? 'unknown_message');
    } else {
      const { message } = result;
      const recorded = await this.engine.recordInboundSms({ provider: 'twilio', ...message });
      tally =
        recorded.status === 'resubscribed' || recorded.status === 'unsubscribed'
          ? 'accepted'
          : recorded.status;
    }
    const rejected = tally !== 'accepted' && tally !== 'duplicate' && tally !== 'ignored';
    counter.inc({
      provider: 'twilio',
      result: rejected && tally !== 'implausible_time' ? 'rejected' : tally,
    });
    return {
      ok: true,
      body: {
        accepted: tally === 'accepted' ? 1 : 0,
        duplicates: tally === 'duplicate' ? 1 : 0,
        ignored: tally === 'ignored' ? 1 : 0,
        rejected: rejected ? [{ index: 0, code: tally }] : [],
      },
    };
  }
}

function problem(
  status: 400 | 401,
  code: string,
  title: string,
  detail: string,
): Extract<WebhookIntakeAnswer, { ok: false }> {
  return { ok: false, status, code, title, detail };
}
