import { CampaignPlanExecutionService } from '@campaign/core';
import { Controller, Get, Header, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ProblemError } from '../http/problem.ts';
import { Public } from '../http/public.ts';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body style="font-family:system-ui;max-width:32rem;margin:4rem auto;padding:0 1rem">${body}</body></html>`;

/**
 * RFC 8058 one-click unsubscribe. POST unsubscribes (mail clients call it); GET only shows a page with a
 * button, because link scanners follow GET links and must not unsubscribe anyone.
 */
@Public()
@Controller('v1/unsubscribe')
export class UnsubscribeController {
  private readonly service: CampaignPlanExecutionService;
  // Explicit token: DI must not depend on emitted type metadata (a type-only import erases it).
  constructor(@Inject(CampaignPlanExecutionService) service: CampaignPlanExecutionService) {
    this.service = service;
  }

  @Post(':token')
  @HttpCode(200)
  async unsubscribe(@Param('token') token: string) {
    const result = await this.service.unsubscribeByToken(token);
    if (!result)
      throw new ProblemError(
        404,
        'invalid_token',
        'Unknown unsubscribe link',
        'the link is invalid or its message does not exist',
      );
    return { unsubscribed: true };
  }

  @Get(':token')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  confirm(@Param('token') token: string) {
    const action = encodeURIComponent(token);
    return page(
      'Unsubscribe',
      `<h1>Unsubscribe</h1><p>Stop receiving these emails?</p><form method="post" action="${action}"><button type="submit">Unsubscribe</button></form>`,
    );
  }
}
