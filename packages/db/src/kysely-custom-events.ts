import type {
  CustomEventFact,
  CustomEventRecord,
  CustomEventRepository,
  NewCustomEvent,
} from '@campaign/core';
import type { Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** core's CustomEventRepository on kysely: the `custom_events` table (0012). */
export class KyselyCustomEventRepository implements CustomEventRepository {
  private readonly trx: Transaction<Database>;

  constructor(trx: Transaction<Database>) {
    this.trx = trx;
  }

  async insert(event: NewCustomEvent): Promise<CustomEventRecord | null> {
    const row = await this.trx
      .insertInto('custom_events')
      .values({
        contact_id: event.contactId,
        event_id: event.eventId,
        name: event.name,
        occurred_at: event.occurredAt,
        payload: event.payload === null || event.payload === undefined ? null : JSON.stringify(event.payload),
      })
      .onConflict((oc) => oc.columns(['contact_id', 'event_id']).doNothing())
      .returning(['id', 'contact_id', 'event_id', 'name', 'occurred_at'])
      .executeTakeFirst();
    if (!row) return null;
    return {
      id: row.id,
      contactId: row.contact_id,
      eventId: row.event_id,
      name: row.name,
      occurredAt: row.occurred_at,
    };
  }

  async firstOccurrences(contactId: string): Promise<CustomEventFact[]> {
    const rows = await this.trx
      .selectFrom('custom_events')
      .select(['name', (eb) => eb.fn.min<Date>('occurred_at').as('first')])
      .where('contact_id', '=', contactId)
      .groupBy('name')
      .orderBy('name')
      .execute();
    return rows.map((r) => ({ name: r.name, occurredAt: new Date(r.first) }));
  }
}
