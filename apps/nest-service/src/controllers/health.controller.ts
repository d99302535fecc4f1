import type { Runtime } from '@campaign/runtime';
import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../http/public.ts';
import { RUNTIME } from '../tokens.ts';

@Public()
@Controller()
export class HealthController {
  private readonly runtime: Runtime;
  constructor(@Inject(RUNTIME) runtime: Runtime) {
    this.runtime = runtime;
  }

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /** Ready (200) when the database and the queue backend answer, each within 2 s; else 503 naming the failure. */
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const readiness = await this.runtime.readiness();
    res.status(readiness.status === 'ok' ? 200 : 503);
    return readiness;
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metrics() {
    return this.runtime.metrics.registry.metrics();
  }
}
