import type { CampaignState, MessageRef, RecordedEvent } from '../engine/types.ts';
import type { EngagementEvent, Plan } from '../plan/plan-schema.ts';
import type { TimelineEntry } from '../simulate/timeline.ts';
import type { CampaignListReader, ContactAdminRepository } from './contact-admin.ts';
import type { CustomEventRepository } from './custom-event-repository.ts';
import type { InboundRepository, UnmatchedInboundRecord } from './inbound-repository.ts';
import type {
  ActionOutcome,
  CampaignMode,
  CampaignRecord,
  CampaignSenderIds,
  ContactRecord,
  MessageEventRecord,
  NewMessageEvent,
  NewOutboundMessage,
  NewScheduledAction,
  NewSplitAssignment,
  NewTransition,
  OutboundMessageRecord,
  ScheduledActionRecord,
  StoredEventEffect,
} from './records.ts';
import type { SendHoldRepository } from './send-holds.ts';
import type { SenderRepository } from './sender-repository.ts';
import type { SenderLineReader, ThrottleUsageRepository } from './throttle-usage.ts';

/**
 * An opaque handle on the store's current transaction. Only an adapter built for the same store (the
 * pg-boss scheduler on the same database) may look inside it, to enqueue in the same transaction.
 */
export interface TransactionHandle {
  readonly kind: string;
}

/**
 * The database behind the execution service.
 *
 * `transaction` MUST run `work` in one database transaction: all or nothing, committed when `work`
 * resolves and rolled back when it throws. A `lock*` method MUST hold the row lock until the transaction
 * ends (SELECT ... FOR UPDATE), so every state change of one campaign is serialized. The store MAY retry
 * `work` on a deadlock or serialization failure; `work` MUST therefore have no side effect outside the
 * transaction except through `onCommit` callbacks.
 */
export interface CampaignStore {
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Reads outside any transaction (no locks). */
  readonly read: CampaignReader;
}

export interface TransactionOptions {
  /**
   * The one contact whose rows the work reads and writes by id (a campaign's action, message or event
   * work): the store MAY add `contact_id = contactId` to each such statement, so a store distributed by
   * contact (DESIGN section 9) routes it to that contact's shard. A row of another contact is then not
   * found. Absent: rows are found by id alone.
   */
  contactId?: string | undefined;
}

export interface StoreTransaction {
  readonly handle: TransactionHandle;
  /**
   * Declares that the work has done something outside the database (handed a message to a provider).
   * The store MUST NOT re-run the transaction after that, even on a deadlock: the error propagates.
   */
  markExternalEffect(): void;
  readonly contacts: ContactRepository;
  readonly campaigns: CampaignRepository;
  readonly actions: ScheduledActionRepository;
  readonly messages: OutboundMessageRepository;
  readonly events: MessageEventRepository;
  readonly transitions: CampaignTransitionRepository;
  readonly assignments: SplitAssignmentRepository;
  /** The contacts' custom events (goals and `event` conditions, DESIGN section 14). */
  readonly customEvents: CustomEventRepository;
  /** The emergency stop and the holds it (and paused or disabled senders) put on sends. */
  readonly holds: SendHoldRepository;
  /** Inbound mail: the address-pair match and the unmatched list (DESIGN section 14). */
  readonly inbound: InboundRepository;
  /** The senders (DESIGN section 11) and their usage. */
  readonly senders: SenderRepository;
  /** What throttling reads and reserves under the sender's lock (DESIGN section 11). */
  readonly throttle: ThrottleUsageRepository;
  /** The contact endpoints' writes: a patch, an erasure (issue 14). */
  readonly contactAdmin: ContactAdminRepository;
}

export interface ContactInput {
  /** Absent: derived from the email (else the phone), so the same address is the same contact. */
  id?: string | undefined;
  /** A contact needs an email or a phone (or both). */
  email?: string | null | undefined;
  /** E.164 (`+4915112345678`); required by plans that send SMS. */
  phone?: string | null | undefined;
  name?: string | null | undefined;
  timezone?: string | null | undefined;
  attributes?: Record<string, unknown> | undefined;
}

