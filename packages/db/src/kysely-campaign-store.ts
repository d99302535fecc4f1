import type {
  CampaignReader,
  CampaignStore,
  StoreTransaction,
  TransactionHandle,
  TransactionOptions,
} from '@campaign/core';
import type { Kysely, Transaction } from 'kysely';
import { KyselyCampaignReader } from './kysely-campaign-reader.ts';
import { KyselyContactAdminRepository } from './kysely-contact-admin.ts';
import { KyselyCustomEventRepository } from './kysely-custom-events.ts';
import { KyselyInboundRepository } from './kysely-inbound.ts';
import {
  KyselyCampaignRepository,
  KyselyCampaignTransitionRepository,
  KyselyContactRepository,
  KyselyMessageEventRepository,
  KyselyOutboundMessageRepository,
  KyselyScheduledActionRepository,
  KyselySplitAssignmentRepository,
} from './kysely-repositories.ts';
import { KyselySendHoldRepository } from './kysely-send-holds.ts';
import { KyselySenderRepository } from './kysely-senders.ts';
import { KyselyThrottleUsageRepository } from './kysely-throttle-usage.ts';
import { isStalePlanError } from './prepared-statements.ts';
import type { TransactionScope } from './routing.ts';
import type { Database } from './schema.ts';

const HANDLE_KIND = 'kysely';

interface KyselyTransactionHandle extends TransactionHandle {
  readonly kind: typeof HANDLE_KIND;
  readonly trx: Transaction<Database>;
}

/**
 * The kysely transaction behind a store transaction handle, for an adapter that enqueues in the same
 * transaction (pg-boss's `fromKysely`). Throws for a handle of another store.
 */
export function kyselyTransactionOf(handle: TransactionHandle): Transaction<Database> {
  if (handle.kind !== HANDLE_KIND) throw new Error(`not a kysely transaction handle: ${handle.kind}`);
  return (handle as KyselyTransactionHandle).trx;
}

/**
 * SQLSTATEs after which the whole transaction may simply run again; and a prepared statement's stale plan
 * (`isStalePlanError`: the schema changed under it; the statement is prepared anew on the next run).
 */
const RETRYABLE = new Set(['40P01', '40001']);

export interface KyselyCampaignStoreOptions {
  /** Attempts for a transaction that hits a deadlock, a serialization failure or a stale plan. Default 5. */
  maxAttempts?: number;
}

/** core's CampaignStore on kysely: Postgres through pg, or embedded PGlite. */
export class KyselyCampaignStore implements CampaignStore {
  readonly read: CampaignReader;
  private readonly db: Kysely<Database>;
  private readonly maxAttempts: number;

  constructor(db: Kysely<Database>, options: KyselyCampaignStoreOptions = {}) {
    this.db = db;
    this.read = new KyselyCampaignReader(db);
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  async transaction<T>(work: (tx: StoreTransaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      let external = false;
      try {
        return await this.db.transaction().execute((trx) =>
          work(
            storeTransaction(
              trx,
              () => {
                external = true;
              },
              options?.contactId,
            ),
          ),
        );
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const retryable = (typeof code === 'string' && RETRYABLE.has(code)) || isStalePlanError(error);
        if (external || attempt >= this.maxAttempts || !retryable) throw error;
      }
    }
  }
}

/**
 * `contactId`: the transaction is that contact's (`TransactionOptions`); its statements by id name it.
 * Without one, it is the contact's of the first campaign it locks (`TransactionScope`).
 */
function storeTransaction(
  trx: Transaction<Database>,
  markExternalEffect: () => void,
  contactId: string | undefined,
): StoreTransaction {
  const handle: KyselyTransactionHandle = { kind: HANDLE_KIND, trx };
  const scope: TransactionScope = { contactId };
  return {
    handle,
    markExternalEffect,
    contacts: new KyselyContactRepository(trx),
    campaigns: new KyselyCampaignRepository(trx, scope),
    actions: new KyselyScheduledActionRepository(trx, scope),
    messages: new KyselyOutboundMessageRepository(trx, scope),
    events: new KyselyMessageEventRepository(trx, scope),
    transitions: new KyselyCampaignTransitionRepository(trx),
    assignments: new KyselySplitAssignmentRepository(trx),
    customEvents: new KyselyCustomEventRepository(trx),
    senders: new KyselySenderRepository(trx),
    holds: new KyselySendHoldRepository(trx, scope),
    throttle: new KyselyThrottleUsageRepository(trx, scope),
    inbound: new KyselyInboundRepository(trx),
    contactAdmin: new KyselyContactAdminRepository(trx, scope),
  };
}
