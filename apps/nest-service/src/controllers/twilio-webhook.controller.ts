import type { TwilioWebhookIntake } from '@campaign/runtime';
import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { bodyOrProblem } from '../http/problem.ts';
import { Public } from '../http/public.ts';

/** The Twilio intake's injection token (the runtime's TwilioWebhookIntake). */
export const TWILIO_INTAKE = Symbol('TwilioWebhookIntake');

/**
 * Twilio's status callbacks and inbound messages (form-encoded), authenticated by X-Twilio-Signature
 * over PUBLIC_URL + this path, not the API key: the runtime's TwilioWebhookIntake does the work. A
 * forged or missing signature is a 401 and stores nothing. Registered before the generic
 * `/v1/webhooks/:provider` route, which would take `twilio` for an email provider.
 */
@Public()
@Controller('v1/webhooks')
export class TwilioWebhookController {
  private readonly intake: TwilioWebhookIntake;

  constructor(@Inject(TWILIO_INTAKE) intake: TwilioWebhookIntake) {
    this.intake = intake;
  }

  @Post('twilio')
  @HttpCode(200)
  async receive(@Req() req: Request & { rawBody?: Buffer }) {
    return bodyOrProblem(await this.intake.receive({ rawBody: req.rawBody, headers: req.headers }));
  }
}
