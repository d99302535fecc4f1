import { type AnalyticsRange, parseAnalyticsRange } from '@campaign/core';
import { CAMPAIGN_ENGINE_RUNTIME } from '@campaign/nestjs';
import { type Runtime, runtimeAnalytics } from '@campaign/runtime';
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ProblemError } from '../http/problem.ts';

/** The range of a request, or 400 invalid_range naming what is wrong. */
function range(query: Record<string, unknown>): AnalyticsRange {
  const parsed = parseAnalyticsRange(query);
  if (!parsed.ok) throw new ProblemError(400, 'invalid_range', 'Invalid analytics range', parsed.detail);
  return parsed.range;
}

const answered = (r: AnalyticsRange) => ({ from: r.from.toISOString(), to: r.to.toISOString() });

/** `/v1/analytics/*` (issue 14 item 4, DESIGN section 12): figures over a time range, read from the store. */
@Controller('v1/analytics')
export class AnalyticsController {
  private readonly analytics: ReturnType<typeof runtimeAnalytics>;
  constructor(@Inject(CAMPAIGN_ENGINE_RUNTIME) runtime: Runtime) {
    this.analytics = runtimeAnalytics(runtime);
  }

  @Get('nodes')
  async nodes(@Query() q: Record<string, unknown>) {
    const r = range(q);
    return { range: answered(r), nodes: await this.analytics.nodes(r) };
  }

  @Get('experiments')
  async experiments(@Query() q: Record<string, unknown>) {
    const r = range(q);
    return { range: answered(r), experiments: await this.analytics.experiments(r) };
  }

  @Get('senders')
  async senders(@Query() q: Record<string, unknown>) {
    const r = range(q);
    return { range: answered(r), senders: await this.analytics.senders(r) };
  }

  @Get('shapes')
  async shapes(@Query() q: Record<string, unknown>) {
    const r = range(q);
    return { range: answered(r), shapes: await this.analytics.shapes(r) };
  }

  @Get('lateness')
  async lateness(@Query() q: Record<string, unknown>) {
    return this.analytics.lateness(range(q));
  }
}
