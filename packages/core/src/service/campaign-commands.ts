import { activate, cancel, pause, resume } from '../engine/engine.ts';
import { decidePlanUpdate, type PlanUpdateAcceptance } from '../engine/plan-update.ts';
import type { Decision, EngineContext } from '../engine/types.ts';
import { TERMINAL_STATUSES } from '../engine/types.ts';
import {
  ContactSuppressedError,
  IdempotencyConflictError,
  InvalidCampaignStateError,
  PlanUpdateConflictError,
} from '../errors.ts';
import { PlanValidationError } from '../plan/plan-issues.ts';
import type { TimeoutEvent } from '../plan/plan-schema.ts';
import { assertValidPlan, sendTimeIssues } from '../plan/validate-plan.ts';
import type { ContactInput, StoreTransaction } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { CampaignMode, CampaignRecord } from '../ports/records.ts';
import {
  assignSenders,
  type RequestedSenderIds,
  type SenderAssignmentOptions,
} from '../senders/assign-senders.ts';
import { keepSuppressed, suppressedAddressesReplaced } from './address-change.ts';
import { type CampaignSummary, definition, isEngagement, summary, toRecorded } from './campaign-record.ts';
import { checkedContact, contactIdFor } from './contact-input.ts';
import type { EffectApplier } from './effect-applier.ts';
import { smsOnly } from './plan-reads.ts';
import { campaignRequestHash } from './request-fingerprint.ts';
import {
  type AfterCommit,
  type CampaignTransactions,
  campaignRef,
  engineContext,
  lockCampaign,
  withContact,
} from './transactions.ts';

/** What a plan update would do (`previewPlanUpdate`, the API's dry run). */
export interface PlanUpdatePreview {
  /** The version the update would store. */
  planVersion: number;
  /** The node the campaign would stay at; null before activation. */
  currentNodeId: string | null;
  /** The timeouts it would have pending, recomputed from the node's original anchor. */
  timeouts: { node: string; event: TimeoutEvent; runAt: Date }[];
}

export interface PersistPlanInput {
  contact: ContactInput;
  plan: unknown;
  /** Activate at once (default true); false stores the campaign `pending`. */
  activate?: boolean;
  /**
   * Same key for the same contact and the same request (contact, plan, activate, compared as canonical
   * JSON) returns the same campaign and creates nothing; with a different request it throws
   * IdempotencyConflictError.
   */
  idempotencyKey?: string | null;
  /**
   * The sender per channel (DESIGN section 11); a channel the plan uses and that is not named gets the
   * least-loaded enabled sender of the channel. Unknown or other-channel ids throw CampaignSenderError.
   */
  senderIds?: RequestedSenderIds | undefined;
  /**
   * `shadow`: the campaign runs as live but its messages are only recorded (status `shadow`), never
   * sent (DESIGN section 11). Default `live`; under the service's `executionMode` `shadow` every campaign
   * is shadow whatever this says.
   */
  mode?: CampaignMode | undefined;
}

/**
 * What an operator or API caller does to a campaign: store and activate a plan (rule 1), pause, resume
 * and cancel it (rule 8), replace its plan (rule 9). Each runs in one transaction under the campaign's
 * lock (persisting under the contact's).
 */
export class CampaignCommands {
  private readonly clock: Clock;
  private readonly transactions: CampaignTransactions;
  private readonly applier: EffectApplier;
  private readonly executionMode: CampaignMode;
  private readonly senderOptions: SenderAssignmentOptions;

  constructor(deps: {
    clock: Clock;
    transactions: CampaignTransactions;
    applier: EffectApplier;
    /** `EXECUTION_MODE`: `shadow` makes every new campaign shadow. Default `live`. */
    executionMode?: CampaignMode | undefined;
    /** How campaigns get their senders. */
    senders?: SenderAssignmentOptions | undefined;
  }) {
    this.senderOptions = deps.senders ?? {};
    this.executionMode = deps.executionMode ?? 'live';
    this.clock = deps.clock;
    this.transactions = deps.transactions;
    this.applier = deps.applier;
  }

