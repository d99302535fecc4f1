import { CampaignPlanExecutionService } from '@campaign/core';
import { Body, Controller, Get, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ProblemError } from '../http/problem.ts';
import { Public } from '../http/public.ts';

/** Text made safe to put in HTML, in an element or a quoted attribute. */
function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/**
 * Sends a small self-contained page to a person. The token is in the URL: no referrer may carry it
 * elsewhere, and no cache may keep it. The page loads nothing and may post only back here.
 */
function sendPage(res: Response, status: number, title: string, body: string): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      'X-Content-Type-Options': 'nosniff',
    })
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head><body style="font-family:system-ui;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    );
}

const invalidLinkPage = (res: Response) =>
  sendPage(
    res,
    404,
    'This link is not valid',
    '<p>This unsubscribe link is not valid: it may have been cut short when it was copied. Use the unsubscribe link of the email itself.</p>',
  );

/** RFC 8058: a mail client's one-click POST carries exactly this form field. */
function isOneClick(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as Record<string, unknown>)['List-Unsubscribe'] === 'One-Click'
  );
}

/**
 * Unsubscribe links. GET only shows a confirmation page, because link scanners follow GET links and
 * must not unsubscribe anyone; its button posts back with `?confirm=1` (a person's confirmation, plain
 * in access logs). Any POST unsubscribes, and the body says who asks: a mail client's RFC 8058 one-click
 * POST (form body `List-Unsubscribe=One-Click`) gets JSON, anything else is a person and gets a page.
 * A bad link is a 404 page for a person, a problem document for the mail client.
 */
@Public()
@Controller('v1/unsubscribe')
export class UnsubscribeController {
  private readonly service: CampaignPlanExecutionService;
  // Explicit token: DI must not depend on emitted type metadata (a type-only import erases it).
  constructor(@Inject(CampaignPlanExecutionService) service: CampaignPlanExecutionService) {
    this.service = service;
  }

  @Post(':token')
  async unsubscribe(@Param('token') token: string, @Body() body: unknown, @Res() res: Response) {
    const result = await this.service.unsubscribeByToken(token);
    if (!isOneClick(body)) {
      if (!result) return invalidLinkPage(res);
      return sendPage(res, 200, 'You are unsubscribed', '<p>You will receive no more of these emails.</p>');
    }
    if (!result)
      throw new ProblemError(
        404,
        'invalid_token',
        'Unknown unsubscribe link',
        'the link is invalid or its message does not exist',
      );
    res.status(200).json({ unsubscribed: true });
  }

  @Get(':token')
  async confirm(@Param('token') token: string, @Res() res: Response) {
    if (!(await this.service.unsubscribeLinkValid(token))) return invalidLinkPage(res);
    const action = `${encodeURIComponent(token)}?confirm=1`;
    sendPage(
      res,
      200,
      'Unsubscribe',
      `<p>Stop receiving these emails?</p><form method="post" action="${escapeHtml(action)}"><button type="submit">Unsubscribe</button></form>`,
    );
  }
}