export interface ContactRepository {
  /**
   * Inserts or updates the contact and returns it locked (FOR UPDATE). `idGiven`: whether `id` is the
   * caller's (recorded on insert; an update keeps the stored value unless it was unknown).
   */
  upsertAndLock(contact: ContactInput & { id: string; idGiven: boolean }): Promise<ContactRecord>;
  lock(contactId: string): Promise<ContactRecord | null>;
  get(contactId: string): Promise<ContactRecord | null>;
  suppress(contactId: string, reason: string, at: Date): Promise<void>;
  /** The suppression reason when any contact with this address (case-insensitive) is suppressed. */
  emailSuppressed(email: string): Promise<string | null>;
  /**
   * Suppresses the contact's phone number for SMS only (an SMS unsubscribe or complaint, DESIGN
   * section 10); its email suppression (`suppress`) is untouched.
   */
  suppressSms(contactId: string, reason: string, at: Date): Promise<void>;
  /** The SMS suppression reason when any contact with this phone number (E.164) is suppressed for SMS. */
  phoneSuppressed(phone: string): Promise<string | null>;
  /**
   * Lifts the SMS suppression of every contact with this phone number (an inbound START or UNSTOP);
   * their email suppression is untouched. Returns how many contacts it lifted.
   */
  unsuppressSms(phone: string, at: Date): Promise<number>;
  /**
   * Suppresses for SMS every contact with this phone number (E.164) not suppressed yet, with `reason`
   * (an inbound STOP from a number we never texted from that sender's number, DESIGN section 10); their
   * email suppression is untouched. Returns how many contacts have this number (already suppressed ones
   * included): 0 means an unknown number, and nothing changed.
   */
  suppressSmsByPhone(phone: string, reason: string, at: Date): Promise<number>;
}

export interface NewCampaign {
  contactId: string;
  plan: Plan;
  timezone: string;
  idempotencyKey: string | null;
  /** See CampaignRecord.requestHash. */
  requestHash: string | null;
  createdAt: Date;
  /** Default: no senders (email goes from the MAIL_FROM default). */
  senderIds?: CampaignSenderIds | undefined;
  /** Default `live`. */
  mode?: CampaignMode | undefined;
}

export interface CampaignRepository {
  insert(campaign: NewCampaign): Promise<CampaignRecord>;
  findByIdempotencyKey(contactId: string, key: string): Promise<CampaignRecord | null>;
  /** The campaign, locked until the transaction ends; null when it does not exist. */
  lock(campaignId: string): Promise<CampaignRecord | null>;
  /** Ids of the contact's campaigns that are not over yet, in id order (the order to lock them in). */
  openCampaignIds(contactId: string): Promise<string[]>;
  saveState(campaignId: string, state: CampaignState, at: Date): Promise<void>;
  savePlan(campaignId: string, plan: Plan, planVersion: number, at: Date): Promise<void>;
  /**
   * What a decision writes last (EffectApplier), in one round trip: the cancellation of the campaign's
   * pending actions (their ids returned; none of the actions stored with it), the transition rows, the
   * actions (returned as stored; one already stored under its idempotency key is left as it is and not
   * returned), the campaign's state and the effect of the event that caused the decision, each when given.
   */
  saveDecision(write: DecisionWrite): Promise<{ inserted: ScheduledActionRecord[]; cancelled: string[] }>;
}

/** See CampaignRepository.saveDecision: one campaign's, under its lock. */
export interface DecisionWrite {
  contactId: string;
  campaignId: string;
  cancelPending: boolean;
  /** In timeline order. */
  transitions: readonly NewTransition[];
  actions: readonly NewScheduledAction[];
  state: { state: CampaignState; at: Date } | null;
  /** An event of this campaign (and contact). */
  eventEffect: { eventId: string; effect: StoredEventEffect } | null;
}

