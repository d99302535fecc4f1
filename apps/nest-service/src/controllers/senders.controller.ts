import { CampaignPlanExecutionService, type SenderView } from '@campaign/core';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';

/** A sender as the API answers it (DESIGN section 11, issue 12). */
export function senderAnswer(view: SenderView) {
  return {
    id: view.id,
    channel: view.channel,
    from: view.from,
    timezone: view.timezone,
    caps: view.caps,
    warmup: view.warmup,
    enabled: view.enabled,
    effectiveDailyCap: view.effectiveDailyCap,
    usage: view.usage,
    health: {
      complaintRate: view.health.complaintRate,
      hardBounceRate: view.health.hardBounceRate,
      pausedAt: view.health.pausedAt?.toISOString() ?? null,
      pausedReason: view.health.pausedReason,
    },
  };
}

/** `/v1/senders`: bodies are checked by core (`invalid_sender`, with every issue). */
@Controller('v1/senders')
export class SendersController {
  private readonly service: CampaignPlanExecutionService;
  constructor(@Inject(CampaignPlanExecutionService) service: CampaignPlanExecutionService) {
    this.service = service;
  }

  @Post()
  async create(@Body() body: unknown) {
    return senderAnswer(await this.service.senders.create(body));
  }

  @Get()
  async list() {
    return (await this.service.senders.list()).map(senderAnswer);
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return senderAnswer(await this.service.senders.get(id));
  }

  @Patch(':id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    return senderAnswer(await this.service.senders.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.service.senders.delete(id);
  }
}
