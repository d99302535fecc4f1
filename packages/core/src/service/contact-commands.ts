import { cancel } from '../engine/engine.ts';
import { findNode } from '../engine/nodes.ts';
import type { Effect } from '../engine/types.ts';
import { DomainError } from '../errors.ts';
import { composeMessage } from '../messages/compose.ts';
import type { StoreTransaction } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { CampaignRecord, ContactRecord } from '../ports/records.ts';
import { MissingVariableError } from '../template/template-errors.ts';
import { keepSuppressed, suppressedAddressesReplaced } from './address-change.ts';
import { definition } from './campaign-record.ts';
import { applyContactPatch } from './contact-patch.ts';
import { sendsInNewZone } from './contact-zone.ts';
import { type EffectApplier, transitionRow } from './effect-applier.ts';
import { type CampaignTransactions, lockCampaign } from './transactions.ts';

/** No contact with that id (HTTP 404). */
export class ContactNotFoundError extends DomainError {
  readonly code = 'not_found';
  readonly contactId: string;
  constructor(contactId: string) {
    super(`contact ${contactId} does not exist`);
    this.name = 'ContactNotFoundError';
    this.contactId = contactId;
  }
}

/**
 * A contact update would leave a pending send without a value for a variable it uses (HTTP 409,
 * `missing_variable`); nothing was changed.
 */
export class ContactUpdateConflictError extends DomainError {
  readonly code = 'missing_variable';
  readonly variables: string[];
  readonly campaignId: string;
  readonly nodeId: string;
  constructor(campaignId: string, nodeId: string, variables: readonly string[]) {
    const list = variables.map((v) => `{{${v}}}`).join(', ');
    super(
      `campaign ${campaignId} has a pending send at node ${nodeId} that uses ${list}, which the update removes; keep the value, or update the plan to give a default first`,
    );
    this.name = 'ContactUpdateConflictError';
    this.variables = [...variables];
    this.campaignId = campaignId;
    this.nodeId = nodeId;
  }
}

/** What an erasure did. */
export interface ContactErasure {
  contactId: string;
  /** The contact's campaigns it cancelled, in id order. */
  cancelledCampaignIds: string[];
}

/**
 * The contact endpoints (issue 14): read, update by JSON Merge Patch, erase. Updates and erasures lock
 * the contact, then its open campaigns in id order (the lock order of CampaignTransactions).
 */
export class ContactCommands {
  private readonly clock: Clock;
  private readonly transactions: CampaignTransactions;
  private readonly applier: EffectApplier;

  constructor(deps: { clock: Clock; transactions: CampaignTransactions; applier: EffectApplier }) {
    this.clock = deps.clock;
    this.transactions = deps.transactions;
    this.applier = deps.applier;
  }

  /** The contact; ContactNotFoundError when there is none. */
  async get(contactId: string): Promise<ContactRecord> {
    return this.transactions.run(async (tx) => {
      const contact = await tx.contacts.get(contactId);
      if (!contact) throw new ContactNotFoundError(contactId);
      return contact;
    });
  }

  /**
   * Applies a JSON Merge Patch (RFC 7396) of name, timezone, phone and attributes (see applyContactPatch
   * for what is refused). Each open campaign records `contact_update` with the changed fields. A zone
   * change moves the pending sends of the active campaigns whose plan has no zone (sendsInNewZone); a
   * paused one takes the new zone at resume. A pending send that would miss a variable refuses the whole
   * update: ContactUpdateConflictError. A patch that changes nothing records nothing.
   */
  async patch(contactId: string, body: unknown): Promise<ContactRecord> {
    return this.transactions.run(
      async (tx, pending) => {
        const contact = await tx.contacts.lock(contactId);
        if (!contact) throw new ContactNotFoundError(contactId);
        const { fields, changed } = applyContactPatch(contact, body);
        if (changed.length === 0) return contact;
        const next: ContactRecord = { ...contact, ...fields };
        const campaigns = await lockOpenCampaigns(tx, contactId);
        for (const campaign of campaigns) await assertSendsRender(tx, campaign, next);
        const now = this.clock.now();
        // A new number does not take the old one's SMS opt-out along, nor free it (address-change.ts).
        const replaced = await suppressedAddressesReplaced(tx, contact, { phone: fields.phone });
        await tx.contactAdmin.update(contactId, fields, now);
        await keepSuppressed(tx, replaced, now);
        const zoneMoved = changed.includes('timezone') && fields.timezone !== null;
        for (const campaign of campaigns) {
          const row = {
            kind: 'contact_update' as const,
            at: now,
            step: campaign.state.step,
            trigger: 'api' as const,
          };
          await tx.transitions.insertMany([transitionRow(campaign, { ...row, fields: changed })]);
          if (!zoneMoved || fields.timezone === null || campaign.plan.timezone !== undefined) continue;
          if (campaign.timezone === fields.timezone) continue;
          await tx.contactAdmin.setCampaignTimezone(campaign.id, fields.timezone, now);
          const moved: CampaignRecord = { ...campaign, timezone: fields.timezone };
          if (campaign.state.status !== 'active') continue;
          const effects: Effect[] = sendsInNewZone(
            definition(moved),
            await tx.actions.listPending(campaign.id),
            now,
          );
          if (effects.length === 0) continue;
          await this.applier.apply(tx, pending, moved, { state: moved.state, effects }, { trigger: 'api' });
        }
        return next;
      },
      { contactId },
    );
  }

  /**
   * Erasure: the contact's open campaigns are cancelled, then its personal data removed
   * (ContactAdminRepository.erase); a suppressed address stays suppressed by its digest. Erasing an
   * erased contact again changes nothing. ContactNotFoundError when there is no such contact.
   */
  async erase(contactId: string): Promise<ContactErasure> {
    return this.transactions.run(
      async (tx, pending) => {
        const contact = await tx.contacts.lock(contactId);
        if (!contact) throw new ContactNotFoundError(contactId);
        const now = this.clock.now();
        const cancelledCampaignIds: string[] = [];
        for (const campaign of await lockOpenCampaigns(tx, contactId)) {
          const decision = cancel(campaign.state, now);
          await this.applier.apply(tx, pending, campaign, decision, { trigger: 'api' });
          cancelledCampaignIds.push(campaign.id);
        }
        await tx.contactAdmin.erase(contactId, now);
        return { contactId, cancelledCampaignIds };
      },
      { contactId },
    );
  }
}

async function lockOpenCampaigns(tx: StoreTransaction, contactId: string): Promise<CampaignRecord[]> {
  const campaigns: CampaignRecord[] = [];
  for (const id of await tx.campaigns.openCampaignIds(contactId)) campaigns.push(await lockCampaign(tx, id));
  return campaigns;
}

/** Each pending send of the campaign still renders for the updated contact (only missing variables count). */
async function assertSendsRender(tx: StoreTransaction, campaign: CampaignRecord, contact: ContactRecord) {
  for (const action of await tx.actions.listPending(campaign.id)) {
    if (action.kind !== 'send') continue;
    const node = findNode(definition(campaign), action.nodeId);
    if (node.action !== 'send') continue;
    try {
      composeMessage(node, contact, null, 'contact-check.invalid');
    } catch (error) {
      if (error instanceof MissingVariableError)
        throw new ContactUpdateConflictError(campaign.id, node.id, error.variables);
      // Anything else (no recipient on the channel) is the send's own business when it runs.
    }
  }
}
