import { type Kysely, sql } from 'kysely';

/*
 * The send path claims a send (action `running`, message `sending`) and commits before it calls the
 * transport. `claimed_until` is the claim's lease: past it the reconcile loop takes the send over (its
 * worker died). A send moved at execution time (rule 3) is recorded as a `deferred` transition row with
 * the instant it runs instead (`until_at`) and why (`reason`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table scheduled_actions add column claimed_until timestamptz`.execute(db);
  // The reconcile loop: expired claims by their lease end.
  await sql`create index scheduled_actions_claimed_idx on scheduled_actions (claimed_until)
    where status = 'running'`.execute(db);
  await sql`alter table campaign_transitions add column until_at timestamptz`.execute(db);
  await sql`alter table campaign_transitions drop constraint campaign_transitions_kind_check`.execute(db);
  await sql`alter table campaign_transitions add constraint campaign_transitions_kind_check check (kind in
    ('enter', 'pause', 'resume', 'cancel', 'end', 'plan_update', 'deferred'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from campaign_transitions where kind = 'deferred'`.execute(db);
  await sql`alter table campaign_transitions drop constraint campaign_transitions_kind_check`.execute(db);
  await sql`alter table campaign_transitions add constraint campaign_transitions_kind_check check (kind in
    ('enter', 'pause', 'resume', 'cancel', 'end', 'plan_update'))`.execute(db);
  await sql`alter table campaign_transitions drop column until_at`.execute(db);
  await sql`drop index if exists scheduled_actions_claimed_idx`.execute(db);
  await sql`alter table scheduled_actions drop column claimed_until`.execute(db);
}
