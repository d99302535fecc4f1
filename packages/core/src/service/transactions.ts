import type { EngineContext } from '../engine/types.ts';
import { CampaignNotFoundError } from '../errors.ts';
import { parseRoutedId } from '../messages/routed-id.ts';
import type { CampaignStore, StoreTransaction, TransactionOptions } from '../ports/campaign-store.ts';
import type { CampaignRecord } from '../ports/records.ts';
import type { ScheduledJob, Scheduler } from '../ports/scheduler.ts';
import { contactFacts } from './contact-input.ts';
import { planReads } from './plan-reads.ts';

/** What to tell the scheduler once a transaction commits. */
export interface AfterCommit {
  jobs: ScheduledJob[];
  cancelled: string[];
}

/**
 * Runs a unit of work in one store transaction and tells the scheduler what it queued or cancelled
 * once it has committed (never before: a job must not run against rows that may still roll back).
 *
 * Lock order, for every unit that takes more than one lock in a transaction: the contact before any
 * of its campaigns (whenever more than one campaign may change), the campaign an event or action names
 * before the contact's other campaigns (those in id order), a campaign before its actions and messages.
 * Each state change of a campaign runs under its row lock.
 */
export class CampaignTransactions {
  private readonly store: CampaignStore;
  private readonly scheduler: Scheduler;

  constructor(deps: { store: CampaignStore; scheduler: Scheduler }) {
    this.store = deps.store;
    this.scheduler = deps.scheduler;
  }

  /** `options.contactId`: the work is one contact's (see `TransactionOptions`), its statements routed. */
  async run<T>(
    work: (tx: StoreTransaction, pending: AfterCommit) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T> {
    let pending: AfterCommit = { jobs: [], cancelled: [] };
    const result = await this.store.transaction(async (tx) => {
      // A retried transaction starts over: forget what an aborted attempt wanted to queue.
      pending = { jobs: [], cancelled: [] };
      return work(tx, pending);
    }, options);
    if (pending.cancelled.length > 0) await this.scheduler.cancel(pending.cancelled);
    if (pending.jobs.length > 0) await this.scheduler.schedule(pending.jobs);
    return result;
  }
}

/**
 * A campaign id as a caller gives it (DESIGN section 9): `<uuid>.<contact id>`, the campaign's routed id,
 * whose reads and transaction go to that contact's shard; or a bare uuid, found by id alone. Anything
 * else names no campaign (it is looked up as it is, and found nowhere).
 */
export function campaignRef(campaignId: string): { id: string; contactId?: string } {
  return parseRoutedId(campaignId) ?? { id: campaignId };
}

/**
 * Locks a campaign's row for the rest of the transaction; CampaignNotFoundError when there is none. With
 * a plan that branches or splits, the contact's facts come with it (see withContact).
 */
export async function lockCampaign(tx: StoreTransaction, campaignId: string): Promise<CampaignRecord> {
  const campaign = await tx.campaigns.lock(campaignId);
  if (!campaign) throw new CampaignNotFoundError(campaignId);
  return withContact(tx, campaign);
}

/**
 * The campaign with `contact` set when its plan reads the contact (branch conditions, split keys) and
 * it is not set yet; one read of the contact row, none for a plan without branch or split nodes.
 */
export async function withContact(tx: StoreTransaction, campaign: CampaignRecord): Promise<CampaignRecord> {
  if (campaign.contact !== undefined || !planReads(campaign.plan).contact) return campaign;
  const contact = await tx.contacts.get(campaign.contactId);
  if (!contact) throw new Error(`campaign ${campaign.id} has no contact ${campaign.contactId}`);
  return { ...campaign, contact: contactFacts(contact) };
}

export const EMPTY_CONTEXT: EngineContext = { latestMessage: null, latestMessageEvents: [] };

/**
 * What the engine may read besides the campaign's state: its latest sent message and decisive events, and,
 * for a plan with `engaged` conditions, the campaign's genuine engagements.
 */
export async function engineContext(
  tx: StoreTransaction,
  campaign: CampaignRecord,
  /** The campaign was inserted in this transaction: it has no message and no event to read. */
  options: { created?: boolean } = {},
): Promise<EngineContext> {
  const created = options.created ?? false;
  // Only the decisive events: handling an event must not re-read every earlier event of its message.
  const latest = created ? null : await tx.messages.latestSentWithDecisiveEvents(campaign.id);
  // Only a plan with `engaged` conditions reads the campaign's engagements (one bounded query).
  const engagements = !planReads(campaign.plan).engagements
    ? null
    : created
      ? []
      : await tx.events.engagements(campaign.id);
  // Likewise only a plan with `event` conditions reads the contact's custom events (one row per name).
  const customEvents = planReads(campaign.plan).customEvents
    ? await tx.customEvents.firstOccurrences(campaign.contactId)
    : null;
  return {
    latestMessage: latest?.message ?? null,
    latestMessageEvents: latest?.events ?? [],
    ...(engagements !== null ? { engagements } : {}),
    ...(customEvents !== null ? { customEvents } : {}),
  };
}
