import type { Clock } from '@campaign/core';
import { type DatabaseHandle, nullExpiredEventPayloads } from '@campaign/db';
import type { Logger } from 'pino';

const UNITS_MS = { W: 604_800_000, D: 86_400_000, H: 3_600_000, M: 60_000, S: 1000 } as const;

/**
 * EVENT_PAYLOAD_RETENTION parsed to milliseconds: an ISO 8601 duration of weeks, days, hours, minutes
 * and seconds (`P30D`, `P4W`, `PT720H`, `P1DT12H`), above zero. Years and months are refused: their
 * length varies, and a retention policy is stated in fixed time.
 * @throws Error naming the variable and the bad value.
 */
export function parsePayloadRetention(value: string): number {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  const fail = (why: string) =>
    new Error(
      `EVENT_PAYLOAD_RETENTION: ${why}, got '${value}' (an ISO 8601 duration such as P30D or PT720H)`,
    );
  if (!match || value === 'P' || value.endsWith('T'))
    throw fail('not an ISO 8601 duration of weeks to seconds');
  const [, w, d, h, m, s] = match;
  const ms =
    Number(w ?? 0) * UNITS_MS.W +
    Number(d ?? 0) * UNITS_MS.D +
    Number(h ?? 0) * UNITS_MS.H +
    Number(m ?? 0) * UNITS_MS.M +
    Number(s ?? 0) * UNITS_MS.S;
  if (ms <= 0) throw fail('must be above zero');
  if (!Number.isSafeInteger(ms)) throw fail('too long');
  return ms;
}

export interface PayloadRetentionLoop {
  /** Stops the timer and waits for a sweep in flight. */
  stop(): Promise<void>;
}

/**
 * Sweeps raw event payloads older than `retentionMs` (by the injected clock) every `intervalMs`, once at
 * start. Any number of workers may run it: a row nulled twice stays null. A failed sweep is logged and
 * retried at the next tick.
 */
export function startPayloadRetention(options: {
  db: DatabaseHandle['db'];
  clock: Clock;
  retentionMs: number;
  intervalMs: number;
  logger: Logger;
  batchSize?: number;
}): PayloadRetentionLoop {
  const { db, clock, retentionMs, intervalMs, logger } = options;
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = running
      .then(() =>
        nullExpiredEventPayloads(db, new Date(clock.now().getTime() - retentionMs), options.batchSize),
      )
      .then((count) => {
        if (count > 0) logger.info({ count }, 'payload retention: nulled raw event payloads');
      })
      .catch((error: unknown) => logger.error({ err: error }, 'payload retention failed'));
  };
  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
