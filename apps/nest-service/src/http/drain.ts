import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';

export interface DrainableServer {
  /**
   * Stops accepting connections, closes the idle keep-alive ones at once, lets every request in flight
   * finish (its response then carries `Connection: close` and its connection is closed after it), and
   * resolves when the last connection is gone. It never forces a connection closed: the caller bounds
   * the wait.
   */
  drain(): Promise<void>;
}

/**
 * Tracks the requests in flight on `server` from now on, so a stop can finish them and close their
 * connections behind them. Call it before the server takes its first request.
 */
export function drainable(server: Server): DrainableServer {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  const closeAfter = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  server.prependListener('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    if (draining) closeAfter(res);
    res.once('close', () => {
      inFlight.delete(res);
      // A response whose headers left before the stop could not say `Connection: close`; its
      // connection is idle now.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  let drained: Promise<void> | undefined;
  return {
    drain() {
      drained ??= new Promise<void>((resolve) => {
        draining = true;
        for (const res of inFlight) closeAfter(res);
        // Stop listening before closing the idle connections (http.Server#close does it the other way
        // round): a client that sees its connection end and reconnects must find nobody listening.
        NetServer.prototype.close.call(server, () => resolve());
        server.closeIdleConnections();
      });
      return drained;
    },
  };
}
