import { implausibleEventTime } from '../engine/event-time.ts';
import { onCustomEvent } from '../engine/goals.ts';
import type { CampaignStore } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import { definition } from './campaign-record.ts';
import type { EffectApplier } from './effect-applier.ts';
import type { CampaignTransactions } from './transactions.ts';

/**
 * A custom event (DESIGN section 14, `POST /v1/events` type `custom`): whose it is by `contactId`, else
 * by `email` (every contact with that address).
 */
export interface CustomEventInput {
  /** The caller's event id: the same id twice for a contact is stored once. */
  id: string;
  name: string;
  occurredAt: Date;
  contactId?: string | undefined;
  email?: string | undefined;
  /** The item as received, kept with the event. */
  payload?: unknown;
}

export type RecordCustomEventResult =
  /** Stored; `stopped`: how many campaigns of the contact(s) it ended as converted (a goal of theirs). */
  | { status: 'accepted'; stopped: number }
  | { status: 'duplicate' }
  /** No contact with that id or address: stored nowhere (a custom event never creates a contact). */
  | { status: 'unknown_contact' }
  /** Dated ahead of the clock by more than EVENT_TIME_TOLERANCE_MS: stored nowhere. */
  | { status: 'implausible_time' };

/**
 * Custom events in (DESIGN section 14): each is stored once per contact (so a later `event` branch
 * condition can read it) and, in the same transaction, ends every open campaign (pending, active or
 * paused) of the contact whose plan lists its name in `goals`: status `completed`, reason
 * `goal:<name>`, pending actions cancelled. Locks the contact, then its campaigns in id order.
 */
export class CustomEventIntake {
  private readonly store: CampaignStore;
  private readonly clock: Clock;
  private readonly transactions: CampaignTransactions;
  private readonly applier: EffectApplier;

  constructor(deps: {
    store: CampaignStore;
    clock: Clock;
    transactions: CampaignTransactions;
    applier: EffectApplier;
  }) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.transactions = deps.transactions;
    this.applier = deps.applier;
  }

  /**
   * Records one custom event. By `email`, it is recorded for each contact with that address (lower-cased
   * as contacts store it), each in its own transaction; a redelivery is a duplicate for each.
   */
  async record(input: CustomEventInput): Promise<RecordCustomEventResult> {
    if (implausibleEventTime(input.occurredAt, null, this.clock.now()) !== null) {
      return { status: 'implausible_time' };
    }
    const contactIds =
      input.contactId !== undefined
        ? [input.contactId]
        : input.email !== undefined
          ? await this.store.read.contactIdsByEmail(input.email)
          : [];
    let stopped = 0;
    let accepted = false;
    let known = false;
    for (const contactId of contactIds) {
      const result = await this.recordFor(contactId, input);
      if (result === null) continue;
      known = true;
      if (result === 'duplicate') continue;
      accepted = true;
      stopped += result;
    }
    if (accepted) return { status: 'accepted', stopped };
    return known ? { status: 'duplicate' } : { status: 'unknown_contact' };
  }

  /** Null: no such contact; 'duplicate': stored before; else how many campaigns it ended. */
  private async recordFor(contactId: string, input: CustomEventInput): Promise<number | 'duplicate' | null> {
    return this.transactions.run(
      async (tx, pending) => {
        if (!(await tx.contacts.lock(contactId))) return null;
        const event = await tx.customEvents.insert({
          contactId,
          eventId: input.id,
          name: input.name,
          occurredAt: input.occurredAt,
          payload: input.payload ?? null,
        });
        if (!event) return 'duplicate' as const;
        const now = this.clock.now();
        let stopped = 0;
        for (const id of await tx.campaigns.openCampaignIds(contactId)) {
          const campaign = await tx.campaigns.lock(id);
          if (!campaign) continue;
          const decision = onCustomEvent(definition(campaign), campaign.state, event, now);
          if (decision.effect !== 'exit') continue;
          stopped += 1;
          await this.applier.apply(tx, pending, campaign, decision, { trigger: 'event', eventId: event.id });
        }
        return stopped;
      },
      { contactId },
    );
  }
}
