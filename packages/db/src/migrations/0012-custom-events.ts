import { type Kysely, sql } from 'kysely';

/*
 * Custom events (DESIGN section 14): contact events that are not about a message (`POST /v1/events`
 * type `custom`, from the team's CRM or app). Their own table rather than message_events: they have a
 * name, no message and no provider, and they are read per contact (a plan's `event` branch condition
 * asks for the earliest occurrence of each name), never per campaign. The caller's id is unique per
 * contact, so a redelivery is stored once. Keyed by contact first, as every contact-owned table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table custom_events (
      id uuid not null default gen_random_uuid(),
      contact_id text not null references contacts (id),
      event_id text not null,
      name text not null,
      occurred_at timestamptz not null,
      received_at timestamptz not null default now(),
      payload jsonb,
      primary key (contact_id, id),
      unique (contact_id, event_id)
    )`.execute(db);
  await sql`create index custom_events_name_idx on custom_events (contact_id, name, occurred_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table custom_events`.execute(db);
}
