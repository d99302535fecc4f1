import type { Runtime } from '../runtime.ts';
import { type RunningImapWatchers, startImapWatchers } from './imap-watchers.ts';

/**
 * The IMAP watchers of a process that runs the engine's workers (apps/workers, or the API with
 * RUN_WORKERS / the embedded start), on the runtime's database, service, logger and metrics: inbound
 * mail goes to `service.recordInbound(parsed, 'imap')`. Rejects with an ImapSecretKeyError when a
 * sender has imap settings and IMAP_SECRET_KEY (read from `env`) is missing or malformed: the caller
 * exits 2, a configuration error.
 */
export function startRuntimeImapWatchers(
  runtime: Pick<Runtime, 'database' | 'service' | 'logger' | 'metrics'>,
  env: Readonly<Record<string, string | undefined>>,
): Promise<RunningImapWatchers> {
  return startImapWatchers({
    db: runtime.database.db,
    intake: (parsed) => runtime.service.recordInbound(parsed, 'imap'),
    logger: runtime.logger,
    registry: runtime.metrics.registry,
    env,
  });
}
