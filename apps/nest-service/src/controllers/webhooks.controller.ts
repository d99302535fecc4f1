import type { WebhookIntake } from '@campaign/runtime';
import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { bodyOrProblem } from '../http/problem.ts';
import { Public } from '../http/public.ts';
import { WEBHOOK_INTAKE } from '../tokens.ts';

/**
 * Provider webhooks, authenticated by each provider's own scheme on the raw body (not the API key):
 * the runtime's WebhookIntake does the work. A forged, stale or malformed request gets 401 / 400 and
 * stores nothing; in a batch, good items are stored and bad ones reported.
 */
@Public()
@Controller('v1/webhooks')
export class WebhooksController {
  private readonly intake: WebhookIntake<string>;

  constructor(@Inject(WEBHOOK_INTAKE) intake: WebhookIntake<string>) {
    this.intake = intake;
  }

  @Post(':provider')
  @HttpCode(200)
  async receive(@Param('provider') name: string, @Req() req: Request & { rawBody?: Buffer }) {
    return bodyOrProblem(await this.intake.receive(name, { rawBody: req.rawBody, headers: req.headers }));
  }
}
