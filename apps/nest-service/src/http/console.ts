import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';

/*
 * The operators' console (apps/console, a Vite build) under /console: its files as they are, and
 * index.html for any other path under it (the single-page app routes itself). The files hold no
 * secret; every call the page makes goes to /v1 with the session cookie.
 */

/** apps/console/dist, from src/http or dist/http alike. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist', import.meta.url));

/** The page runs only its own scripts, talks only to this origin and is never framed. */
export const CONSOLE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

export function mountConsole(app: NestExpressApplication, dist = CONSOLE_DIST): void {
  const index = join(dist, 'index.html');
  const files = express.static(dist, { index: false, redirect: false, fallthrough: true });
  app.use('/console', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.set(CONSOLE_HEADERS);
    // `/console` itself: the app's base is `/console/` (relative asset URLs need the slash).
    if (req.originalUrl === '/console' || req.originalUrl.startsWith('/console?'))
      return res.redirect(301, `/console/${req.originalUrl.slice('/console'.length)}`);
    files(req, res, () => {
      if (!existsSync(index)) {
        res
          .status(404)
          .type('application/problem+json')
          .send(
            JSON.stringify({
              type: 'about:blank',
              title: 'Not Found',
              status: 404,
              code: 'console_not_built',
              detail: 'the console is not built: run pnpm build',
            }),
          );
        return;
      }
      // A missing asset is a 404, not the page: only page paths fall back to index.html.
      if (req.path.startsWith('/assets/')) return next();
      res.set('Cache-Control', 'no-store');
      res.sendFile(index);
    });
  });
}
