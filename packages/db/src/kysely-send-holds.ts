import type { SendHold, SendHoldRepository, SendingControl } from '@campaign/core';
import type { Transaction } from 'kysely';
import { routedTo, type TransactionScope } from './routing.ts';
import type { Database } from './schema.ts';

/** core's SendHoldRepository on kysely: the `sending_control` row (0009) and the `deferred` audit rows. */
export class KyselySendHoldRepository implements SendHoldRepository {
  private readonly trx: Transaction<Database>;
  /** The transaction's contact (`TransactionScope`): its statements by id name it (see `routedTo`). */
  private readonly scope: TransactionScope;

  constructor(trx: Transaction<Database>, scope: TransactionScope = {}) {
    this.trx = trx;
    this.scope = scope;
  }

  async control(): Promise<SendingControl> {
    const row = await this.trx
      .selectFrom('sending_control')
      .select(['enabled', 'since'])
      .where('id', '=', true)
      .executeTakeFirst();
    return row ? { enabled: row.enabled, since: row.since } : { enabled: true, since: null };
  }

  async setControl(enabled: boolean, at: Date): Promise<SendingControl> {
    // The row exists from the migration on; the upsert only guards a database whose row was removed.
    await this.trx
      .insertInto('sending_control')
      .values({ id: true, enabled: true, since: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const current = await this.trx
      .selectFrom('sending_control')
      .select(['enabled', 'since'])
      .where('id', '=', true)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (current.enabled === enabled) return { enabled: current.enabled, since: current.since };
    await this.trx
      .updateTable('sending_control')
      .set({ enabled, since: at })
      .where('id', '=', true)
      .execute();
    return { enabled, since: at };
  }

  async currentHold(campaignId: string, actionId: string): Promise<SendHold | null> {
    // By campaign first: (campaign_id, seq) is indexed, action_id is not.
    const row = await this.trx
      .selectFrom('campaign_transitions')
      .select(['reason', 'until_at', 'at'])
      .where('campaign_id', '=', campaignId)
      .$call(routedTo(this.scope.contactId))
      .where('action_id', '=', actionId)
      .where('kind', '=', 'deferred')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row || row.until_at !== null || row.reason === null) return null;
    return { reason: row.reason, at: row.at };
  }
}
