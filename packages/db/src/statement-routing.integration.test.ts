import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISTRIBUTED_TABLES, LOOKUP_TABLES, REFERENCE_TABLES } from './statement-routing.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

// The schema side of Citus-readiness (issue 15 item 5, DESIGN section 9); the statement side is the
// integration tier's teardown check (scripts/vitest-statement-routing.ts).
const scaling = readFileSync(new URL('../../../docs/scaling.md', import.meta.url), 'utf8');

describe('Citus-readiness of the schema', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  }, 30_000);
  afterAll(async () => database?.dispose());

  it('every table of the schema is classified as distributed or reference (a new table must be placed)', async () => {
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'kysely_%'`.execute(
      database.db,
    );
    const classified = new Set([...Object.keys(DISTRIBUTED_TABLES), ...REFERENCE_TABLES]);
    expect(rows.map((r) => r.table_name).filter((t) => !classified.has(t))).toEqual([]);
  });

  it('every distributed table has its distribution column, not null', async () => {
    for (const [table, column] of Object.entries(DISTRIBUTED_TABLES)) {
      const { rows } = await sql<{ is_nullable: string }>`
        select is_nullable from information_schema.columns
        where table_schema = 'public' and table_name = ${table} and column_name = ${column}`.execute(
        database.db,
      );
      expect(rows, `${table}.${column}`).toEqual([{ is_nullable: 'NO' }]);
    }
  });

  it('no unique index on a distributed table lacks the distribution column (0020 made the id indexes plain)', async () => {
    const { rows } = await sql<{ table: string; index: string; columns: string[] }>`
      select t.relname as "table", i.relname as "index",
        array(select a.attname from pg_attribute a where a.attrelid = t.oid and a.attnum = any(x.indkey))::text[] as columns
      from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
      join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = 'public' and x.indisunique`.execute(database.db);
    const global = rows
      .filter((r) => r.table in DISTRIBUTED_TABLES && !r.columns.includes(DISTRIBUTED_TABLES[r.table] ?? ''))
      .map((r) => r.index)
      .sort();
    expect(global).toEqual([]);
    // The lookups by a bare id still have their index.
    const plain = rows.map((r) => r.index);
    expect(plain).not.toContain('contact_campaigns_id_idx');
    const { rows: byId } = await sql<{ indexname: string }>`
      select indexname from pg_indexes where schemaname = 'public' and indexname like '%_id_idx'
        and tablename in ('contact_campaigns', 'scheduled_actions', 'outbound_messages', 'message_events')`.execute(
      database.db,
    );
    expect(byId.map((r) => r.indexname).sort()).toEqual([
      'contact_campaigns_id_idx',
      'message_events_id_idx',
      'outbound_messages_id_idx',
      'scheduled_actions_id_idx',
    ]);
    expect(scaling).not.toContain('DROP INDEX');
  });

  it('docs/scaling.md distributes exactly the distributed tables by their column, co-located with contacts (lookup tables with none), and the rest as reference tables', () => {
    const distributed = [...scaling.matchAll(/create_distributed_table\('(\w+)', '(\w+)'(.*)\);/g)];
    expect(Object.fromEntries(distributed.map((m) => [m[1], m[2]]))).toEqual(DISTRIBUTED_TABLES);
    for (const m of distributed.filter((m) => m[1] !== 'contacts')) {
      const group = (m[1] as string) in LOOKUP_TABLES ? 'none' : 'contacts';
      expect(m[3], m[1]).toContain(`colocate_with => '${group}'`);
    }
    const reference = [...scaling.matchAll(/create_reference_table\('(\w+)'\);/g)].map((m) => m[1]);
    expect(reference.sort()).toEqual([...REFERENCE_TABLES].sort());
  });
});
