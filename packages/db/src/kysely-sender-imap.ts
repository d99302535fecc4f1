import { type Kysely, sql } from 'kysely';

/*
 * `sender_imap` (migration 0013): an email sender's IMAP settings, its watcher's lease and position.
 * Lease instants are the database's clock (`now()`), the one clock every worker process shares.
 */

/** What is stored of a sender's IMAP settings (the password only encrypted). */
export interface StoredSenderImap {
  senderId: string;
  host: string;
  port: number;
  tls: boolean;
  user: string;
  passwordEnc: string;
  mailbox: string;
  updatedAt: Date;
  /** Null until the watcher first opened the mailbox. */
  uidValidity: bigint | null;
  lastUid: number;
  /** Why the watcher is off (a refused login); null when it may run. */
  error: string | null;
  errorAt: Date | null;
}

/** The settings a caller writes; the position, lease and error are reset with them. */
export interface SenderImapSettingsInput {
  host: string;
  port: number;
  tls: boolean;
  user: string;
  passwordEnc: string;
  mailbox?: string;
}

interface Row {
  sender_id: string;
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password_enc: string;
  mailbox: string;
  updated_at: Date;
  uid_validity: string | null;
  last_uid: string;
  error: string | null;
  error_at: Date | null;
}

const toStored = (row: Row): StoredSenderImap => ({
  senderId: row.sender_id,
  host: row.host,
  port: row.port,
  tls: row.tls,
  user: row.username,
  passwordEnc: row.password_enc,
  mailbox: row.mailbox,
  updatedAt: new Date(row.updated_at),
  uidValidity: row.uid_validity === null ? null : BigInt(row.uid_validity),
  lastUid: Number(row.last_uid),
  error: row.error,
  errorAt: row.error_at === null ? null : new Date(row.error_at),
});

// biome-ignore lint/suspicious/noExplicitAny: raw SQL over a table the typed schema does not list
type AnyDb = Kysely<any>;

/** The sender_imap table: settings, lease and position of each email sender's IMAP watcher. */
export class KyselySenderImapRepository {
  private readonly db: AnyDb;
  // biome-ignore lint/suspicious/noExplicitAny: any Kysely of this database
  constructor(db: Kysely<any>) {
    this.db = db;
  }

  async get(senderId: string): Promise<StoredSenderImap | null> {
    const { rows } = await sql<Row>`select * from sender_imap where sender_id = ${senderId}`.execute(this.db);
    return rows[0] ? toStored(rows[0]) : null;
  }

  /** Every stored setting of the given senders (a list answer), by sender id. */
  async getMany(senderIds: readonly string[]): Promise<Map<string, StoredSenderImap>> {
    if (senderIds.length === 0) return new Map();
    const { rows } = await sql<Row>`select * from sender_imap
      where sender_id in (${sql.join(senderIds.map((id) => sql`${id}`))})`.execute(this.db);
    return new Map(rows.map((row) => [row.sender_id, toStored(row)]));
  }

  /**
   * Writes the settings: new ones, or changed ones (the error is cleared, so a watcher refused a login
   * runs again; the position is kept when the mailbox is the same one on the same server and account).
   */
  async put(senderId: string, input: SenderImapSettingsInput, at: Date): Promise<void> {
    const mailbox = input.mailbox ?? 'INBOX';
    await sql`insert into sender_imap (sender_id, host, port, tls, username, password_enc, mailbox, updated_at)
      values (${senderId}, ${input.host}, ${input.port}, ${input.tls}, ${input.user}, ${input.passwordEnc}, ${mailbox}, ${at})
      on conflict (sender_id) do update set
        host = excluded.host, port = excluded.port, tls = excluded.tls, username = excluded.username,
        password_enc = excluded.password_enc, mailbox = excluded.mailbox, updated_at = excluded.updated_at,
        error = null, error_at = null,
        uid_validity = case when (sender_imap.host, sender_imap.port, sender_imap.username, sender_imap.mailbox)
          = (excluded.host, excluded.port, excluded.username, excluded.mailbox) then sender_imap.uid_validity end,
        last_uid = case when (sender_imap.host, sender_imap.port, sender_imap.username, sender_imap.mailbox)
          = (excluded.host, excluded.port, excluded.username, excluded.mailbox) then sender_imap.last_uid else 0 end`.execute(
      this.db,
    );
  }

  /** Clears a refused login's error without changing the settings (the sender was updated). */
  async clearError(senderId: string, at: Date): Promise<void> {
    await sql`update sender_imap set error = null, error_at = null, updated_at = ${at}
      where sender_id = ${senderId} and error is not null`.execute(this.db);
  }

  async remove(senderId: string): Promise<void> {
    await sql`delete from sender_imap where sender_id = ${senderId}`.execute(this.db);
  }

  /** Whether any sender has IMAP settings (then IMAP_SECRET_KEY is required). */
  async any(): Promise<boolean> {
    const { rows } = await sql<{ n: number }>`select 1 as n from sender_imap limit 1`.execute(this.db);
    return rows.length > 0;
  }

  /**
   * The watchers `owner` holds after this call: every live email sender's settings without an error
   * whose lease is free, expired or already `owner`'s gets (or keeps) a lease until now + `leaseMs`.
   */
  async acquireLeases(owner: string, leaseMs: number): Promise<StoredSenderImap[]> {
    const { rows } = await sql<Row>`update sender_imap i
      set lease_owner = ${owner}, lease_until = now() + ${leaseMs} * interval '1 millisecond'
      from senders s
      where s.id = i.sender_id and s.deleted_at is null and s.channel = 'email' and i.error is null
        and (i.lease_owner is null or i.lease_owner = ${owner} or i.lease_until < now())
      returning i.*`.execute(this.db);
    return rows.map(toStored).sort((a, b) => a.senderId.localeCompare(b.senderId));
  }

  /** Gives up `owner`'s leases (a graceful stop), so another process takes over at once. */
  async releaseLeases(owner: string, senderIds?: readonly string[]): Promise<void> {
    if (senderIds?.length === 0) return;
    await sql`update sender_imap set lease_owner = null, lease_until = null
      where lease_owner = ${owner}
      ${senderIds ? sql`and sender_id in (${sql.join(senderIds.map((id) => sql`${id}`))})` : sql``}`.execute(
      this.db,
    );
  }

  /**
   * Records the position after a message was handed to the intake; false when `owner` no longer holds
   * the lease (another process took over: this watcher must stop).
   */
  async savePosition(
    senderId: string,
    owner: string,
    uidValidity: bigint,
    lastUid: number,
  ): Promise<boolean> {
    const { rows } =
      await sql`update sender_imap set uid_validity = ${uidValidity.toString()}, last_uid = ${lastUid}
      where sender_id = ${senderId} and lease_owner = ${owner} and lease_until >= now()
      returning sender_id`.execute(this.db);
    return rows.length === 1;
  }

  /** The server refused the login: the watcher stays off (and its lease is given up) until an update. */
  async disable(senderId: string, owner: string, error: string, at: Date): Promise<void> {
    await sql`update sender_imap set error = ${error}, error_at = ${at}, lease_owner = null, lease_until = null
      where sender_id = ${senderId} and lease_owner = ${owner}`.execute(this.db);
  }
}
