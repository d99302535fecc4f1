import { type Kysely, sql } from 'kysely';

/*
 * The IMAP watcher (DESIGN section 14, issue 13): `sender_imap` holds an email sender's mailbox
 * settings (the password encrypted with AES-256-GCM under IMAP_SECRET_KEY, never in clear), the
 * watcher's position (UIDVALIDITY and the last UID handed to the intake, so nothing is read twice or
 * missed across restarts), its lease (one watcher per sender across any number of worker processes:
 * `lease_owner` until `lease_until`, renewed; an expired lease is taken over) and `error`, set when the
 * server refused the login: the watcher then stays off until the settings are updated.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sender_imap (
      sender_id text primary key references senders (id) on delete cascade,
      host text not null,
      port integer not null check (port between 1 and 65535),
      tls boolean not null,
      username text not null,
      password_enc text not null,
      mailbox text not null default 'INBOX',
      updated_at timestamptz not null,
      uid_validity bigint,
      last_uid bigint not null default 0,
      lease_owner text,
      lease_until timestamptz,
      error text,
      error_at timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table sender_imap`.execute(db);
}
