import { type Kysely, sql } from 'kysely';

/*
 * Issue 14, API completeness.
 *
 * Erasure (`DELETE /v1/contacts/:id`): a contact's personal data is removed, but a suppressed address
 * must stay suppressed. `email_sha256` / `phone_sha256` keep only the SHA-256 (lowercase hex) of the
 * normalized address (email trimmed and lowercased; phone as stored, E.164) of an erased contact whose
 * address was suppressed; the suppression checks match them too. `erased_at` marks the erasure, so the
 * row may have neither an email nor a phone. Plain SHA-256, no server secret: the
 * hash only answers "is this address suppressed?" for someone who already knows the address, and a
 * keyed hash would silently lose every erased suppression when its secret is lost or rotated.
 *
 * A contact update (`PATCH /v1/contacts/:id`) is recorded in each open campaign's timeline as a
 * `contact_update` row (its changed fields, comma-separated, in `reason`).
 *
 * `GET /v1/campaigns` lists newest first by keyset on (created_at, id), optionally by status, sender or
 * plan shape (`plan_shape`: the fingerprint of the plan's graph, DESIGN section 12, written with the
 * plan); each filter has an index that serves the order too. The experiment filter reads the plan's
 * split nodes through a GIN index (jsonb_path_ops).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table contacts add column email_sha256 text, add column phone_sha256 text,
    add column erased_at timestamptz`.execute(db);
  await sql`alter table contacts drop constraint contacts_email_or_phone`.execute(db);
  await sql`alter table contacts add constraint contacts_email_or_phone
    check (email is not null or phone is not null or erased_at is not null)`.execute(db);
  await sql`create index contacts_email_sha256_idx on contacts (email_sha256) where email_sha256 is not null`.execute(
    db,
  );
  await sql`create index contacts_phone_sha256_idx on contacts (phone_sha256) where phone_sha256 is not null`.execute(
    db,
  );
  await sql`alter table campaign_transitions drop constraint campaign_transitions_kind_check`.execute(db);
  await sql`alter table campaign_transitions add constraint campaign_transitions_kind_check check (kind in
    ('enter', 'pause', 'resume', 'cancel', 'end', 'plan_update', 'deferred', 'skipped', 'contact_update'))`.execute(
    db,
  );
  await sql`alter table contact_campaigns add column plan_shape text`.execute(db);
  await sql`create index contact_campaigns_created_idx on contact_campaigns (created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index contact_campaigns_status_created_idx
    on contact_campaigns (status, created_at desc, id desc)`.execute(db);
  await sql`create index contact_campaigns_email_sender_created_idx
    on contact_campaigns (email_sender_id, created_at desc, id desc) where email_sender_id is not null`.execute(
    db,
  );
  await sql`create index contact_campaigns_sms_sender_created_idx
    on contact_campaigns (sms_sender_id, created_at desc, id desc) where sms_sender_id is not null`.execute(
    db,
  );
  await sql`create index contact_campaigns_shape_created_idx
    on contact_campaigns (plan_shape, created_at desc, id desc) where plan_shape is not null`.execute(db);
  await sql`create index contact_campaigns_contact_created_idx
    on contact_campaigns (contact_id, created_at desc, id desc)`.execute(db);
  await sql`create index contact_campaigns_plan_gin_idx on contact_campaigns using gin (plan jsonb_path_ops)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of [
    'contact_campaigns_plan_gin_idx',
    'contact_campaigns_contact_created_idx',
    'contact_campaigns_shape_created_idx',
    'contact_campaigns_sms_sender_created_idx',
    'contact_campaigns_email_sender_created_idx',
    'contact_campaigns_status_created_idx',
    'contact_campaigns_created_idx',
  ]) {
    await sql`drop index if exists ${sql.id(index)}`.execute(db);
  }
  await sql`alter table contact_campaigns drop column plan_shape`.execute(db);
  await sql`delete from campaign_transitions where kind = 'contact_update'`.execute(db);
  await sql`alter table campaign_transitions drop constraint campaign_transitions_kind_check`.execute(db);
  await sql`alter table campaign_transitions add constraint campaign_transitions_kind_check check (kind in
    ('enter', 'pause', 'resume', 'cancel', 'end', 'plan_update', 'deferred', 'skipped'))`.execute(db);
  await sql`delete from contacts c where erased_at is not null and email is null and phone is null
    and not exists (select 1 from contact_campaigns cc where cc.contact_id = c.id)`.execute(db);
  await sql`alter table contacts drop constraint contacts_email_or_phone`.execute(db);
  await sql`alter table contacts add constraint contacts_email_or_phone
    check (email is not null or phone is not null) not valid`.execute(db);
  await sql`alter table contacts drop column email_sha256, drop column phone_sha256, drop column erased_at`.execute(
    db,
  );
}
