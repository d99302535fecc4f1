import { createServer } from 'node:http';
import type { PrometheusMetrics } from './metrics.ts';

export interface MetricsServer {
  /** The port it listens on (the one asked for, or the one given for port 0). */
  readonly port: number;
  /** Stops listening and closes every connection (scrapers keep theirs alive). */
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format) of `metrics` on `host:port`, for a process that has no
 * HTTP API of its own (the workers). Anything else is a 404. Rejects with the listen error (EADDRINUSE,
 * EACCES) when the port cannot be bound.
 */
export async function startMetricsServer(
  metrics: PrometheusMetrics,
  options: { host: string; port: number },
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