  /**
   * Stores a contact's plan and, unless `activate` is false, activates it (the seed's
   * `contactCampaignPlan.service.persistPlan`). The plan is validated against the contact first; an
   * invalid plan throws PlanValidationError and stores nothing. A suppressed contact throws
   * ContactSuppressedError.
   */
  async persistPlan(input: PersistPlanInput): Promise<{ campaign: CampaignSummary; created: boolean }> {
    const contactInput = checkedContact(input.contact);
    const contactId = contactIdFor(contactInput);
    const plan = assertValidPlan(input.plan, {
      contact: {
        email: contactInput.email ?? null,
        phone: contactInput.phone ?? null,
        name: contactInput.name ?? null,
        attributes: contactInput.attributes ?? null,
      },
      contactTimezone: contactInput.timezone ?? null,
    });
    const timezone = plan.timezone ?? input.contact.timezone;
    if (!timezone) throw new Error('validation accepted a plan without a zone');
    const now = this.clock.now();
    return this.transactions.run(
      async (tx, pending) => {
        // An address the input replaces keeps its suppression (read only when it may replace one).
        const before =
          contactInput.id !== undefined || contactInput.phone !== undefined
            ? await tx.contacts.lock(contactId)
            : null;
        const replaced = await suppressedAddressesReplaced(tx, before, contactInput);
        const contact = await tx.contacts.upsertAndLock({
          ...contactInput,
          id: contactId,
          idGiven: input.contact.id !== undefined,
        });
        await keepSuppressed(tx, replaced, now);
        // Email suppression is for email (DESIGN section 10): a plan that sends only SMS still goes (its
        // sends check the number's SMS suppression when they are claimed).
        if (contact.suppressedAt && !smsOnly(plan))
          throw new ContactSuppressedError(contact.id, contact.suppressionReason);
        // Suppression holds per address: a new contact id for a suppressed address is refused too.
        const byEmail =
          contact.email === null || smsOnly(plan) ? null : await tx.contacts.emailSuppressed(contact.email);
        if (byEmail) throw new ContactSuppressedError(contact.id, byEmail);
        const key = input.idempotencyKey ?? null;
        const requestHash = key === null ? null : campaignRequestHash(input);
        if (key !== null) {
          // The contact's lock serializes requests with one key: the second sees the first's campaign.
          const existing = await tx.campaigns.findByIdempotencyKey(contactId, key);
          if (existing && existing.requestHash !== null && existing.requestHash !== requestHash) {
            throw new IdempotencyConflictError(contactId, key, existing.id);
          }
          if (existing) return { campaign: summary(existing), created: false };
        }
        let campaign = await tx.campaigns.insert({
          contactId,
          plan,
          timezone,
          idempotencyKey: key,
          requestHash,
          createdAt: now,
          senderIds: await assignSenders(tx, plan, input.senderIds, now, this.senderOptions),
          mode: this.executionMode === 'shadow' ? 'shadow' : (input.mode ?? 'live'),
        });
        if (input.activate ?? true) campaign = await this.activateLocked(tx, pending, campaign, now, true);
        return { campaign: summary(campaign), created: true };
      },
      { contactId },
    );
  }

  /**
   * Rule 1: activates a stored campaign, entering its start node now. Running it again, or on a campaign
   * that is already active or over, changes nothing.
   */
  async initializeCampaignExecution(campaignId: string): Promise<CampaignSummary> {
    const { id, contactId } = campaignRef(campaignId);
    return this.transactions.run(
      async (tx, pending) => {
        const campaign = await lockCampaign(tx, id);
        if (campaign.state.status !== 'pending') return summary(campaign);
        const contact = await tx.contacts.get(campaign.contactId);
        if (contact?.suppressedAt && !smsOnly(campaign.plan))
          throw new ContactSuppressedError(contact.id, contact.suppressionReason);
        return summary(await this.activateLocked(tx, pending, campaign, this.clock.now()));
      },
      { contactId },
    );
  }

  private async activateLocked(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
    at: Date,
    /** Inserted in this transaction (nothing sent or recorded for it yet). */
    created = false,
  ): Promise<CampaignRecord> {
    // No allowed instant for a send within 366 days (section 10): refused, the transaction rolls back.
    const noSendTime = sendTimeIssues(campaign.plan, campaign.timezone, at);
    if (noSendTime.length > 0) throw new PlanValidationError(noSendTime);
    const withFacts = await withContact(tx, campaign);
    const context = await engineContext(tx, campaign, { created });
    const decision = activate(definition(withFacts), campaign.state, at, context);
    return this.applier.apply(tx, pending, withFacts, decision, { trigger: 'activation' });
  }

  /** Rule 8: pause an active campaign; its pending actions stay pending and none runs. */
  async pause(campaignId: string): Promise<CampaignSummary> {
    return this.control(campaignId, (campaign, _ctx, now) => pause(campaign.state, now));
  }

