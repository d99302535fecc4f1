import type { PlannedAction } from '../engine/types.ts';
import { type ApiEventBatchResult, recordApiEventBatch } from '../input/api-events.ts';
import type { StoreTransaction } from '../ports/campaign-store.ts';
import type { InboundSource } from '../ports/inbound-repository.ts';
import type { CampaignRecord, ContactRecord, StoredEventEffect } from '../ports/records.ts';
import type { DeliveredJob } from '../ports/scheduler.ts';
import { SenderService } from '../senders/sender-service.ts';
import { ActionRunner } from './action-runner.ts';
import { CampaignCommands, type PersistPlanInput, type PlanUpdatePreview } from './campaign-commands.ts';
import {
  CampaignListing,
  type CampaignListPage,
  type CampaignListRequest,
  type StoredPlan,
} from './campaign-list.ts';
import { type CampaignDetails, CampaignQueries, type TimelinePageResult } from './campaign-queries.ts';
import type { CampaignSummary } from './campaign-record.ts';
import { ContactCommands, type ContactErasure } from './contact-commands.ts';
import {
  type CustomEventInput,
  CustomEventIntake,
  type RecordCustomEventResult,
} from './custom-event-intake.ts';
import { EffectApplier } from './effect-applier.ts';
import {
  EventIntake,
  type EventIntakeInput,
  type RecordEventResult,
  type RecordEventsResult,
} from './event-intake.ts';
import type { ExecutionServiceDeps } from './execution-service-deps.ts';
import { InboundIntake, type InboundMessageInput, type InboundResult } from './inbound-intake.ts';
import { Permits } from './permits.ts';
import { type ExecuteActionResult, SendClaims } from './send-claim.ts';
import { SendingControls } from './send-holds.ts';
import { SendLinePlanner } from './send-line-plan.ts';
import { SendWaits } from './send-waits.ts';
import { type InboundSmsInput, type InboundSmsResult, SmsInbound } from './sms-inbound.ts';
import { type AfterCommit, CampaignTransactions } from './transactions.ts';
import { hardBounceEvent } from './transport-refusal.ts';

export { ActionRunner, type ActionRunnerSettings } from './action-runner.ts';
export { CampaignCommands, type PersistPlanInput, type PlanUpdatePreview } from './campaign-commands.ts';
export {
  CAMPAIGN_PAGE_SIZE,
  CampaignListError,
  CampaignListing,
  type CampaignListPage,
  type CampaignListRequest,
  type StoredPlan,
} from './campaign-list.ts';
export {
  type CampaignDetails,
  CampaignQueries,
  TIMELINE_PAGE_SIZE,
  type TimelinePageResult,
} from './campaign-queries.ts';
export { type CampaignSummary, contactIdForEmail, stableUuid } from './campaign-record.ts';
export {
  ContactCommands,
  type ContactErasure,
  ContactNotFoundError,
  ContactUpdateConflictError,
} from './contact-commands.ts';
export { InvalidContactPatchError, mergePatch, PATCHABLE_CONTACT_FIELDS } from './contact-patch.ts';
export { type DecisionCause, EffectApplier } from './effect-applier.ts';
export {
  type EventInput,
  EventIntake,
  type EventIntakeInput,
  type EventRejectionCode,
  type RecordEventResult,
  type RecordEventsResult,
  tallyEvent,
} from './event-intake.ts';
export type { ExecutionServiceDeps } from './execution-service-deps.ts';
export {
  bareAddress,
  INBOUND_PROVIDER,
  type InboundClassificationInput,
  InboundIntake,
  type InboundMessageInput,
  type InboundResult,
  UNMATCHED_PAGE_MAX,
  UNMATCHED_PAGE_SIZE,
} from './inbound-intake.ts';
export {
  type ExecuteActionResult,
  type SendClaim,
  type SendClaimSettings,
  SendClaims,
} from './send-claim.ts';
export { type HoldReason, SendingControls } from './send-holds.ts';
export { type SendWaitSettings, SendWaits } from './send-waits.ts';
export {
  type InboundSmsInput,
  type InboundSmsResult,
  SMS_START_KEYWORDS,
  SMS_STOP_KEYWORDS,
  SmsInbound,
  smsKeyword,
} from './sms-inbound.ts';
export { type AfterCommit, CampaignTransactions } from './transactions.ts';

/**
 * Runs campaign plans on a database (DESIGN section 4): materializes a plan's actions, advances
 * campaigns as events and due actions arrive, and records every step. Each state change of a campaign
 * runs in one transaction that holds the campaign's row lock, and every entry point is idempotent.
 * All decisions come from the pure engine; the units below only load, apply and record them.
 *
 * A facade: it wires the use-case units from one set of ports and delegates to them, so a host needs
 * one object. Each unit takes only the ports it uses and can be built on its own: `CampaignCommands`
 * (persist, activate, pause, resume, cancel, update a plan), `CampaignQueries` (reads), `EventIntake`
 * (events, suppression, unsubscribe links), `ActionRunner` with `SendClaims` (due actions, the send
 * path, retries, reconcile), over `CampaignTransactions` (transaction, after-commit, lock order) and
 * `EffectApplier` (the engine's effects as rows and jobs).
 */
