import { CampaignPlanExecutionService } from '@campaign/core';
import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { eventItem, eventsBody, parseBody } from '../http/schemas.ts';

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
  async record(@Body() body: unknown) {
    const { events } = parseBody(eventsBody, body);
    let accepted = 0;
    let duplicates = 0;
    const rejected: { index: number; code: string }[] = [];
    for (const [index, raw] of events.entries()) {
      const item = eventItem.safeParse(raw);
      if (!item.success) {
        rejected.push({ index, code: 'invalid_event' });
        continue;
      }
      const e = item.data;
      const result = await this.service.recordEvent({
        provider: 'api',
        providerEventId: e.id,
        messageId: e.messageId,
        type: e.type,
        occurredAt: new Date(e.occurredAt),
        machine: e.machine,
        bot: e.bot,
        autoReply: e.autoReply,
        payload: raw,
      });
      if (result.status === 'accepted') accepted += 1;
      else if (result.status === 'duplicate') duplicates += 1;
      else rejected.push({ index, code: result.status });
    }
    return { accepted, duplicates, rejected };
  }
}
