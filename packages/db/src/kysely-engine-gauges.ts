import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/** What the engine's gauges show at a scrape. Each count stops at the cap it was read with. */
export interface EngineGaugeReading {
  /** Campaigns with status `active`. */
  activeCampaigns: number;
  /** Pending scheduled actions by kind (`send`, `timeout`). */
  pendingActions: Record<string, number>;
  /** Pending actions already due (`run_at <= now`): the work waiting for a worker. */
  queueDepth: number;
}

/** The default cap of each count: a scrape reads at most this many index entries per count. */
export const ENGINE_GAUGE_CAP = 100_000;

/**
 * Reads the gauges with bounded queries: each count reads at most `cap` rows (a `limit` under the
 * count), through the partial index of pending actions and the status index of campaigns, so a scrape
 * costs the same on a database of any size. A count at `cap` means "at least `cap`".
 */
export async function readEngineGauges(
  db: Kysely<Database>,
  now: Date,
  cap = ENGINE_GAUGE_CAP,
): Promise<EngineGaugeReading> {
  const [active, pending, due] = await Promise.all([
    sql<{
      n: string;
    }>`select count(*) as n from (select 1 from contact_campaigns where status = 'active' limit ${cap}) c`.execute(
      db,
    ),
    sql<{ kind: string; n: string }>`select kind, count(*) as n
      from (select kind from scheduled_actions where status = 'pending' limit ${cap}) p group by kind order by kind`.execute(
      db,
    ),
    sql<{ n: string }>`select count(*) as n
      from (select 1 from scheduled_actions where status = 'pending' and run_at <= ${now} limit ${cap}) d`.execute(
      db,
    ),
  ]);
  return {
    activeCampaigns: Number(active.rows[0]?.n ?? 0),
    pendingActions: Object.fromEntries(pending.rows.map((r) => [r.kind, Number(r.n)])),
    queueDepth: Number(due.rows[0]?.n ?? 0),
  };
}
