import type { Runtime } from '@campaign/runtime';
import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Authenticator } from '../http/api-key.guard.ts';
import { Public } from '../http/public.ts';
import { clearedSessionCookie, sameSitePath, sessionCookie } from '../http/session.ts';
import { RUNTIME } from '../tokens.ts';

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Nothing here may be framed (clickjacking), run scripts or post a form anywhere else. */
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

function signInPage(next: string, failed: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Sign in</title></head><body style="font-family:system-ui;max-width:24rem;margin:4rem auto;padding:0 1rem"><h1>Campaign engine</h1>${failed ? '<p role="alert">That is not the API key.</p>' : ''}<form method="post" action="/auth/sign-in"><input type="hidden" name="next" value="${escapeHtml(next)}"><label>API key <input type="password" name="apiKey" autocomplete="current-password" required autofocus></label> <button type="submit">Sign in</button></form></body></html>`;
}

/**
 * The browser sign-in (Bull Board, the console): the API key, typed once, becomes a 12-hour session
 * cookie (see session.ts). Scripts keep the Bearer header.
 */
@Public()
@Controller('auth')
export class AuthController {
  private readonly authenticator: Authenticator;
  private readonly fallback: string;
  constructor(@Inject(Authenticator) authenticator: Authenticator, @Inject(RUNTIME) runtime: Runtime) {
    this.authenticator = authenticator;
    // Where a sign-in without `next` lands: Bull Board when there is one.
    this.fallback = runtime.config.queueBackend === 'bullmq' ? '/admin/queues' : '/docs';
  }

  @Get('sign-in')
  form(@Query('next') next: unknown, @Res({ passthrough: true }) res: Response) {
    res.set(PAGE_HEADERS);
    return signInPage(sameSitePath(next, this.fallback), false);
  }

  /** Right key: the cookie and a 303 to `next`. Wrong key: 401, no cookie (the form again, or a problem for JSON). */
  @Post('sign-in')
  signIn(@Body() body: unknown, @Query('next') query: unknown, @Req() req: Request, @Res() res: Response) {
    const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const next = sameSitePath(fields.next ?? query, this.fallback);
    const key = fields.apiKey;
    if (typeof key === 'string' && this.authenticator.isCurrentKey(key)) {
      res.set('Cache-Control', 'no-store');
      res.append(
        'Set-Cookie',
        sessionCookie(this.authenticator.issueSession(), this.authenticator.secureCookies),
      );
      res.redirect(303, next);
      return;
    }
    if (req.is('application/json')) {
      res
        .status(401)
        .type('application/problem+json')
        .send(
          JSON.stringify({
            type: 'about:blank',
            title: 'Unauthorized',
            status: 401,
            code: 'unauthorized',
            detail: 'apiKey is not the API key',
            instance: req.originalUrl,
          }),
        );
      return;
    }
    res.status(401).set(PAGE_HEADERS).send(signInPage(next, true));
  }

  @Post('sign-out')
  @HttpCode(303)
  signOut(@Res({ passthrough: true }) res: Response) {
    res.append('Set-Cookie', clearedSessionCookie(this.authenticator.secureCookies));
    res.set('Location', '/auth/sign-in');
  }
}
