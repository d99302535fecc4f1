import { type Runtime, redactUrlsIn } from '@campaign/runtime';
import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { sql } from 'kysely';
import { Public } from '../http/public.ts';
import { RUNTIME } from '../tokens.ts';

/** A check that does not answer in time has failed: a lost Redis queues commands instead of refusing them. */
function answersWithin<T>(check: Promise<T>, ms = 2000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([check, late]).finally(() => clearTimeout(timer));
}

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

  /** Ready when the database answers and the queue backend does, each within 2 s. */
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const checks: Record<string, 'ok' | string> = {};
    try {
      await answersWithin(sql`select 1`.execute(this.runtime.database.db));
      checks.database = 'ok';
    } catch (error) {
      checks.database = redactUrlsIn((error as Error).message);
    }
    try {
      await answersWithin(Promise.resolve(this.runtime.scheduler.ping?.()));
      checks.queue = 'ok';
    } catch (error) {
      checks.queue = redactUrlsIn((error as Error).message);
    }
    const ok = Object.values(checks).every((v) => v === 'ok');
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metrics() {
    return this.runtime.metrics.registry.metrics();
  }
}