export class CampaignPlanExecutionService {
  readonly commands: CampaignCommands;
  readonly queries: CampaignQueries;
  readonly events: EventIntake;
  /** Custom events of contacts: goals and `event` conditions (DESIGN section 14). */
  readonly customEvents: CustomEventIntake;
  readonly actions: ActionRunner;
  /** Inbound mail: replies, bounces and complaints (DESIGN section 14). */
  readonly inbound: InboundIntake;
  /** The emergency stop (`POST /v1/admin/sending`). */
  readonly sending: SendingControls;
  /** Inbound SMS (replies, STOP / START) and carrier opt-outs. */
  readonly sms: SmsInbound;
  /** The senders (`/v1/senders`). */
  readonly senders: SenderService;
  /** The campaign list and stored plans (issue 14). */
  readonly listing: CampaignListing;
  /** The contact endpoints: read, patch, erase (issue 14). */
  readonly contacts: ContactCommands;
  private readonly applier: EffectApplier;

  constructor(deps: ExecutionServiceDeps) {
    const { store, scheduler, transport, smsTransport, clock, observer, unsubscribe } = deps;
    const maxSendAttempts = deps.maxSendAttempts ?? 5;
    const sendClaimLeaseMs = deps.sendClaimLeaseMs ?? 300_000;
    const retryBaseDelayMs = deps.retryBaseDelayMs ?? 30_000;
    const messageIdDomain = deps.messageIdDomain ?? 'campaign-engine.invalid';
    const transactions = new CampaignTransactions({ store, scheduler });
    const lines = new SendLinePlanner(
      { clock },
      { contactFrequencyCap: deps.contactFrequencyCap, throttleWaitMs: deps.throttleWaitMs },
    );
    const applier = new EffectApplier({ scheduler, clock, observer, lines });
    this.applier = applier;
    this.commands = new CampaignCommands({
      ...{ clock, transactions, applier, executionMode: deps.executionMode },
      senders: { smsSenderRequired: deps.smsSenderRequired },
    });
    this.senders = new SenderService({ store, clock, released: () => this.sending.releaseHeld() });
    this.queries = new CampaignQueries({ store });
    this.listing = new CampaignListing({ store });
    this.contacts = new ContactCommands({ clock, transactions, applier });
    this.events = new EventIntake({ store, clock, transactions, applier, unsubscribe });
    this.customEvents = new CustomEventIntake({ store, clock, transactions, applier });
    this.sms = new SmsInbound({ store, clock, recordEvent: (input) => this.events.recordEvent(input) });
    this.inbound = new InboundIntake({
      ...{ store, clock, observer, defaultFrom: deps.mailFrom },
      recordEvent: (input) => this.events.recordEvent(input),
    });
    const claims = new SendClaims(
      { store, clock, transactions, applier, observer },
      {
        maxSendAttempts,
        sendClaimLeaseMs,
        messageIdDomain,
        unsubscribe,
        contactFrequencyCap: deps.contactFrequencyCap,
        throttleWaitMs: deps.throttleWaitMs,
      },
    );
    const permits = deps.actionConcurrency === undefined ? undefined : new Permits(deps.actionConcurrency);
    const waits = new SendWaits(
      { claims, clock, scheduler, sleep: deps.sleep, permits },
      { throttleWaitMs: deps.throttleWaitMs, throttleMaxWaiting: deps.throttleMaxWaiting },
    );
    this.actions = new ActionRunner(
      {
        ...{
          store,
          scheduler,
          transport,
          smsTransport,
          clock,
          transactions,
          applier,
          claims,
          waits,
          permits,
          observer,
        },
        smsOptedOut: (messageId) => this.sms.optedOut('sms_transport', messageId),
        hardBounced: (messageId, error) =>
          this.events.recordEvent(hardBounceEvent(messageId, error, clock.now())),
      },
      { maxSendAttempts, sendClaimLeaseMs, retryBaseDelayMs },
    );
    this.sending = new SendingControls({ store, clock, runner: this.actions });
  }

  /** See `CampaignCommands.persistPlan`. */
  persistPlan(input: PersistPlanInput): Promise<{ campaign: CampaignSummary; created: boolean }> {
    return this.commands.persistPlan(input);
  }

  /** The seed's name for activating a stored campaign (rule 1): see `CampaignCommands`. */
  initializeCampaignExecution(campaignId: string): Promise<CampaignSummary> {
    return this.commands.initializeCampaignExecution(campaignId);
  }

  /** See `CampaignCommands.pause`. */
  pause(campaignId: string): Promise<CampaignSummary> {
    return this.commands.pause(campaignId);
  }

  /** See `CampaignCommands.resume`. */
  resume(campaignId: string): Promise<CampaignSummary> {
    return this.commands.resume(campaignId);
  }

  /** See `CampaignCommands.cancel`. */
  cancel(campaignId: string): Promise<CampaignSummary> {
    return this.commands.cancel(campaignId);
  }