export interface ScheduledActionRepository {
  /** Stores the actions; one already stored under the same idempotency key is left as it is and not returned. */
  insertMany(actions: readonly NewScheduledAction[]): Promise<ScheduledActionRecord[]>;
  /** Locks one action row; null when it does not exist. */
  lock(actionId: string): Promise<ScheduledActionRecord | null>;
  /** Cancels every pending action of the campaign (optionally only one kind) and returns their ids. */
  cancelPending(campaignId: string, kind?: ScheduledActionRecord['kind']): Promise<string[]>;
  listPending(campaignId: string): Promise<ScheduledActionRecord[]>;
  reschedule(actionId: string, runAt: Date): Promise<void>;
  /**
   * Moves a pending action whose `runAt` is after `laterThan` to `to` (a throttled send brought forward
   * by the sends waiting behind it, see `SendLines.pullAhead`); false when it was not pending or not
   * that late.
   */
  pullForward(actionId: string, to: Date, laterThan: Date): Promise<boolean>;
  /**
   * Claims a pending (or takes over a running) send for one attempt: status `running`, `attempts + 1`,
   * claimed until `until`.
   */
  claim(actionId: string, until: Date): Promise<void>;
  /**
   * Extends a live claim to `until`, if the action is still `running` at `attempt` (a takeover changed
   * nothing of another worker's claim).
   */
  renewClaim(actionId: string, attempt: number, until: Date): Promise<void>;
  /** A claimed send goes back to `pending`, to run at `runAt` (a retry after a refused send; a deferral). */
  release(actionId: string, runAt: Date, error: string | null): Promise<void>;
  /**
   * A claimed send whose message the provider accepted, but whose next step failed: it stays `running`
   * (it must never be sent again) and another attempt at the step is due at `until`, when it is taken
   * over (`claim`, which counts that attempt).
   */
  retryClaimed(actionId: string, until: Date, error: string): Promise<void>;
  /**
   * Marks an action executed with its outcome, taking the next timeline position. A pending action's
   * `attempts` grows by one; a running one's was counted when it was claimed.
   */
  finish(
    actionId: string,
    status: 'done' | 'skipped' | 'failed',
    outcome: ActionOutcome,
    at: Date,
    error?: string,
  ): Promise<void>;
}

export interface OutboundMessageRepository {
  /**
   * Claims the message of a (campaign, node, step): inserts it in status `sending`, or takes over a row
   * whose earlier attempt `failed` (and, with `takeOver`, one left `sending` by a worker whose claim
   * expired). Null when it is already `sending` or `sent`: it is never sent twice.
   */
  claim(message: NewOutboundMessage, options?: { takeOver?: boolean }): Promise<OutboundMessageRecord | null>;
  get(messageId: string): Promise<OutboundMessageRecord | null>;
  /** The message, locked until the transaction ends; null when it does not exist. */
  lock(messageId: string): Promise<OutboundMessageRecord | null>;
  /**
   * Records the provider's acceptance: the provider is the truth, so a message marked `failed` meanwhile
   * (its claim was taken over) becomes `sent` too. False when it was `sent` already.
   */
  markSent(messageId: string, sentAt: Date, providerMessageId: string | null): Promise<boolean>;
  /** A message that was not accepted; one already `sent` stays `sent`. */
  markFailed(messageId: string, error: string): Promise<void>;
  /**
   * The campaign's latest sent message (every node's reference message is this one, see EngineContext)
   * with its decisive events (`decisiveEvents`: the earliest genuine event of each engagement type, no
   * payloads), oldest first; null before the first send. It MUST read a number of rows that does not grow
   * with the events the message has: every event a campaign handles calls it.
   */
  latestSentWithDecisiveEvents(
    campaignId: string,
  ): Promise<{ message: MessageRef; events: RecordedEvent[] } | null>;
  /**
   * The campaign's latest sent email (channel `email`; SMS are passed over), which a threaded
   * follow-up replies to; null when the campaign has sent no email.
   */
  latestSentEmail(campaignId: string): Promise<OutboundMessageRecord | null>;
  /**
   * The latest SMS sent (status `sent`, latest `sentAt`) to `phone` (E.164, a contact's number) from
   * `senderNumber`: a message of a sender whose `from` is that number, or one with no sender (it went
   * from the default number, `TWILIO_FROM`). What an inbound SMS answers (DESIGN section 10); null when
   * nothing was sent between them.
   */
  latestSmsBetween(phone: string, senderNumber: string): Promise<OutboundMessageRecord | null>;
}

export interface MessageEventRepository {
  /** Stores the event; null when the same provider event id is already stored (a duplicate delivery). */
  insert(event: NewMessageEvent): Promise<MessageEventRecord | null>;
  get(eventId: string): Promise<MessageEventRecord | null>;
  /** Events recorded while the campaign was paused, not applied yet. */
  deferred(campaignId: string): Promise<MessageEventRecord[]>;
  setEffect(eventIds: readonly string[], effect: StoredEventEffect): Promise<void>;
  /**
   * The distinct (type, send node) pairs of the genuine `opened`, `clicked` and `replied` events on the
   * campaign's messages (rule 5's genuine): what `engaged` branch conditions read. `opened` and `clicked`
   * MUST count on email messages only (they do not exist for SMS). At most three rows per send node,
   * however many events the campaign has.
   */
  engagements(campaignId: string): Promise<{ type: EngagementEvent; nodeId: string }[]>;
}