  /**
   * Rule 8: resume a paused campaign. Events recorded while paused are applied first; then what fell due
   * runs now (sends still obey quiet hours).
   */
  async resume(campaignId: string): Promise<CampaignSummary> {
    const { id, contactId } = campaignRef(campaignId);
    return this.transactions.run(
      async (tx, pending) => {
        const campaign = await lockCampaign(tx, id);
        if (campaign.state.status !== 'paused')
          throw new InvalidCampaignStateError('resume', campaign.state.status);
        const deferred = await tx.events.deferred(campaign.id);
        const pendingActionRows = await tx.actions.listPending(campaign.id);
        const decision = resume(
          definition(campaign),
          campaign.state,
          this.clock.now(),
          await engineContext(tx, campaign),
          deferred.filter(isEngagement).map(toRecorded),
          pendingActionRows.map((a) => ({ id: a.id, kind: a.kind, runAt: a.runAt, expiresAt: a.expiresAt })),
        );
        // Each event recorded while paused keeps the effect it had at resume (unknown types stay ignored).
        for (const effect of ['transition', 'exit', 'ignored'] as const) {
          const ids = deferred
            .map((e) => e.id)
            .filter(
              (id) => (decision.replayed.find((r) => r.eventId === id)?.effect ?? 'ignored') === effect,
            );
          if (ids.length > 0) await tx.events.setEffect(ids, effect);
        }
        return summary(await this.applier.apply(tx, pending, campaign, decision, { trigger: 'api' }));
      },
      { contactId },
    );
  }

  /** Rule 8: cancel a campaign; every pending action is cancelled. */
  async cancel(campaignId: string): Promise<CampaignSummary> {
    return this.control(campaignId, (campaign, _ctx, now) => cancel(campaign.state, now));
  }

  private async control(
    campaignId: string,
    decide: (campaign: CampaignRecord, ctx: EngineContext, now: Date) => Decision,
  ): Promise<CampaignSummary> {
    const { id, contactId } = campaignRef(campaignId);
    return this.transactions.run(
      async (tx, pending) => {
        const campaign = await lockCampaign(tx, id);
        const decision = decide(campaign, await engineContext(tx, campaign), this.clock.now());
        return summary(await this.applier.apply(tx, pending, campaign, decision, { trigger: 'api' }));
      },
      { contactId },
    );
  }

  /**
   * Rule 9: store a new plan version for a campaign that is not over. The engine decides
   * (`decidePlanUpdate`): the campaign stays at its current node, which the new plan must have with the
   * same action (else PlanUpdateConflictError and nothing changes), and the node's pending timeouts are
   * recomputed from its original anchor. A finished campaign throws InvalidCampaignStateError, an
   * invalid plan PlanValidationError.
   */
  async updatePlan(campaignId: string, planInput: unknown): Promise<CampaignSummary> {
    const { id, contactId } = campaignRef(campaignId);
    return this.transactions.run(
      async (tx, pending) => {
        const { campaign, decision } = await this.decidePlanUpdate(tx, id, planInput);
        return summary(await this.applier.apply(tx, pending, campaign, decision, { trigger: 'api' }));
      },
      { contactId },
    );
  }

  /**
   * What `updatePlan` would do now, without changing anything: the version it would store, the node the
   * campaign would stay at and the timeouts it would then have pending. Throws exactly what `updatePlan`
   * would throw.
   */
  async previewPlanUpdate(campaignId: string, planInput: unknown): Promise<PlanUpdatePreview> {
    const { id, contactId } = campaignRef(campaignId);
    return this.transactions.run(
      async (tx) => {
        const { decision } = await this.decidePlanUpdate(tx, id, planInput);
        return {
          planVersion: decision.version,
          currentNodeId: decision.node,
          timeouts: decision.timeouts.flatMap((t) =>
            t.kind === 'timeout' ? [{ node: t.nodeId, event: t.event, runAt: t.runAt }] : [],
          ),
        };
      },
      { contactId },
    );
  }

  private async decidePlanUpdate(
    tx: StoreTransaction,
    campaignId: string,
    planInput: unknown,
  ): Promise<{ campaign: CampaignRecord; decision: PlanUpdateAcceptance }> {
    const campaign = await lockCampaign(tx, campaignId);
    // Checked before validation, so a finished campaign answers invalid_state whatever the plan.
    if (TERMINAL_STATUSES.includes(campaign.state.status)) {
      throw new InvalidCampaignStateError('update the plan of', campaign.state.status);
    }
    const contact = await tx.contacts.get(campaign.contactId);
    const plan = assertValidPlan(planInput, {
      contact: contact
        ? { email: contact.email, phone: contact.phone, name: contact.name, attributes: contact.attributes }
        : undefined,
      contactTimezone: contact?.timezone ?? null,
    });
    const decision = decidePlanUpdate(
      definition(campaign),
      campaign.state,
      plan,
      campaign.planVersion + 1,
      this.clock.now(),
    );
    if (!decision.accepted) {
      if (decision.code === 'campaign_over') {
        throw new InvalidCampaignStateError('update the plan of', campaign.state.status);
      }
      throw new PlanUpdateConflictError(decision.reason);
    }
    return { campaign, decision };
  }
}
