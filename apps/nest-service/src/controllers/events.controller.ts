import { CampaignPlanExecutionService, type EventInput } from '@campaign/core';
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
    const rejected: { index: number; code: string }[] = [];
    const valid: { index: number; input: EventInput }[] = [];
    for (const [index, raw] of events.entries()) {
      const item = eventItem.safeParse(raw);
      if (!item.success) {
        rejected.push({ index, code: 'invalid_event' });
        continue;
      }
      const e = item.data;
      valid.push({
        index,
        input: {
          provider: 'api',
          providerEventId: e.id,
          messageId: e.messageId,
          type: e.type,
          occurredAt: new Date(e.occurredAt),
          machine: e.machine,
          bot: e.bot,
          autoReply: e.autoReply,
          payload: raw,
        },
      });
    }
    const {
      accepted,
      duplicates,
      rejected: refused,
    } = await this.service.recordEvents(valid.map((v) => v.input));
    for (const r of refused) rejected.push({ index: valid[r.index]?.index ?? r.index, code: r.code });
    rejected.sort((a, b) => a.index - b.index);
    return { accepted, duplicates, rejected };
  }
}