export interface CampaignTransitionRepository {
  insertMany(rows: readonly NewTransition[]): Promise<void>;
}

export interface SplitAssignmentRepository {
  /**
   * Records a split's assignment; one already stored for the campaign and node is kept (the assignment is
   * deterministic: a re-entry assigns the same variant).
   */
  insert(assignment: NewSplitAssignment): Promise<void>;
}

export interface CampaignView {
  campaign: CampaignRecord;
  contact: ContactRecord;
  pendingActions: ScheduledActionRecord[];
  /** The whole timeline, or its oldest `timelineLimit` entries when the view was asked for a page. */
  timeline: TimelineEntry[];
  /** Where `timeline` stops when more entries follow it; null when it is whole. */
  timelineNext: TimelinePosition | null;
}

/**
 * A place in a campaign's timeline: just after the entry at `index` among those that the audit row at
 * timeline sequence `seq` yields (an `enter` row yields its `transition` entry, then its `enter`).
 * Entries are ordered by (seq, index). A position stays valid while the campaign goes on because writers
 * number an entry when they make it visible, under the campaign's lock: a new entry comes after every
 * entry already visible.
 */
export interface TimelinePosition {
  /** The shared timeline sequence number, as decimal digits (a Postgres bigint). */
  seq: string;
  index: number;
}

export interface TimelinePage {
  /** In timeline order. */
  entries: TimelineEntry[];
  /** The position of the last entry when more follow; null at the end of the timeline. */
  next: TimelinePosition | null;
}

export interface CampaignReader extends CampaignListReader {
  /** The senders' lines, as waiting and just-claimed sends watch them (`SenderLineReader`). */
  readonly lines: SenderLineReader;
  /** The action; with `contactId`, only that contact's (routed to its shard, see `TransactionOptions`). */
  getAction(actionId: string, contactId?: string): Promise<ScheduledActionRecord | null>;
  /**
   * By our message id, else by the provider's id. `messageId` as our ids travel (`routed-id.ts`):
   * `<uuid>.<contact id>`, looked up on that contact's shard only, or a bare uuid, looked up by id alone.
   */
  findMessage(ref: {
    messageId?: string | undefined;
    providerMessageId?: string | undefined;
  }): Promise<OutboundMessageRecord | null>;
  /** With `contactId`, only that contact's campaign (routed, see `TransactionOptions`). */
  getCampaign(campaignId: string, contactId?: string): Promise<CampaignRecord | null>;
  /**
   * Ids of the contacts with this address (trimmed), compared case-insensitively (the way
   * `ContactRepository.emailSuppressed` does), in id order; empty when there is none.
   */
  contactIdsByEmail(email: string): Promise<string[]>;
  /**
   * The campaign with its contact, pending actions and timeline (the shapes `campaign simulate` prints),
   * read in one snapshot. With `timelineLimit`, only the timeline's oldest `timelineLimit` entries are
   * read and `timelineNext` says where it continues. With `contactId`, only that contact's campaign; the
   * reads after the campaign's go to its contact's shard either way.
   */
  view(
    campaignId: string,
    options?: { timelineLimit?: number; contactId?: string },
  ): Promise<CampaignView | null>;
  /**
   * At most `limit` timeline entries after `after` (from the start when null), in order, read in one
   * snapshot by keyset on (seq, index), never by offset: the cost of a page MUST NOT grow with the
   * entries before it. Null when there is no such campaign (of `contactId`, when given).
   */
  timelinePage(
    campaignId: string,
    after: TimelinePosition | null,
    limit: number,
    contactId?: string,
  ): Promise<TimelinePage | null>;
  /**
   * At most `limit` unmatched inbound messages after position `after` (null: from the newest), newest
   * first, by keyset on their position (never by offset).
   */
  unmatchedInbound(after: string | null, limit: number): Promise<UnmatchedInboundRecord[]>;
  /** Pending actions of active campaigns whose run_at is at or before `before`, oldest first (the reconcile loop). */
  duePending(before: Date, limit: number): Promise<ScheduledActionRecord[]>;
  /** Running sends whose claim expired at or before `at` (their worker died), oldest first. */
  expiredClaims(at: Date, limit: number): Promise<ScheduledActionRecord[]>;
}
