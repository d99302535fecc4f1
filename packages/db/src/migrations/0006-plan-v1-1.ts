import { type Kysely, sql } from 'kysely';

/*
 * Plan v1.1 (DESIGN section 10).
 *
 * Contacts: a contact may have a `phone` (E.164, for SMS) and no email; it needs one of the two. `id_given`
 * says whether its id is the one the caller gave (a split hashes that id, else the email lower-cased, else
 * the phone); null on contacts stored before this migration, which core tells apart by comparing the id
 * with the one derived from the email. Existing email queries and indexes are unchanged (a null email
 * matches no address).
 *
 * Messages: their channel and threading are 0007's.
 *
 * Actions: a send carries its expiry (`due + expireAfter`) so a worker and the reconcile loop decide
 * without recomputing it; a send not sent because it expired ends `skipped` with outcome `expired`.
 *
 * Transitions: leaving a branch or split records the variant taken; a `skipped` row records an expired
 * send (its node and due time) for the timeline.
 *
 * Split assignments: one queryable row per campaign and split node (the assignment is deterministic, so a
 * re-entry of the node in a loop assigns the same variant and stores nothing new).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table contacts add column phone text
    constraint contacts_phone_e164 check (phone ~ '^\\+[1-9][0-9]{1,14}$')`.execute(db);
  await sql`alter table contacts add column id_given boolean`.execute(db);
  await sql`alter table contacts alter column email drop not null`.execute(db);
  await sql`alter table contacts add constraint contacts_email_or_phone
    check (email is not null or phone is not null)`.execute(db);
  await sql`create index contacts_phone_idx on contacts (phone) where phone is not null`.execute(db);

  await sql`alter table scheduled_actions add column expires_at timestamptz`.execute(db);
  await sql`alter table scheduled_actions add constraint scheduled_actions_expiry_check
    check (expires_at is null or kind = 'send')`.execute(db);
  await sql`alter table scheduled_actions drop constraint scheduled_actions_outcome_check`.execute(db);
  await sql`alter table scheduled_actions add constraint scheduled_actions_outcome_check check (outcome in
    ('sent', 'transition', 'skipped', 'stale', 'failed', 'expired'))`.execute(db);

  await sql`alter table campaign_transitions add column variant text`.execute(db);
  await sql`alter table campaign_transitions add column due_at timestamptz`.execute(db);
  await sql`alter table campaign_transitions drop constraint campaign_transitions_kind_check`.execute(db);
  await sql`alter table campaign_transitions add constraint campaign_transitions_kind_check check (kind in
    ('enter', 'pause', 'resume', 'cancel', 'end', 'plan_update', 'deferred', 'skipped'))`.execute(db);
  await sql`alter table campaign_transitions add constraint campaign_transitions_skipped_check
    check ((kind = 'skipped') = (due_at is not null))`.execute(db);

  await sql`
    create table split_assignments (
      contact_id text not null,
      campaign_id uuid not null,
      node_id text not null,
      experiment text not null,
      variant text not null,
      assigned_at timestamptz not null,
      plan_version integer not null,
      primary key (contact_id, campaign_id, node_id),
      foreign key (contact_id, campaign_id) references contact_campaigns (contact_id, id)
    )`.execute(db);
  // Analytics: the contacts of each variant of an experiment.
  await sql`create index split_assignments_experiment_idx on split_assignments (experiment, variant)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists split_assignments`.execute(db);

  await sql`delete from campaign_transitions where kind = 'skipped'`.execute(db);
  await sql`alter table campaign_transitions drop constraint campaign_transitions_skipped_check`.execute(db);
  await sql`alter table campaign_transitions drop constraint campaign_transitions_kind_check`.execute(db);
  await sql`alter table campaign_transitions add constraint campaign_transitions_kind_check check (kind in
    ('enter', 'pause', 'resume', 'cancel', 'end', 'plan_update', 'deferred'))`.execute(db);
  await sql`alter table campaign_transitions drop column due_at`.execute(db);
  await sql`alter table campaign_transitions drop column variant`.execute(db);

  await sql`update scheduled_actions set outcome = 'skipped' where outcome = 'expired'`.execute(db);
  await sql`alter table scheduled_actions drop constraint scheduled_actions_outcome_check`.execute(db);
  await sql`alter table scheduled_actions add constraint scheduled_actions_outcome_check check (outcome in
    ('sent', 'transition', 'skipped', 'stale', 'failed'))`.execute(db);
  await sql`alter table scheduled_actions drop constraint scheduled_actions_expiry_check`.execute(db);
  await sql`alter table scheduled_actions drop column expires_at`.execute(db);

  // Phone-only contacts cannot go back.
  await sql`drop index if exists contacts_phone_idx`.execute(db);
  await sql`alter table contacts drop constraint contacts_email_or_phone`.execute(db);
  await sql`alter table contacts alter column email set not null`.execute(db);
  await sql`alter table contacts drop column id_given`.execute(db);
  await sql`alter table contacts drop column phone`.execute(db);
}
