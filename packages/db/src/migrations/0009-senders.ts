import { type Kysely, sql } from 'kysely';

/*
 * Sending controls (DESIGN section 11, issue 12).
 *
 * `senders`: a from-identity per channel with its caps (a daily cap per local day of `timezone`, an
 * optional hourly cap over any rolling 60 minutes, an optional minimum gap between two sends as an ISO
 * duration) and an optional warm-up; `paused_at`/`paused_reason`/`health` record an automatic pause and
 * the figures that tripped it; `deleted_at` a soft delete (a deleted sender stays referenced by its
 * campaigns and messages).
 *
 * A campaign keeps the senders it got at creation (`email_sender_id`, `sms_sender_id`; null: the
 * MAIL_FROM default, without caps) and its `mode` (`shadow`: rendered and recorded, never sent). A
 * message records its sender and `claimed_at`, the instant (the service's clock, not the database's) at
 * which it was claimed, which is what the sender's usage counts; status `shadow` is a message recorded
 * but never handed to a transport.
 *
 * `sending_control`: the single row of the emergency stop.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table senders (
      id text primary key,
      channel text not null check (channel in ('email', 'sms')),
      from_address text not null,
      timezone text not null,
      daily_cap integer not null check (daily_cap > 0),
      hourly_cap integer check (hourly_cap > 0),
      min_gap text,
      warmup_start integer check (warmup_start > 0),
      warmup_days integer check (warmup_days between 1 and 366),
      enabled boolean not null default true,
      transport text not null default 'smtp',
      created_at timestamptz not null,
      updated_at timestamptz not null,
      paused_at timestamptz,
      paused_reason text,
      health jsonb,
      deleted_at timestamptz,
      check ((warmup_start is null) = (warmup_days is null)),
      check (
        (channel = 'email' and transport in ('smtp', 'sendgrid', 'mailgun', 'postmark', 'ses', 'resend', 'log'))
        or (channel = 'sms' and transport in ('twilio', 'log'))
      )
    )`.execute(db);
  await sql`create index senders_channel_idx on senders (channel, id) where deleted_at is null`.execute(db);

  await sql`alter table contact_campaigns
    add column email_sender_id text references senders (id),
    add column sms_sender_id text references senders (id),
    add column mode text not null default 'live' check (mode in ('live', 'shadow'))`.execute(db);
  // A sender's open campaigns (delete refuses while there are any; least-loaded counts their due sends).
  await sql`create index contact_campaigns_email_sender_idx on contact_campaigns (email_sender_id)
    where email_sender_id is not null`.execute(db);
  await sql`create index contact_campaigns_sms_sender_idx on contact_campaigns (sms_sender_id)
    where sms_sender_id is not null`.execute(db);

  await sql`alter table outbound_messages
    add column sender_id text references senders (id),
    add column claimed_at timestamptz`.execute(db);
  await sql`alter table outbound_messages drop constraint outbound_messages_status_check`.execute(db);
  await sql`alter table outbound_messages add constraint outbound_messages_status_check
    check (status in ('sending', 'sent', 'failed', 'shadow'))`.execute(db);
  // A sender's usage: its messages claimed in a range (today, the last hour, the last one).
  await sql`create index outbound_messages_sender_idx on outbound_messages (sender_id, claimed_at)
    where sender_id is not null`.execute(db);

  await sql`
    create table sending_control (
      id boolean primary key default true check (id),
      enabled boolean not null default true,
      since timestamptz
    )`.execute(db);
  await sql`insert into sending_control (id, enabled, since) values (true, true, null)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table sending_control`.execute(db);
  await sql`delete from outbound_messages where status = 'shadow'`.execute(db);
  await sql`alter table outbound_messages drop constraint outbound_messages_status_check`.execute(db);
  await sql`alter table outbound_messages add constraint outbound_messages_status_check
    check (status in ('sending', 'sent', 'failed'))`.execute(db);
  await sql`alter table outbound_messages drop column sender_id, drop column claimed_at`.execute(db);
  await sql`alter table contact_campaigns
    drop column email_sender_id, drop column sms_sender_id, drop column mode`.execute(db);
  await sql`drop table senders`.execute(db);
}
