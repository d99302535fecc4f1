import { randomUUID } from 'node:crypto';
import type { Scheduler } from '@campaign/core';
import type { TestDatabase } from '@campaign/db/testing';
import { sql } from './libs.ts';

/*
 * N campaigns whose send falls due at `due`, made in bulk from one activated template campaign (its
 * contact, campaign and send action rows copied by SQL with fresh ids), their jobs given to the engine's
 * own Scheduler in batches: the timers benchmark needs 10,000 sends due at one instant, and activating
 * them one by one would take longer than the whole run may.
 */

const COPIES: { table: string; fresh: Record<string, string> }[] = [
  { table: 'contacts', fresh: { id: 'c.contact_id', email: "c.contact_id || '@bench.test'" } },
  { table: 'contact_campaigns', fresh: { id: 'c.campaign_id', contact_id: 'c.contact_id' } },
  {
    table: 'scheduled_actions',
    fresh: {
      id: 'c.action_id',
      contact_id: 'c.contact_id',
      campaign_id: 'c.campaign_id',
      idempotency_key: "c.campaign_id || ':1:send'",
      due_at: 'c.due',
      run_at: 'c.due',
    },
  },
];
const TEMPLATE_KEY: Record<string, string> = {
  contacts: 'id',
  contact_campaigns: 'id',
  scheduled_actions: 'campaign_id',
};

/**
 * Copies template campaign `templateId` (with one pending send) `count` times, due at `due` (the i-th
 * copy, from 0, at `due + i * spacingMs`); schedules them.
 */
export async function cloneDueCampaigns(
  db: TestDatabase['db'],
  scheduler: Scheduler,
  templateId: string,
  count: number,
  due: Date,
  spacingMs = 0,
): Promise<void> {
  if (count <= 0) return;
  const table = `bench_clone_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await sql`CREATE UNLOGGED TABLE ${sql.table(table)} AS
    SELECT gen_random_uuid()::text AS contact_id, gen_random_uuid()::text AS campaign_id,
           gen_random_uuid()::text AS action_id,
           ${due.toISOString()}::timestamptz + (g - 1) * ${spacingMs}::float8 * interval '1 millisecond' AS due
    FROM generate_series(1, ${count}) g`.execute(db);
  const contactId = (
    await sql<{
      c: string;
    }>`SELECT contact_id::text AS c FROM contact_campaigns WHERE id::text = ${templateId}`.execute(db)
  ).rows[0]?.c;
  if (!contactId) throw new Error(`no template campaign ${templateId}`);
  for (const { table: target, fresh } of COPIES) {
    const { rows: columns } = await sql<{ column_name: string; udt_name: string }>`
      SELECT column_name, udt_name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = ${target} AND is_generated = 'NEVER'
      ORDER BY ordinal_position`.execute(db);
    const names = columns.map((c) => `"${c.column_name}"`).join(', ');
    const values = columns
      .map((c) => {
        const expr = fresh[c.column_name];
        return expr ? `CAST(${expr} AS ${c.udt_name})` : `t."${c.column_name}"`;
      })
      .join(', ');
    const key = TEMPLATE_KEY[target];
    const match = target === 'contacts' ? contactId : templateId;
    await sql
      .raw(
        `INSERT INTO "${target}" (${names}) SELECT ${values} FROM "${target}" t, "${table}" c WHERE t."${key}"::text = '${match}'`,
      )
      .execute(db);
  }
  const { rows } = await sql<{ action_id: string; due: Date }>`
    SELECT action_id, due FROM ${sql.table(table)} ORDER BY due`.execute(db);
  for (let i = 0; i < rows.length; i += 1000)
    await scheduler.schedule(
      rows.slice(i, i + 1000).map((r) => ({ actionId: r.action_id, runAt: new Date(r.due) })),
    );
  await sql`DROP TABLE ${sql.table(table)}`.execute(db);
}
