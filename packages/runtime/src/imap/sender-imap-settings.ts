import { InvalidSenderError, type SenderIssue } from '@campaign/core';
import { type DatabaseHandle, KyselySenderImapRepository, type StoredSenderImap } from '@campaign/db';
import { z } from 'zod';
import { encryptSecret, ImapSecretKeyError, imapSecretKey } from './secret-box.ts';

/** A sender body's `imap` (email senders only): where its replies land. `password` is write-only. */
export const imapSettingsBody = z.strictObject({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65_535),
  tls: z.boolean(),
  user: z.string().min(1).max(320),
  /** Required when the sender has no imap settings yet; omitted on an update: the stored one stays. */
  password: z.string().min(1).max(1024).optional(),
  mailbox: z.string().min(1).max(200).optional(),
});
export type ImapSettingsBody = z.infer<typeof imapSettingsBody>;

/** The `imap` of a sender answer: never the password, only that there is one. */
export interface SenderImapView {
  host: string;
  port: number;
  tls: boolean;
  user: string;
  mailbox: string;
  hasPassword: true;
  /** Why the watcher is off (the server refused the login); null while it may run. */
  error: string | null;
  errorAt: string | null;
}

export function imapView(stored: StoredSenderImap): SenderImapView {
  return {
    host: stored.host,
    port: stored.port,
    tls: stored.tls,
    user: stored.user,
    mailbox: stored.mailbox,
    hasPassword: true,
    error: stored.error,
    errorAt: stored.errorAt?.toISOString() ?? null,
  };
}

/**
 * The `imap` field of the senders API, kept beside core's sender (core checks the rest of the body):
 * `split` takes it off a body and checks it (`invalid_sender` naming `/imap/...`), `write` stores it
 * (password encrypted under IMAP_SECRET_KEY; `null` removes the settings; any update of the sender
 * clears a refused login's error, so its watcher tries again).
 */
export class SenderImapSettings {
  private readonly repository: KyselySenderImapRepository;
  private readonly env: Readonly<Record<string, string | undefined>>;

  constructor(db: DatabaseHandle['db'], env: Readonly<Record<string, string | undefined>>) {
    this.repository = new KyselySenderImapRepository(db);
    this.env = env;
  }

  /** `body` without `imap`, and `imap` checked (undefined: absent; null: remove). */
  split(body: unknown): { rest: unknown; imap: ImapSettingsBody | null | undefined } {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !('imap' in body))
      return { rest: body, imap: undefined };
    const { imap, ...rest } = body as Record<string, unknown>;
    if (imap === null) return { rest, imap: null };
    const parsed = imapSettingsBody.safeParse(imap);
    if (!parsed.success) {
      const issues: SenderIssue[] = parsed.error.issues.map((issue) => ({
        path: `/imap${issue.path.map((p) => `/${String(p)}`).join('')}`,
        message: issue.message,
      }));
      throw new InvalidSenderError(issues);
    }
    if ((rest as { channel?: unknown }).channel === 'sms')
      throw new InvalidSenderError([{ path: '/imap', message: 'only an email sender has imap settings' }]);
    return { rest, imap: parsed.data };
  }

  /** Refuses what `write` would refuse, before anything is stored. */
  async check(senderId: string | undefined, imap: ImapSettingsBody | null | undefined, channel?: string) {
    if (!imap) return;
    if (channel === 'sms')
      throw new InvalidSenderError([{ path: '/imap', message: 'only an email sender has imap settings' }]);
    const existing = senderId ? await this.repository.get(senderId) : null;
    if (imap.password === undefined && !existing)
      throw new InvalidSenderError([{ path: '/imap/password', message: 'required' }]);
    if (!imapSecretKey(this.env))
      throw new InvalidSenderError([
        {
          path: '/imap',
          message: 'IMAP_SECRET_KEY is not set on the server: imap settings cannot be stored',
        },
      ]);
  }

  async write(senderId: string, imap: ImapSettingsBody | null | undefined, at: Date): Promise<void> {
    if (imap === null) return this.repository.remove(senderId);
    if (imap === undefined) return this.repository.clearError(senderId, at);
    const existing = await this.repository.get(senderId);
    const passwordEnc =
      imap.password === undefined ? existing?.passwordEnc : encryptSecret(this.key(), imap.password);
    if (!passwordEnc) throw new InvalidSenderError([{ path: '/imap/password', message: 'required' }]);
    await this.repository.put(
      senderId,
      {
        host: imap.host,
        port: imap.port,
        tls: imap.tls,
        user: imap.user,
        passwordEnc,
        mailbox: imap.mailbox,
      },
      at,
    );
  }

  async view(senderId: string): Promise<SenderImapView | null> {
    const stored = await this.repository.get(senderId);
    return stored ? imapView(stored) : null;
  }

  async views(senderIds: readonly string[]): Promise<Map<string, SenderImapView>> {
    const stored = await this.repository.getMany(senderIds);
    return new Map([...stored].map(([id, s]) => [id, imapView(s)]));
  }

  private key(): Buffer {
    const key = imapSecretKey(this.env);
    if (!key) throw new ImapSecretKeyError('IMAP_SECRET_KEY is not set: imap settings cannot be stored');
    return key;
  }
}
