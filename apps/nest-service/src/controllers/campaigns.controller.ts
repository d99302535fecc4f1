import {
  type CampaignDetails,
  type CampaignListPage,
  CampaignPlanExecutionService,
  type CampaignSummary,
  formatRoutedId,
  type PlanUpdatePreview,
  type StoredPlan,
  TIMELINE_PAGE_SIZE,
} from '@campaign/core';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ProblemError } from '../http/problem.ts';
import { createCampaignBody, parseBody, planBody } from '../http/schemas.ts';

/**
 * A campaign's id as the API hands it out: `<uuid>.<contact id>` (DESIGN section 9), so every request
 * that names it is routed to its contact's shard. Every route also takes the bare uuid (found by id alone).
 */
const campaignId = (c: { id: string; contactId: string }) => formatRoutedId(c.id, c.contactId);

function summaryBody(c: CampaignSummary) {
  return { id: campaignId(c), status: c.status, currentNodeId: c.currentNodeId, planVersion: c.planVersion };
}

function detailBody(view: CampaignDetails) {
  const { campaign, contact } = view;
  return {
    id: campaignId(campaign),
    status: campaign.state.status,
    currentNodeId: campaign.state.currentNodeId,
    stopReason: campaign.state.stopReason,
    planVersion: campaign.planVersion,
    step: campaign.state.step,
    contact: {
      id: contact.id,
      email: contact.email,
      phone: contact.phone,
      name: contact.name,
      timezone: contact.timezone,
      attributes: contact.attributes,
      suppressed: contact.suppressedAt !== null,
      smsSuppressed: (contact.smsSuppressedAt ?? null) !== null,
    },
    pendingActions: view.pendingActions.map((a) => ({
      id: a.id,
      kind: a.kind,
      node: a.nodeId,
      ...(a.event ? { event: a.event } : {}),
      runAt: a.runAt.toISOString(),
    })),
    timeline: view.timeline,
    timelineNextCursor: view.timelineNextCursor,
    senderIds: campaign.senderIds,
  };
}

function listBody(page: CampaignListPage) {
  return {
    items: page.items.map((c) => ({ ...c, id: campaignId(c), createdAt: c.createdAt.toISOString() })),
    nextCursor: page.nextCursor,
  };
}

/** A filter given once, as text; a repeated or nested one is refused. */
function filterParam(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || typeof value === 'string') return value;
  throw new ProblemError(400, 'invalid_filter', 'Invalid filter', `${name} must be given once, as text`);
}

function listRequest(query: Record<string, unknown>) {
  const [status, email, sender, experiment, planShape] = [
    'status',
    'email',
    'sender',
    'experiment',
    'planShape',
  ].map((name) => filterParam(query, name));
  return {
    status,
    email,
    sender,
    experiment,
    planShape,
    cursor: pageCursor(query.cursor),
    limit: pageLimit(query.limit),
  };
}

function previewBody(p: PlanUpdatePreview) {
  return {
    planVersion: p.planVersion,
    currentNodeId: p.currentNodeId,
    timeouts: p.timeouts.map((t) => ({ node: t.node, event: t.event, runAt: t.runAt.toISOString() })),
  };
}

/** `?dryRun=true` only answers what the update would do; anything but true/false is refused, never run for real. */
function parseDryRun(value: unknown): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ProblemError(400, 'invalid_request', 'Invalid request', 'dryRun must be true or false');
}

/** A query parameter given once, as text; anything else (repeated, nested) is NaN for core to refuse. */
function pageLimit(limit: unknown): number | undefined {
  if (limit === undefined) return undefined;
  return typeof limit === 'string' && /^[0-9]{1,7}$/.test(limit) ? Number(limit) : Number.NaN;
}

function pageCursor(cursor: unknown): string | undefined {
  if (cursor === undefined) return undefined;
  return typeof cursor === 'string' ? cursor : '';
}

@Controller('v1/campaigns')
export class CampaignsController {
  private readonly service: CampaignPlanExecutionService;
  // Explicit token: DI must not depend on emitted type metadata (a type-only import erases it).
  constructor(@Inject(CampaignPlanExecutionService) service: CampaignPlanExecutionService) {
    this.service = service;
  }

  @Post()
  async create(@Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const input = parseBody(createCampaignBody, body);
    const { campaign, created } = await this.service.persistPlan(input);
    res.status(created ? 201 : 200);
    return summaryBody(campaign);
  }

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    return listBody(await this.service.listCampaigns(listRequest(query)));
  }

  @Get(':id/plan')
  async plan(@Param('id') id: string): Promise<Omit<StoredPlan, 'contactId'>> {
    const stored = await this.service.getCampaignPlan(id);
    return {
      campaignId: formatRoutedId(stored.campaignId, stored.contactId),
      planVersion: stored.planVersion,
      plan: stored.plan,
    };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return detailBody(await this.service.getCampaign(id, { timelineLimit: TIMELINE_PAGE_SIZE.default }));
  }

  @Get(':id/timeline')
  async timeline(@Param('id') id: string, @Query('cursor') cursor: unknown, @Query('limit') limit: unknown) {
    return this.service.getTimeline(id, { cursor: pageCursor(cursor), limit: pageLimit(limit) });
  }

  @Post(':id/pause')
  @HttpCode(200)
  async pause(@Param('id') id: string) {
    return summaryBody(await this.service.pause(id));
  }

  @Post(':id/resume')
  @HttpCode(200)
  async resume(@Param('id') id: string) {
    return summaryBody(await this.service.resume(id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(@Param('id') id: string) {
    return summaryBody(await this.service.cancel(id));
  }

  @Put(':id/plan')
  async updatePlan(@Param('id') id: string, @Body() body: unknown, @Query('dryRun') dryRun: unknown) {
    const plan = parseBody(planBody, body).plan;
    if (parseDryRun(dryRun)) return previewBody(await this.service.previewPlanUpdate(id, plan));
    const { planVersion } = await this.service.updatePlan(id, plan);
    return { planVersion };
  }
}
