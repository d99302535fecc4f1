import { CampaignPlanExecutionService, type SendingControl } from '@campaign/core';
import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { z } from 'zod';
import { parseBody } from '../http/schemas.ts';

/** `POST /v1/admin/sending`: `enabled` only; anything else is a 400 `invalid_request`. */
export const sendingBody = z.strictObject({
  enabled: z.boolean().describe('false holds every send (the emergency stop); true releases them.'),
});

function sendingAnswer(control: SendingControl) {
  return { enabled: control.enabled, since: control.since?.toISOString() ?? null };
}

/** The emergency stop (DESIGN section 11); behind the API key like every other route. */
@Controller('v1/admin')
export class AdminController {
  private readonly service: CampaignPlanExecutionService;
  constructor(@Inject(CampaignPlanExecutionService) service: CampaignPlanExecutionService) {
    this.service = service;
  }

  @Get('sending')
  async getSending() {
    return sendingAnswer(await this.service.sending.get());
  }

  @Post('sending')
  @HttpCode(200)
  async setSending(@Body() body: unknown) {
    const { enabled } = parseBody(sendingBody, body);
    return sendingAnswer(await this.service.sending.set(enabled));
  }
}
