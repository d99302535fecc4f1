import type { PrometheusMetrics } from '@campaign/runtime';
import type { NextFunction, Request, Response } from 'express';

/**
 * The route template a request matched, as express knows it once the route ran (`/v1/campaigns/:id`,
 * with the mount path of a sub-app such as Bull Board), or `unmatched`: never the raw URL, so an
 * unknown or hostile path cannot create a label value.
 */
export function routeTemplate(req: Pick<Request, 'baseUrl'> & { route?: { path?: unknown } }): string {
  const path = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` || '/' : 'unmatched';
}

/** Express middleware: on each finished response, counts it and its latency by route template and status. */
export function httpMetrics(metrics: PrometheusMetrics, now: () => bigint = process.hrtime.bigint) {
  return (req: Request, res: Response, next: NextFunction) => {
    const start = now();
    res.once('finish', () => {
      metrics.observeHttp(req.method, routeTemplate(req), res.statusCode, Number(now() - start) / 1e9);
    });
    next();
  };
}
