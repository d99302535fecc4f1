import type { KyselySenderImapRepository, StoredSenderImap } from '@campaign/db';
import { InboundError, type ParsedInbound, parseInbound } from '@campaign/inbound';
import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { ImapErrorKind, ImapMessageResult, ImapMetrics } from './imap-metrics.ts';

/** Where a parsed message goes: core's `recordInbound(parsed, 'imap')`. Its status is counted. */
export type ImapIntake = (parsed: ParsedInbound) => Promise<{ status: string }>;

export interface SenderWatcherTiming {
  /** Polling fallback: the mailbox is checked at least this often, IDLE or not. */
  pollIntervalMs: number;
  /** Reconnect delay after a failure: base * 2^attempt, at most max. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface SenderWatcherDeps {
  settings: StoredSenderImap;
  password: string;
  owner: string;
  repository: KyselySenderImapRepository;
  intake: ImapIntake;
  logger: Logger;
  metrics: ImapMetrics;
  timing: SenderWatcherTiming;
  /** Called once when the watcher ends on its own: `disabled` (login refused) or `lease_lost`. */
  onEnd: (why: 'disabled' | 'lease_lost') => void;
}

class WatcherError extends Error {
  readonly kind: ImapErrorKind;
  constructor(kind: ImapErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/** An IMAP server's refusal of the credentials (imapflow marks it `authenticationFailed`). */
function loginRefused(error: unknown): boolean {
  return (error as { authenticationFailed?: boolean } | null)?.authenticationFailed === true;
}

/** The server's words for a refused login, without anything of ours (never the password). */
function refusalText(error: unknown): string {
  const text = (error as { responseText?: string }).responseText ?? (error as Error).message ?? 'refused';
  return `imap login refused: ${String(text).slice(0, 200)}`;
}

/**
 * One sender's mailbox watcher, run by the process that holds the sender's lease: connects, opens the
 * mailbox, hands every message above the stored UID (in UID order) to parseInbound and the intake and
 * stores the position after each, then waits for IDLE's news or the poll interval. The position is
 * saved only while the lease is held (a fenced write): a watcher that lost its lease stops. A message
 * handed on but not yet recorded as the position when the process dies is read again by the next
 * holder; the intake counts it once (its event id is the Message-ID). A UIDVALIDITY change means the
 * UIDs were renumbered: the mailbox is read again from the start (again counted once per message).
 * A refused login disables the watcher (the reason on the sender) until the settings are updated; any
 * other failure reconnects after an exponential backoff.
 */
export class SenderWatcher {
  private stopped = false;
  private client: ImapFlow | undefined;
  private wake: (() => void) | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> = Promise.resolve();
  private uidValidity: bigint | null;
  private lastUid: number;
  private readonly deps: SenderWatcherDeps;

  constructor(deps: SenderWatcherDeps) {
    this.deps = deps;
    this.uidValidity = deps.settings.uidValidity;
    this.lastUid = deps.settings.lastUid;
  }

  get senderId(): string {
    return this.deps.settings.senderId;
  }

  get settingsVersion(): number {
    return this.deps.settings.updatedAt.getTime();
  }

  start(): void {
    this.loop = this.run();
  }

  /** Ends the session (logout) and waits for the message in hand to be finished. */
  async stop(): Promise<void> {
    this.halt();
    await this.loop;
  }

  /** Stops at once without waiting for anything (what a killed process does). */
  halt(): void {
    this.stopped = true;
    this.interrupt();
    const client = this.client;
    if (client) void client.logout().catch(() => client.close());
  }

  private interrupt(): void {
    clearTimeout(this.sleepTimer);
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }

  private async run(): Promise<void> {
    const { logger, metrics, timing, settings } = this.deps;
    let attempt = 0;
    while (!this.stopped) {
      try {
        await this.session(() => {
          attempt = 0;
        });
      } catch (error) {
        if (this.stopped) break;
        if (loginRefused(error)) {
          metrics.errors.inc({ kind: 'auth' });
          const reason = refusalText(error);
          logger.warn({ senderId: settings.senderId, reason }, 'imap: login refused, watcher disabled');
          await this.deps.repository
            .disable(settings.senderId, this.deps.owner, reason, new Date())
            .catch((err: unknown) =>
              logger.error({ err, senderId: settings.senderId }, 'imap: disable failed'),
            );
          this.stopped = true;
          this.deps.onEnd('disabled');
          break;
        }
        const kind = error instanceof WatcherError ? error.kind : 'connect';
        metrics.errors.inc({ kind });
        if (kind === 'lease') {
          logger.warn({ senderId: settings.senderId }, 'imap: lease lost, watcher stops');
          this.stopped = true;
          this.deps.onEnd('lease_lost');
          break;
        }
        logger.warn(
          { senderId: settings.senderId, kind, err: (error as Error).message, attempt },
          'imap: watcher failed, reconnecting',
        );
      } finally {
        const client = this.client;
        this.client = undefined;
        client?.close();
      }
      if (this.stopped) break;
      await this.sleep(Math.min(timing.backoffMaxMs, timing.backoffBaseMs * 2 ** attempt));
      attempt += 1;
    }
  }

  private async session(opened: () => void): Promise<void> {
    const { settings, password, timing } = this.deps;
    const client = new ImapFlow({
      host: settings.host,
      port: settings.port,
      secure: settings.tls,
      auth: { user: settings.user, pass: password },
      logger: false,
      maxIdleTime: timing.pollIntervalMs,
      missingIdleCommand: 'NOOP',
    });
    this.client = client;
    let closed = false;
    client.on('error', () => {}); // answered by the failing command or `close`
    client.on('close', () => {
      closed = true;
      this.interrupt();
    });
    client.on('exists', () => this.interrupt());
    await client.connect();
    if (this.stopped) return;
    const mailbox = await client.mailboxOpen(settings.mailbox, { readOnly: true });
    opened();
    if (this.uidValidity !== mailbox.uidValidity) {
      this.uidValidity = mailbox.uidValidity;
      this.lastUid = 0;
    }
    while (!this.stopped && !closed) {
      await this.fetchNew(client, mailbox.uidValidity);
      if (this.stopped || closed) break;
      await this.sleep(timing.pollIntervalMs);
    }
    if (!this.stopped) throw new WatcherError('connect', 'connection closed');
  }

  private async fetchNew(client: ImapFlow, uidValidity: bigint): Promise<void> {
    const { settings, metrics, logger } = this.deps;
    let uids: number[];
    try {
      const found = await client.search({ uid: `${this.lastUid + 1}:*` }, { uid: true });
      uids = (found || []).filter((uid) => uid > this.lastUid).sort((a, b) => a - b);
    } catch (error) {
      throw new WatcherError('fetch', `search failed: ${(error as Error).message}`, { cause: error });
    }
    for (const uid of uids) {
      if (this.stopped) return;
      let message: Exclude<Awaited<ReturnType<ImapFlow['fetchOne']>>, false> | undefined;
      try {
        message =
          (await client.fetchOne(
            String(uid),
            { uid: true, source: true, internalDate: true },
            { uid: true },
          )) || undefined;
      } catch (error) {
        throw new WatcherError('fetch', `fetch failed: ${(error as Error).message}`, { cause: error });
      }
      if (message?.source) {
        let result: ImapMessageResult;
        try {
          const parsed = await parseInbound(message.source);
          const answer = await this.deps.intake(parsed);
          result = (
            ['accepted', 'duplicate', 'unmatched', 'implausible_time'].includes(answer.status)
              ? answer.status
              : 'accepted'
          ) as ImapMessageResult;
        } catch (error) {
          if (!(error instanceof InboundError)) {
            throw new WatcherError('intake', `intake failed: ${(error as Error).message}`, { cause: error });
          }
          result = 'malformed';
          logger.warn(
            { senderId: settings.senderId, uid, code: error.code },
            'imap: message skipped (unparseable)',
          );
        }
        metrics.messages.inc({ result });
        const arrived = message.internalDate ? new Date(message.internalDate).getTime() : Number.NaN;
        if (Number.isFinite(arrived)) metrics.lag.observe(Math.max(0, Date.now() - arrived) / 1000);
      }
      // Saved even when stopping: the message in hand is finished.
      const held = await this.deps.repository
        .savePosition(settings.senderId, this.deps.owner, uidValidity, uid)
        .catch((error: unknown) => {
          throw new WatcherError('intake', `position not saved: ${(error as Error).message}`, {
            cause: error,
          });
        });
      if (!held) throw new WatcherError('lease', 'lease lost');
      this.lastUid = uid;
    }
  }
}
