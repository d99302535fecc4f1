import { CampaignPlanExecutionService, type UnmatchedInboundRecord } from '@campaign/core';
import type { InboundMailBody, InboundMailIntake } from '@campaign/runtime';
import { Controller, Get, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { bodyOrProblem } from '../http/problem.ts';
import { Public } from '../http/public.ts';

/** The inbound mail intake's injection token (the runtime's InboundMailIntake). */
export const INBOUND_INTAKE = Symbol('InboundMailIntake');

type RawRequest = Request & { rawBody?: Buffer };

/**
 * Providers' inbound mail (DESIGN section 14), each authenticated as the provider allows (basic auth for
 * SendGrid and Postmark, Mailgun's signature), not the API key. Registered before the generic
 * `/v1/webhooks/:provider` route. Bodies up to 25 MB (the app's parser for these paths).
 */
@Public()
@Controller('v1/webhooks')
export class InboundWebhooksController {
  private readonly intake: InboundMailIntake;

  constructor(@Inject(INBOUND_INTAKE) intake: InboundMailIntake) {
    this.intake = intake;
  }

  @Post('sendgrid-inbound')
  @HttpCode(200)
  async sendgrid(@Req() req: RawRequest): Promise<InboundMailBody> {
    return bodyOrProblem(await this.intake.sendgridInbound({ rawBody: req.rawBody, headers: req.headers }));
  }

  /** Mailgun posts the raw message only to a forward URL ending in `mime`; both paths are served. */
  @Post(['mailgun-inbound', 'mailgun-inbound/mime'])
  @HttpCode(200)
  async mailgun(@Req() req: RawRequest): Promise<InboundMailBody> {
    return bodyOrProblem(await this.intake.mailgunInbound({ rawBody: req.rawBody, headers: req.headers }));
  }

  @Post('postmark-inbound')
  @HttpCode(200)
  async postmark(@Req() req: RawRequest): Promise<InboundMailBody> {
    return bodyOrProblem(await this.intake.postmarkInbound({ rawBody: req.rawBody, headers: req.headers }));
  }
}

/** `/v1/inbound`: the raw message endpoint and the unmatched list, behind the API key. */
@Controller('v1/inbound')
export class InboundController {
  private readonly intake: InboundMailIntake;
  private readonly service: CampaignPlanExecutionService;

  constructor(
    @Inject(INBOUND_INTAKE) intake: InboundMailIntake,
    @Inject(CampaignPlanExecutionService) service: CampaignPlanExecutionService,
  ) {
    this.intake = intake;
    this.service = service;
  }

  @Post('mime')
  @HttpCode(200)
  async mime(@Req() req: RawRequest): Promise<InboundMailBody> {
    return bodyOrProblem(await this.intake.mime({ rawBody: req.rawBody, headers: req.headers }));
  }

  @Get('unmatched')
  async unmatched(@Query('limit') limit: unknown, @Query('cursor') cursor: unknown) {
    const page = await this.service.inbound.unmatched({
      limit: pageLimit(limit),
      cursor: pageCursor(cursor),
    });
    return { items: page.items.map(unmatchedAnswer), nextCursor: page.next };
  }
}

function unmatchedAnswer(item: UnmatchedInboundRecord) {
  return {
    messageId: item.messageId,
    source: item.source,
    from: item.from,
    to: item.to,
    subject: item.subject,
    kind: item.kind,
    decidedBy: item.decidedBy,
    refersTo: item.refersTo,
    receivedAt: item.receivedAt.toISOString(),
  };
}

function pageLimit(limit: unknown): number | undefined {
  if (limit === undefined) return undefined;
  return typeof limit === 'string' && /^[0-9]{1,7}$/.test(limit) ? Number(limit) : Number.NaN;
}

function pageCursor(cursor: unknown): string | undefined {
  if (cursor === undefined) return undefined;
  return typeof cursor === 'string' ? cursor : '';
}
