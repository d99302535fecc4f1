import { CampaignPlanExecutionService, messageIdFromHeader } from '@campaign/core';
import type { Runtime } from '@campaign/runtime';
import { PROVIDER_NAMES, type WebhookVerifier } from '@campaign/webhooks';
import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ProblemError } from '../http/problem.ts';
import { Public } from '../http/public.ts';
import { RUNTIME, WEBHOOKS } from '../tokens.ts';

/**
 * Provider webhooks, authenticated by each provider's own scheme on the raw body (not the API key).
 * A forged, stale or malformed request gets 401 / 400 and stores nothing; in a batch, good items are
 * stored and bad ones reported; deliveries seen before are counted as duplicates.
 */
@Public()
@Controller('v1/webhooks')
export class WebhooksController {
  private readonly service: CampaignPlanExecutionService;
  private readonly verifier: WebhookVerifier;
  private readonly runtime: Runtime;

  constructor(
    @Inject(CampaignPlanExecutionService) service: CampaignPlanExecutionService,
    @Inject(WEBHOOKS) verifier: WebhookVerifier,
    @Inject(RUNTIME) runtime: Runtime,
  ) {
    this.service = service;
    this.verifier = verifier;
    this.runtime = runtime;
  }

  @Post(':provider')
  @HttpCode(200)
  async receive(@Param('provider') name: string, @Req() req: Request & { rawBody?: Buffer }) {
    // The provider labels metrics and stored events: only our fixed names get that far, so no request
    // can add a metric series or echo itself into one.
    const provider = PROVIDER_NAMES.find((known) => known === name);
    if (provider === undefined)
      throw new ProblemError(
        404,
        'not_found',
        'Unknown webhook provider',
        `webhooks are received at /v1/webhooks/{${PROVIDER_NAMES.join(',')}}`,
      );
    const counter = this.runtime.metrics.webhookEvents;
    const result = await this.verifier.handle(
      provider,
      { rawBody: req.rawBody ?? Buffer.alloc(0), headers: req.headers },
      this.runtime.clock.now(),
    );
    if (!result.ok) {
      counter.inc({ provider, result: result.status === 401 ? 'unauthorized' : 'malformed' });
      throw new ProblemError(
        result.status,
        result.code,
        result.status === 401 ? 'Unauthorized' : 'Malformed webhook',
        result.message,
      );
    }
    if (result.reply?.kind === 'sns_subscription_confirmation') {
      // Confirming is a GET of the (already vetted) SNS SubscribeURL.
      await fetch(result.reply.subscribeUrl).catch((error: unknown) =>
        this.runtime.logger.error({ err: error }, 'SNS subscription confirmation failed'),
      );
    }
    const counted = await this.service.recordEvents(
      result.events.map((event) => ({
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
      })),
    );
    const { accepted, duplicates, ignored } = counted;
    // Implausible times are stored nowhere, yet still a 200: a 4xx would make the provider retry them for days.
    const implausible = counted.rejected.filter((r) => r.code === 'implausible_time').length;
    const rejected: { index?: number; id?: string; code: string }[] = [
      ...result.rejected.map((r) => ({ index: r.index, code: r.code })),
      ...counted.rejected.map((r) => ({ id: result.events[r.index]?.providerEventId, code: r.code })),
    ];
    counter.inc({ provider, result: 'accepted' }, accepted);
    counter.inc({ provider, result: 'duplicate' }, duplicates);
    counter.inc({ provider, result: 'ignored' }, ignored);
    counter.inc({ provider, result: 'implausible_time' }, implausible);
    counter.inc({ provider, result: 'rejected' }, rejected.length - implausible);
    return { accepted, duplicates, ignored, rejected };
  }
}
