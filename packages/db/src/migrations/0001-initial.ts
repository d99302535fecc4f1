import { type Kysely, sql } from 'kysely';

/*
 * The five tables of the seed plus contacts (DESIGN section 5). Idempotency is structural: unique keys
 * for action idempotency keys, message dedupe keys and provider event ids, all scoped by contact_id
 * (DESIGN section 9: every table carries contact_id and every unique key includes it, so the schema can
 * be distributed by contact_id without a rewrite). One sequence orders every timeline entry causally.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create sequence timeline_seq`.execute(db);

  await sql`
    create table contacts (
      id text primary key,
      email text not null,
      name text,
      timezone text,
      attributes jsonb not null default '{}'::jsonb,
      suppressed_at timestamptz,
      suppression_reason text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index contacts_email_idx on contacts (lower(email))`.execute(db);

  await sql`
    create table contact_campaigns (
      id uuid not null default gen_random_uuid(),
      contact_id text not null references contacts (id),
      plan jsonb not null,
      plan_version integer not null default 1 check (plan_version >= 1),
      timezone text not null,
      status text not null default 'pending'
        check (status in ('pending', 'active', 'paused', 'completed', 'stopped', 'cancelled')),
      current_node_id text,
      step_seq integer not null default 0 check (step_seq >= 0),
      anchor_at timestamptz,
      stop_reason text,
      paused_at timestamptz,
      idempotency_key text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (contact_id, id),
      unique (contact_id, idempotency_key)
    )`.execute(db);
  // Lookups by campaign id alone (API, workers); ids are random UUIDs.
  await sql`create unique index contact_campaigns_id_idx on contact_campaigns (id)`.execute(db);
  await sql`create index contact_campaigns_open_idx on contact_campaigns (contact_id, id)
    where status in ('pending', 'active', 'paused')`.execute(db);

  await sql`
    create table scheduled_actions (
      id uuid not null default gen_random_uuid(),
      contact_id text not null,
      campaign_id uuid not null,
      kind text not null check (kind in ('send', 'timeout')),
      node_id text not null,
      step integer not null,
      event text check (event in ('no_open', 'no_click', 'no_reply')),
      transition_index integer,
      due_at timestamptz not null,
      run_at timestamptz not null,
      status text not null default 'pending'
        check (status in ('pending', 'running', 'done', 'skipped', 'cancelled', 'failed')),
      outcome text check (outcome in ('sent', 'transition', 'skipped', 'stale', 'failed')),
      attempts integer not null default 0,
      last_error text,
      idempotency_key text not null,
      executed_at timestamptz,
      executed_seq bigint,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (contact_id, id),
      unique (contact_id, idempotency_key),
      foreign key (contact_id, campaign_id) references contact_campaigns (contact_id, id),
      check ((kind = 'timeout') = (event is not null and transition_index is not null))
    )`.execute(db);
  await sql`create unique index scheduled_actions_id_idx on scheduled_actions (id)`.execute(db);
  // The reconcile loop: due pending actions by run_at.
  await sql`create index scheduled_actions_due_idx on scheduled_actions (run_at) where status = 'pending'`.execute(
    db,
  );
  // Cancel and list a campaign's pending actions; its timeline.
  await sql`create index scheduled_actions_campaign_idx on scheduled_actions (campaign_id, status)`.execute(
    db,
  );

  await sql`
    create table outbound_messages (
      id uuid not null default gen_random_uuid(),
      contact_id text not null,
      campaign_id uuid not null,
      action_id uuid not null,
      node_id text not null,
      step integer not null,
      dedupe_key text not null,
      to_email text not null,
      subject text not null,
      body text not null,
      status text not null check (status in ('sending', 'sent', 'failed')),
      provider_message_id text,
      last_error text,
      seq bigint not null default nextval('timeline_seq'),
      created_at timestamptz not null default now(),
      sent_at timestamptz,
      primary key (contact_id, id),
      unique (contact_id, dedupe_key),
      foreign key (contact_id, campaign_id) references contact_campaigns (contact_id, id),
      foreign key (contact_id, action_id) references scheduled_actions (contact_id, id)
    )`.execute(db);
  await sql`create unique index outbound_messages_id_idx on outbound_messages (id)`.execute(db);
  await sql`create index outbound_messages_provider_idx on outbound_messages (provider_message_id)
    where provider_message_id is not null`.execute(db);
  // The latest sent message of a campaign (every event and timeout reads it).
  await sql`create index outbound_messages_latest_idx on outbound_messages (campaign_id, seq desc)
    where status = 'sent'`.execute(db);

  await sql`
    create table message_events (
      id uuid not null default gen_random_uuid(),
      contact_id text not null references contacts (id),
      campaign_id uuid,
      message_id uuid,
      provider text not null,
      provider_event_id text not null,
      type text not null
        check (type in ('delivered', 'opened', 'clicked', 'replied', 'bounced', 'complained', 'unsubscribed')),
      occurred_at timestamptz not null,
      received_at timestamptz not null default now(),
      machine boolean not null default false,
      bot boolean not null default false,
      auto_reply boolean not null default false,
      effect text check (effect in ('transition', 'exit', 'ignored', 'deferred')),
      payload jsonb,
      seq bigint not null default nextval('timeline_seq'),
      primary key (contact_id, id),
      unique (contact_id, provider, provider_event_id),
      foreign key (contact_id, campaign_id) references contact_campaigns (contact_id, id),
      foreign key (contact_id, message_id) references outbound_messages (contact_id, id)
    )`.execute(db);
  await sql`create unique index message_events_id_idx on message_events (id)`.execute(db);
  await sql`create index message_events_message_idx on message_events (message_id, occurred_at)`.execute(db);
  await sql`create index message_events_deferred_idx on message_events (campaign_id) where effect = 'deferred'`.execute(
    db,
  );
  await sql`create index message_events_campaign_idx on message_events (campaign_id, seq)`.execute(db);

  await sql`
    create table campaign_transitions (
      id uuid not null default gen_random_uuid(),
      contact_id text not null,
      campaign_id uuid not null,
      kind text not null check (kind in ('enter', 'pause', 'resume', 'cancel', 'end', 'plan_update')),
      at timestamptz not null,
      step integer not null,
      from_node_id text,
      to_node_id text,
      on_event text,
      trigger text not null check (trigger in ('activation', 'event', 'timeout', 'api', 'send')),
      event_id uuid,
      action_id uuid,
      status text check (status in ('completed', 'stopped', 'cancelled')),
      reason text,
      plan_version integer not null,
      seq bigint not null default nextval('timeline_seq'),
      primary key (contact_id, id),
      foreign key (contact_id, campaign_id) references contact_campaigns (contact_id, id),
      check ((kind = 'end') = (status is not null))
    )`.execute(db);
  await sql`create index campaign_transitions_campaign_idx on campaign_transitions (campaign_id, seq)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'campaign_transitions',
    'message_events',
    'outbound_messages',
    'scheduled_actions',
    'contact_campaigns',
    'contacts',
  ]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
  await sql`drop sequence if exists timeline_seq`.execute(db);
}
