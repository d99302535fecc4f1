import { randomUUID } from 'node:crypto';
import { type DatabaseHandle, KyselySenderImapRepository, type StoredSenderImap } from '@campaign/db';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { imapMetrics } from './imap-metrics.ts';
import { decryptSecret, ImapSecretKeyError, imapSecretKey } from './secret-box.ts';
import { type ImapIntake, SenderWatcher, type SenderWatcherTiming } from './sender-watcher.ts';

export interface ImapWatchersOptions extends Partial<SenderWatcherTiming> {
  /** How long a lease holds without renewal (a dead process's watchers are taken over after it). Default 60 s. */
  leaseMs?: number;
  /** How often leases are renewed and free ones taken. Default leaseMs / 3. */
  renewMs?: number;
  /** This process's name on its leases. Default a random UUID. */
  owner?: string;
}

export interface RunningImapWatchers {
  /** The senders whose watchers this process runs now. */
  senderIds(): string[];
  /** Takes free leases and renews held ones now (it also happens every renewMs). */
  tick(): Promise<void>;
  /** Graceful: the messages in hand are finished, the leases given up (another process takes over at once). */
  stop(): Promise<void>;
  /** Like a killed process: stops at once, nothing finished, nothing released (for tests). */
  kill(): void;
}

/**
 * The IMAP watchers of a worker process (DESIGN section 14): one per email sender with `imap` settings
 * across all processes, by a lease row in Postgres. Every renewMs the process renews its leases and
 * takes free or expired ones; a watcher starts for each lease taken, restarts when the settings
 * changed, and stops when its lease is gone (taken over, sender deleted, login refused). Throws an
 * ImapSecretKeyError when a sender has imap settings and IMAP_SECRET_KEY is missing or malformed.
 */
export async function startImapWatchers(deps: {
  db: DatabaseHandle['db'];
  intake: ImapIntake;
  logger: Logger;
  registry: Registry;
  env: Readonly<Record<string, string | undefined>>;
  options?: ImapWatchersOptions;
}): Promise<RunningImapWatchers> {
  const options = deps.options ?? {};
  const leaseMs = options.leaseMs ?? 60_000;
  const renewMs = options.renewMs ?? Math.max(100, Math.floor(leaseMs / 3));
  const timing: SenderWatcherTiming = {
    pollIntervalMs: options.pollIntervalMs ?? 30_000,
    backoffBaseMs: options.backoffBaseMs ?? 1_000,
    backoffMaxMs: options.backoffMaxMs ?? 60_000,
  };
  const owner = options.owner ?? randomUUID();
  const repository = new KyselySenderImapRepository(deps.db);
  const metrics = imapMetrics(deps.registry);
  const logger = deps.logger.child({ component: 'imap' });
  const key = imapSecretKey(deps.env);
  if (!key && (await repository.any()))
    throw new ImapSecretKeyError(
      'IMAP_SECRET_KEY is required: a sender has imap settings (32 bytes, 64 hex digits or base64)',
    );
  const running = new Map<string, SenderWatcher>();
  let stopped = false;

  const launch = (settings: StoredSenderImap) => {
    let password: string;
    try {
      if (!key) throw new ImapSecretKeyError('IMAP_SECRET_KEY is not set');
      password = decryptSecret(key, settings.passwordEnc);
    } catch (error) {
      metrics.errors.inc({ kind: 'auth' });
      void repository.disable(settings.senderId, owner, (error as Error).message, new Date());
      return;
    }
    const watcher: SenderWatcher = new SenderWatcher({
      settings,
      password,
      owner,
      repository,
      intake: deps.intake,
      logger,
      metrics,
      timing,
      onEnd: () => {
        if (running.get(settings.senderId) === watcher) running.delete(settings.senderId);
        metrics.watchers.set(running.size);
      },
    });
    running.set(settings.senderId, watcher);
    watcher.start();
    logger.info({ senderId: settings.senderId }, 'imap: watcher started');
  };

  let ticking: Promise<void> = Promise.resolve();
  const tick = () => {
    ticking = ticking.then(async () => {
      if (stopped) return;
      let held: StoredSenderImap[];
      try {
        held = await repository.acquireLeases(owner, leaseMs);
      } catch (error) {
        metrics.errors.inc({ kind: 'lease' });
        logger.warn({ err: (error as Error).message }, 'imap: lease renewal failed');
        return;
      }
      if (stopped) return;
      const heldIds = new Set(held.map((s) => s.senderId));
      for (const [senderId, watcher] of running) {
        if (heldIds.has(senderId)) continue;
        running.delete(senderId);
        await watcher.stop();
        logger.info({ senderId }, 'imap: watcher stopped (lease gone)');
      }
      for (const settings of held) {
        const current = running.get(settings.senderId);
        if (current && current.settingsVersion === settings.updatedAt.getTime()) continue;
        if (current) {
          running.delete(settings.senderId);
          await current.stop();
        }
        launch(settings);
      }
      metrics.watchers.set(running.size);
    });
    return ticking;
  };

  await tick();
  const timer = setInterval(() => void tick(), renewMs);
  return {
    senderIds: () => [...running.keys()].sort(),
    tick,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await ticking;
      await Promise.all([...running.values()].map((w) => w.stop()));
      running.clear();
      metrics.watchers.set(0);
      await repository.releaseLeases(owner).catch(() => {});
    },
    kill: () => {
      stopped = true;
      clearInterval(timer);
      for (const watcher of running.values()) watcher.halt();
      running.clear();
    },
  };
}
