import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Nulls the raw provider payload (`message_events.payload`) of events received before `before`, at most
 * `batchSize` rows per statement, until none is left; returns how many it nulled. The event row itself
 * (type, times, flags, effect) stays: timelines, analytics and dedupe never read the payload. Each batch
 * is its own statement, so a sweep over millions of rows holds no long lock and can stop anywhere.
 * In Citus this is a multi-shard statement (the allow-list's "payload retention sweep").
 *
 * @param before received_at strictly before this instant is expired (the caller's clock minus
 *   EVENT_PAYLOAD_RETENTION).
 * @param batchSize rows per statement; default 1000; a positive integer.
 */
export async function nullExpiredEventPayloads(
  db: Kysely<Database>,
  before: Date,
  batchSize = 1000,
): Promise<number> {
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  if (Number.isNaN(before.getTime())) throw new RangeError('before must be a valid instant');
  let total = 0;
  for (;;) {
    const result = await sql`
      update message_events set payload = null
      where (contact_id, id) in (
        select contact_id, id from message_events
        where payload is not null and received_at < ${before}
        limit ${batchSize}
      )`.execute(db);
    const n = Number(result.numAffectedRows ?? 0n);
    total += n;
    if (n < batchSize) return total;
  }
}
