import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from './migrate.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

describe.each(['postgres', 'pglite'] as const)('migrations on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind); // migrated once already
  }, 30_000);
  afterAll(async () => database?.dispose());

  it('running them again applies nothing and changes nothing', async () => {
    const { results } = await migrateToLatest(database.db);
    expect(results).toEqual([]);
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = 'public' and table_name not like 'kysely_%' order by table_name`.execute(
      database.db,
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      'campaign_transitions',
      'contact_addresses',
      'contact_campaigns',
      'contacts',
      'custom_events',
      'inbound_unmatched',
      'message_events',
      'message_facts',
      'outbound_messages',
      'provider_refs',
      'scheduled_actions',
      'sender_imap',
      'senders',
      'sending_control',
      'split_assignments',
    ]);
  });

  it('backs every hot query with an index', async () => {
    const { rows } = await sql<{ indexname: string }>`
      select indexname from pg_indexes where schemaname = 'public' order by indexname`.execute(database.db);
    expect(rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining([
        'scheduled_actions_due_idx', // due pending actions by run_at
        'scheduled_actions_campaign_idx', // actions by campaign
        'outbound_messages_provider_idx', // messages by provider message id
        'message_events_message_idx', // events by message
        'outbound_messages_latest_idx', // latest sent message of a campaign
        'message_events_decisive_idx', // earliest genuine event of each type of a message (every event reads it)
        'scheduled_actions_timeline_idx', // a campaign's executed timeouts by timeline position (timeline pages)
        'contacts_phone_idx', // contacts by phone (SMS)
        'split_assignments_experiment_idx', // the contacts of each variant of an experiment
      ]),
    );
  });
});
