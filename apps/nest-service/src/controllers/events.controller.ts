import { CampaignPlanExecutionService } from '@campaign/core';
import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { eventsBody, parseBody } from '../http/schemas.ts';

/** Normalized engagement events from the caller's own pipeline. Good items are stored, bad ones reported. */
@Controller('v1/events')
export class EventsController {
  private readonly service: CampaignPlanExecutionService;
  // Explicit token: DI must not depend on emitted type metadata (a type-only import erases it).
  constructor(@Inject(CampaignPlanExecutionService) service: CampaignPlanExecutionService) {
    this.service = service;
  }

  @Post()
  @HttpCode(202)
  record(@Body() body: unknown) {
    return this.service.recordApiEvents(parseBody(eventsBody, body).events);
  }
}