  /** See `CampaignCommands.updatePlan`. */
  updatePlan(campaignId: string, planInput: unknown): Promise<CampaignSummary> {
    return this.commands.updatePlan(campaignId, planInput);
  }

  /** See `CampaignCommands.previewPlanUpdate` (the API's dry run of a plan update). */
  previewPlanUpdate(campaignId: string, planInput: unknown): Promise<PlanUpdatePreview> {
    return this.commands.previewPlanUpdate(campaignId, planInput);
  }

  /** See `CampaignQueries.getCampaign`. */
  getCampaign(campaignId: string, options: { timelineLimit?: number } = {}): Promise<CampaignDetails> {
    return this.queries.getCampaign(campaignId, options);
  }

  /** See `CampaignQueries.getTimeline`. */
  getTimeline(
    campaignId: string,
    request: { cursor?: string | undefined; limit?: number | undefined } = {},
  ): Promise<TimelinePageResult> {
    return this.queries.getTimeline(campaignId, request);
  }

  /** See `CampaignListing.list` (`GET /v1/campaigns`). */
  listCampaigns(request: CampaignListRequest): Promise<CampaignListPage> {
    return this.listing.list(request);
  }

  /** See `CampaignListing.plan` (`GET /v1/campaigns/:id/plan`). */
  getCampaignPlan(campaignId: string): Promise<StoredPlan> {
    return this.listing.plan(campaignId);
  }

  /** See `ContactCommands.get`. */
  getContact(contactId: string): Promise<ContactRecord> {
    return this.contacts.get(contactId);
  }

  /** See `ContactCommands.patch` (a JSON Merge Patch). */
  patchContact(contactId: string, patch: unknown): Promise<ContactRecord> {
    return this.contacts.patch(contactId, patch);
  }

  /** See `ContactCommands.erase`. */
  eraseContact(contactId: string): Promise<ContactErasure> {
    return this.contacts.erase(contactId);
  }

  /** See `EventIntake.recordEvent`. */
  recordEvent(input: EventIntakeInput): Promise<RecordEventResult> {
    return this.events.recordEvent(input);
  }

  /** See `EventIntake.recordEvents`: a batch, counted as the API and the webhooks report it. */
  recordEvents(batch: readonly EventIntakeInput[]): Promise<RecordEventsResult> {
    return this.events.recordEvents(batch);
  }

  /** `POST /v1/events`: each item checked (bad ones rejected by position), the rest recorded as one batch. */
  recordApiEvents(items: readonly unknown[]): Promise<ApiEventBatchResult> {
    return recordApiEventBatch(
      (batch) => this.events.recordEvents(batch),
      items,
      (input) => this.customEvents.record(input),
    );
  }

  /** See `CustomEventIntake.record`: a custom event of a contact (a goal, an `event` condition's fact). */
  recordCustomEvent(input: CustomEventInput): Promise<RecordCustomEventResult> {
    return this.customEvents.record(input);
  }

  /** See `SmsInbound.receive`: an inbound SMS (a reply, STOP or START). */
  recordInboundSms(input: InboundSmsInput): Promise<InboundSmsResult> {
    return this.sms.receive(input);
  }

  /** See `InboundIntake.receive`: an inbound email (reply, auto-reply, bounce, complaint) from `source`. */
  recordInbound(parsed: InboundMessageInput, source: InboundSource): Promise<InboundResult> {
    return this.inbound.receive(parsed, source);
  }

  /** The seed's name for applying an already recorded event: see `EventIntake.processTransition`. */
  processTransition(eventId: string): Promise<StoredEventEffect | null> {
    return this.events.processTransition(eventId);
  }

  /** See `EventIntake.unsubscribeByToken`. */
  unsubscribeByToken(token: string): Promise<RecordEventResult | null> {
    return this.events.unsubscribeByToken(token);
  }

  /** See `EventIntake.unsubscribeLinkValid`. */
  unsubscribeLinkValid(token: string): Promise<boolean> {
    return this.events.unsubscribeLinkValid(token);
  }

  /** See `ActionRunner.executeAction` (the three steps of a send are described there). */
  executeAction(actionId: string, contactId?: string, job?: DeliveredJob): Promise<ExecuteActionResult> {
    return this.actions.executeAction(actionId, contactId, job);
  }

  /** See `ActionRunner.reconcileOverdue`. */
  reconcileOverdue(graceMs: number, limit = 500): Promise<number> {
    return this.actions.reconcileOverdue(graceMs, limit);
  }

  /**
   * Stores planned actions (the seed's `scheduleAction`), idempotently per idempotency key, and queues
   * them: in the transaction when the scheduler can, else after commit. For use inside a transaction
   * that holds the campaign's lock.
   */
  async scheduleAction(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
    action: PlannedAction,
  ): Promise<void> {
    await this.applier.scheduleActions(tx, pending, campaign, [action]);
  }

  /** Schedules the current node's timeouts from its anchor (the seed's `scheduleNodeTimeouts`). */
  scheduleNodeTimeouts(tx: StoreTransaction, pending: AfterCommit, campaign: CampaignRecord): Promise<void> {
    return this.applier.scheduleNodeTimeouts(tx, pending, campaign);
  }
}
