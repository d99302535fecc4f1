import { CampaignPlanExecutionService, type SenderView } from '@campaign/core';
import { CAMPAIGN_ENGINE_RUNTIME } from '@campaign/nestjs';
import { type Runtime, SenderImapSettings, type SenderImapView } from '@campaign/runtime';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';

/** A sender as the API answers it (DESIGN section 11, issue 12), with its `imap` (issue 13) when it has one. */
export function senderAnswer(view: SenderView, imap: SenderImapView | null = null) {
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

/** `/v1/senders`: bodies are checked by core (`invalid_sender`, with every issue). */
@Controller('v1/senders')
export class SendersController {
  private readonly service: CampaignPlanExecutionService;
  /** The `imap` field (issue 13), kept beside core's sender: password encrypted, never answered. */
  private readonly imap: SenderImapSettings;
  constructor(
    @Inject(CampaignPlanExecutionService) service: CampaignPlanExecutionService,
    @Inject(CAMPAIGN_ENGINE_RUNTIME) runtime: Runtime,
  ) {
    this.service = service;
    this.imap = new SenderImapSettings(runtime.database.db, process.env);
  }

  @Post()
  async create(@Body() body: unknown) {
    const { rest, imap } = this.imap.split(body);
    await this.imap.check(undefined, imap, (rest as { channel?: string } | null)?.channel);
    const view = await this.service.senders.create(rest);
    await this.imap.write(view.id, imap ?? undefined, new Date());
    return senderAnswer(view, await this.imap.view(view.id));
  }

  @Get()
  async list() {
    const views = await this.service.senders.list();
    const imap = await this.imap.views(views.map((v) => v.id));
    return views.map((view) => senderAnswer(view, imap.get(view.id) ?? null));
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const view = await this.service.senders.get(id);
    return senderAnswer(view, await this.imap.view(id));
  }

  @Patch(':id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    const { rest, imap } = this.imap.split(body);
    const current = await this.service.senders.get(id);
    await this.imap.check(id, imap, current.channel);
    const view = await this.service.senders.update(id, rest);
    await this.imap.write(id, imap, new Date());
    return senderAnswer(view, await this.imap.view(id));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.service.senders.delete(id);
  }
}
