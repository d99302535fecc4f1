import { CampaignPlanExecutionService, type SenderView } from '@campaign/core';
import { CAMPAIGN_ENGINE_RUNTIME } from '@campaign/nestjs';
import { type Runtime, SenderAdmin, type SenderImapView, type SenderWithImap } from '@campaign/runtime';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';

/** A sender as the API answers it (DESIGN section 11, issue 12), with its `imap` (issue 13) when it has one. */
export function senderAnswer({ view, imap }: { view: SenderView; imap: SenderImapView | null }) {
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
    ...(imap ? { imap } : {}),
  };
}

/** `/v1/senders`: bodies are checked by core (`invalid_sender`, with every issue); `imap` by the runtime. */
@Controller('v1/senders')
export class SendersController {
  private readonly admin: SenderAdmin;
  constructor(
    @Inject(CampaignPlanExecutionService) service: CampaignPlanExecutionService,
    @Inject(CAMPAIGN_ENGINE_RUNTIME) runtime: Runtime,
  ) {
    this.admin = new SenderAdmin(service, runtime);
  }

  @Post()
  async create(@Body() body: unknown) {
    return senderAnswer(await this.admin.create(body));
  }

  @Get()
  async list() {
    return (await this.admin.list()).map((sender: SenderWithImap) => senderAnswer(sender));
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return senderAnswer(await this.admin.get(id));
  }

  @Patch(':id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    return senderAnswer(await this.admin.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.admin.remove(id);
  }
}
