import type { Scheduler } from '@campaign/core';
import { redactUrlsIn } from './redact.ts';

/** What `/health/ready` answers: every check `ok`, or the (URL-redacted) message of its failure. */
export interface Readiness {
  status: 'ok' | 'unavailable';
  checks: { database: string; queue: string };
}

/** How long a check may take before it counts as failed, in milliseconds. */
export const READINESS_TIMEOUT_MS = 2000;

/**
 * Ready when the database answers its ping and the queue backend answers its own (a Scheduler without
 * `ping` counts as ready), each within `timeoutMs` (default 2000): a lost Redis queues commands instead
 * of refusing them, so a check that does not answer in time has failed. Never rejects.
 */
export async function checkReadiness(
  parts: { database: { ping(): Promise<void> }; scheduler: Pick<Scheduler, 'ping'> },
  timeoutMs = READINESS_TIMEOUT_MS,
): Promise<Readiness> {
  const [database, queue] = await Promise.all([
    outcome(() => parts.database.ping(), timeoutMs),
    outcome(async () => parts.scheduler.ping?.(), timeoutMs),
  ]);
  return { status: database === 'ok' && queue === 'ok' ? 'ok' : 'unavailable', checks: { database, queue } };
}

async function outcome(check: () => Promise<unknown>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([check(), late]);
    return 'ok';
  } catch (error) {
    return redactUrlsIn(error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
  }
}
