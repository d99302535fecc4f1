import {
  type Clock,
  type EventIntakeInput,
  messageIdFromHeader,
  type RecordEventsResult,
} from '@campaign/core';
import type { Logger } from 'pino';
import type { PrometheusMetrics } from './metrics.ts';

/*
 * The verifier's side of the intake, written structurally: `@campaign/webhooks`' `WebhookVerifier`
 * (and its `WebhookResult`) satisfies it, and the compiler checks that where the two meet (the API's
 * wiring). Runtime does not depend on the webhooks package itself.
 */

/** One verified provider event, as the webhooks package normalizes it. */
export interface VerifiedWebhookEvent {
  providerEventId: string;
  echoedMessageId: string | null;
  providerMessageId: string | null;
  /** The RFC 5322 Message-ID in `<local@domain>` form, when the payload carries it. */
  messageIdHeader: string | null;
  type: EventIntakeInput['type'];
  rawType: string;
  occurredAt: Date;
  email: string | null;
  machine: boolean;
  bot: boolean;
  autoReply: boolean;
  payload: unknown;
}

/** What the verifier answers for one request; `ok: false` is the HTTP status to answer with. */
export type VerifiedWebhook =
  | {
      ok: true;
      events: VerifiedWebhookEvent[];
      rejected: { index: number; code: string }[];
      reply?: { kind: 'sns_subscription_confirmation'; subscribeUrl: string };
    }
  | { ok: false; status: 400 | 401; code: string; message: string };

export interface IntakeVerifier<P extends string> {
  handle(
    provider: P,
    request: { rawBody: Buffer; headers: Record<string, string | string[] | undefined> },
    now: Date,
  ): Promise<VerifiedWebhook>;
}

/** The body of a 200: how the batch counted. `rejected` items carry a batch `index` or a provider event `id`. */
export interface WebhookIntakeCounts {
  accepted: number;
  duplicates: number;
  ignored: number;
  rejected: { index?: number; id?: string; code: string }[];
}

/**
 * The intake's answer: a 200 with the counts, or a problem to answer with (404 unknown provider, 401
 * not authenticated, 400 unreadable). A refused request stored nothing.
 */
export type WebhookIntakeAnswer =
  | { ok: true; body: WebhookIntakeCounts }
  | { ok: false; status: 400 | 401 | 404; code: string; title: string; detail: string };

export interface WebhookIntakeOptions<P extends string> {
  /** The provider names routed to (the path segment); any other name is a 404 and touches no metric. */
  providers: readonly P[];
  verifier: IntakeVerifier<P>;
  /** Records a batch (the execution service's `recordEvents`). */
  recordEvents(batch: readonly EventIntakeInput[]): Promise<RecordEventsResult>;
  metrics: Pick<PrometheusMetrics, 'webhookEvents'>;
  clock: Clock;
  logger: Pick<Logger, 'error'>;
  /**
   * Confirms an SNS subscription by a GET of its (already vetted) SubscribeURL. Default: `fetch`. A
   * failure is logged, never answered: the events of the request are still recorded.
   */
  confirmSubscription?: (subscribeUrl: string) => Promise<unknown>;
}

/**
 * Provider webhooks in: verifies a request by its provider's own scheme on the raw body, confirms an SNS
 * subscription when asked, records the verified events as one batch, and counts every outcome in
 * `campaign_webhook_events_total` by provider and result. Never throws for a bad request.
 */
export class WebhookIntake<P extends string> {
  private readonly options: WebhookIntakeOptions<P>;
  private readonly confirm: (subscribeUrl: string) => Promise<unknown>;

  constructor(options: WebhookIntakeOptions<P>) {
    this.options = options;
    this.confirm = options.confirmSubscription ?? ((url) => fetch(url));
  }

  /** One request to `/v1/webhooks/{name}`: `rawBody` untouched, header names in lower case. */
  async receive(
    name: string,
    request: { rawBody: Buffer | undefined; headers: Record<string, string | string[] | undefined> },
  ): Promise<WebhookIntakeAnswer> {
    const { providers, verifier, metrics, clock, logger } = this.options;
    // The provider labels metrics and stored events: only our fixed names get that far, so no request
    // can add a metric series or echo itself into one.
    const provider = providers.find((known) => known === name);
    if (provider === undefined) {
      return {
        ok: false,
        status: 404,
        code: 'not_found',
        title: 'Unknown webhook provider',
        detail: `webhooks are received at /v1/webhooks/{${providers.join(',')}}`,
      };
    }
    const counter = metrics.webhookEvents;
    const result = await verifier.handle(
      provider,
      { rawBody: request.rawBody ?? Buffer.alloc(0), headers: request.headers },
      clock.now(),
    );
    if (!result.ok) {
      const unauthorized = result.status === 401;
      counter.inc({ provider, result: unauthorized ? 'unauthorized' : 'malformed' });
      return {
        ok: false,
        status: result.status,
        code: result.code,
        title: unauthorized ? 'Unauthorized' : 'Malformed webhook',
        detail: result.message,
      };
    }
    if (result.reply?.kind === 'sns_subscription_confirmation') {
      await this.confirm(result.reply.subscribeUrl).catch((error: unknown) =>
        logger.error({ err: error }, 'SNS subscription confirmation failed'),
      );
    }
    const counted = await this.options.recordEvents(
      result.events.map((event) => toEventInput(provider, event)),
    );
    const { accepted, duplicates, ignored } = counted;
    // Implausible times are stored nowhere, yet still a 200: a 4xx would make the provider retry them for days.
    const implausible = counted.rejected.filter((r) => r.code === 'implausible_time').length;
    const rejected: WebhookIntakeCounts['rejected'] = [
      ...result.rejected.map((r) => ({ index: r.index, code: r.code })),
      ...counted.rejected.map((r) => ({ id: result.events[r.index]?.providerEventId, code: r.code })),
    ];
    counter.inc({ provider, result: 'accepted' }, accepted);
    counter.inc({ provider, result: 'duplicate' }, duplicates);
    counter.inc({ provider, result: 'ignored' }, ignored);
    counter.inc({ provider, result: 'implausible_time' }, implausible);
    counter.inc({ provider, result: 'rejected' }, rejected.length - implausible);
    return { ok: true, body: { accepted, duplicates, ignored, rejected } };
  }
}

function toEventInput(provider: string, event: VerifiedWebhookEvent): EventIntakeInput {
  return {
    provider,
    providerEventId: event.providerEventId,
    // Tried in this order: the id echoed back, our Message-ID, the provider's own id.
    echoedMessageId: event.echoedMessageId ?? undefined,
    messageId: messageIdFromHeader(event.messageIdHeader),
    providerMessageId: event.providerMessageId ?? undefined,
    // An unsubscribe naming no message (a Postmark suppression added by hand) goes by address.
    email: event.email ?? undefined,
    // null: soft bounces, deferrals and types the engine does not act on: stored, then ignored
    type: event.type,
    rawType: event.rawType,
    occurredAt: event.occurredAt,
    machine: event.machine,
    bot: event.bot,
    autoReply: event.autoReply,
    payload: event.payload,
  };
}
