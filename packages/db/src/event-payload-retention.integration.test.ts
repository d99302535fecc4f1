import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nullExpiredEventPayloads } from './event-payload-retention.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

// EVENT_PAYLOAD_RETENTION (issue 15 item 5): raw provider payloads older than the cutoff are nulled in
// batches; the event rows stay. The cutoff is an injected instant, never the wall clock.
describe.each(['postgres', 'pglite'] as const)('nullExpiredEventPayloads (%s)', (kind) => {
  let database: TestDatabase;
  const cutoff = new Date('2026-06-01T00:00:00Z');
  const at = (offsetMs: number) => new Date(cutoff.getTime() + offsetMs);

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await database.db
      .insertInto('contacts')
      .values({
        id: 'c-1',
        email: 'a@example.com',
        attributes: '{}',
        suppressed_at: null,
        suppression_reason: null,
        name: null,
        timezone: null,
      })
      .execute();
    // Five expired (the last one exactly 1 ms before the cutoff), one at the cutoff, one after, one
    // expired but already without a payload.
    const received = [-86_400_000 * 30, -86_400_000, -3_600_000, -60_000, -1, 0, 1, -5_000];
    await database.db
      .insertInto('message_events')
      .values(
        received.map((offset, i) => ({
          contact_id: 'c-1',
          campaign_id: null,
          message_id: null,
          provider: 'test',
          provider_event_id: `e-${i}`,
          type: 'delivered',
          occurred_at: at(offset),
          received_at: at(offset),
          effect: null,
          payload: i === 7 ? null : JSON.stringify({ raw: i }),
        })),
      )
      .execute();
  }, 30_000);
  afterAll(async () => database?.dispose());

  const payloads = async () =>
    (
      await database.db
        .selectFrom('message_events')
        .select(['provider_event_id', 'payload'])
        .where('contact_id', '=', 'c-1')
        .orderBy('provider_event_id')
        .execute()
    ).map((r) => [r.provider_event_id, r.payload]);

  it('nulls exactly the payloads received before the cutoff, two per batch, and keeps every row', async () => {
    expect(await nullExpiredEventPayloads(database.db, cutoff, 2)).toBe(5);
    expect(await payloads()).toEqual([
      ['e-0', null],
      ['e-1', null],
      ['e-2', null],
      ['e-3', null],
      ['e-4', null],
      ['e-5', { raw: 5 }],
      ['e-6', { raw: 6 }],
      ['e-7', null],
    ]);
    // A second sweep finds nothing left to do.
    expect(await nullExpiredEventPayloads(database.db, cutoff, 2)).toBe(0);
  });

  it('refuses a batch size that is not a positive integer or an invalid instant', async () => {
    await expect(nullExpiredEventPayloads(database.db, cutoff, 0)).rejects.toThrow(/batchSize/);
    await expect(nullExpiredEventPayloads(database.db, new Date(Number.NaN))).rejects.toThrow(/instant/);
  });
});
