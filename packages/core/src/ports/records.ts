import type {
  CampaignState,
  ContactFacts,
  DeferReason,
  PlannedAction,
  SkipReason,
  StopReason,
  ZeroTimeMove,
} from '../engine/types.ts';
import type { EngagementEvent, Plan, TimeoutEvent, TransitionEvent } from '../plan/plan-schema.ts';
import type { InboundKind } from './inbound-repository.ts';

/*
 * Domain records the repositories return. They mirror the tables of DESIGN section 5 without being
 * them: repositories map rows to these and back, so no table type leaks into core.
 */

export interface ContactRecord {
  id: string;
  /** Null for a contact reached by SMS only; a contact has an email or a phone (or both). */
  email: string | null;
  /** E.164; SMS sends go to it (plan 1.1). Null when the contact has none. */
  phone: string | null;
  /**
   * Whether `id` is the id the caller gave (not one derived from the email or phone): the split key is
   * then the id. Null for contacts stored before this was recorded (see contactSplitKey).
   */
  idGiven: boolean | null;
  name: string | null;
  /** IANA zone, used when a plan has none. */
  timezone: string | null;
  attributes: Record<string, unknown>;
  suppressedAt: Date | null;
  suppressionReason: string | null;
  /** When this contact opted out of SMS (its number is suppressed for SMS, DESIGN section 10); null: not. */
  smsSuppressedAt?: Date | null | undefined;
}

/** A campaign's sender per channel; null: none (email: the MAIL_FROM default). */
export interface CampaignSenderIds {
  email: string | null;
  sms: string | null;
}

export type CampaignMode = 'live' | 'shadow';

export interface CampaignRecord {
  id: string;
  contactId: string;
  plan: Plan;
  planVersion: number;
  /** The zone every local-time rule of this campaign uses (the plan's, else the contact's at creation). */
  timezone: string;
  state: CampaignState;
  idempotencyKey: string | null;
  /**
   * With an idempotency key: SHA-256 (hex) of the canonical JSON of the request that created the campaign
   * (campaignRequestHash), which a later request with that key must match. Null without a key, and for
   * campaigns created before requests were hashed (any request with their key matches them).
   */
  requestHash: string | null;
  createdAt: Date;
  /**
   * The senders the campaign got at creation and keeps (DESIGN section 11), by channel; null: no sender
   * of that channel (email: the MAIL_FROM default, without caps).
   */
  senderIds: CampaignSenderIds;
  /** `shadow`: its messages are rendered and recorded, never handed to a transport (DESIGN section 11). */
  mode: CampaignMode;
  /**
   * What the plan's branch and split nodes read of the contact. Repositories leave it out; the service
   * attaches it (lockCampaign) when the plan has such nodes.
   */
  contact?: ContactFacts | undefined;
}

export type ActionStatus = 'pending' | 'running' | 'done' | 'skipped' | 'cancelled' | 'failed';

/** `expired`: a send not sent because it could not go by `due + expireAfter` (status `skipped`). */
export type ActionOutcome = 'sent' | 'transition' | 'skipped' | 'stale' | 'failed' | 'expired';

export interface ScheduledActionRecord {
  id: string;
  contactId: string;
  campaignId: string;
  kind: PlannedAction['kind'];
  nodeId: string;
  step: number;
  event: TimeoutEvent | null;
  transitionIndex: number | null;
  dueAt: Date;
  runAt: Date;
  status: ActionStatus;
  attempts: number;
  lastError: string | null;
  outcome: ActionOutcome | null;
  executedAt: Date | null;
  /**
   * While `running` (a send claimed by a worker): until when the claim holds. Past it the reconcile loop
   * takes the send over (its worker died).
   */
  claimedUntil: Date | null;
  /** A send's `due + expireAfter` (plan 1.1): it may not go after it. Null: no expiry. */
  expiresAt: Date | null;
}

export interface NewScheduledAction {
  contactId: string;
  campaignId: string;
  action: PlannedAction;
  /** Unique per contact: the same planned action is never stored twice. */
  idempotencyKey: string;
}

/** `shadow`: recorded by a shadow campaign and never handed to a transport (DESIGN section 11). */
export type MessageStatus = 'sending' | 'sent' | 'failed' | 'shadow';

export interface OutboundMessageRecord {
  id: string;
  contactId: string;
  campaignId: string;
  actionId: string;
  nodeId: string;
  step: number;
  dedupeKey: string;
  /** The recipient: the email address, or for `sms` the phone number (E.164). */
  toEmail: string;
  /** The rendered subject (empty for `sms`). */
  subject: string;
  /** The rendered HTML body, or for `sms` the rendered text. */
  body: string;
  status: MessageStatus;
  providerMessageId: string | null;
  sentAt: Date | null;
  channel: MessageChannel;
  /** A threaded follow-up: our id of the email it replies to (its In-Reply-To); else null. */
  inReplyTo: string | null;
  /** A threaded follow-up: the References header it went with (Message-IDs, space-separated); else null. */
  references: string | null;
  /** The sender it went from (0009); null: the MAIL_FROM default, or sent before senders existed. */
  senderId: string | null;
  /**
   * The Message-ID an email went with (`<uuid.contact id@domain>`); null for an SMS and for an email sent
   * before it was recorded, which went as `<uuid@domain>` (`legacyMessageIdHeader`).
   */
  messageIdHeader: string | null;
}

/** The channel a message goes on (plan 1.1 adds `sms`). */
export type MessageChannel = 'email' | 'sms';

export interface NewOutboundMessage {
  /** Stable per dedupe key (see stableUuid), so every attempt at one message carries one Message-ID. */
  id: string;
  contactId: string;
  campaignId: string;
  actionId: string;
  nodeId: string;
  step: number;
  /** Unique per contact: one message per campaign, node and step. */
  dedupeKey: string;
  /** The email address, or for `sms` the phone number (E.164). */
  toEmail: string;
  /** Empty for `sms`. */
  subject: string;
  /** The HTML body, or for `sms` the text. */
  body: string;
  /** Default `email`. */
  channel?: MessageChannel | undefined;
  /** See OutboundMessageRecord.inReplyTo. */
  inReplyTo?: string | null | undefined;
  /** See OutboundMessageRecord.references. */
  references?: string | null | undefined;
  /** See OutboundMessageRecord.messageIdHeader. */
  messageIdHeader?: string | null | undefined;
  /** The sender it goes from (the campaign's of its channel); null or absent: the MAIL_FROM default. */
  senderId?: string | null | undefined;
  /** When it is claimed (the service's clock): what the sender's usage counts. */
  claimedAt?: Date | null | undefined;
  /**
   * Shadow mode: the message is stored with status `shadow` and `sentAt` this instant (it stands for a
   * sent message in everything the engine reads) and is never handed to a transport.
   */
  shadowAt?: Date | undefined;
}

/** How an engagement event affected its campaign; `deferred`: recorded while paused, applied at resume. */
export type StoredEventEffect = 'transition' | 'exit' | 'ignored' | 'deferred';

/** A provider event the engine does not act on (a type it does not know), stored for the record. */
export const UNKNOWN_EVENT_TYPE = 'unknown';

export interface MessageEventRecord {
  id: string;
  contactId: string;
  campaignId: string | null;
  messageId: string | null;
  provider: string;
  providerEventId: string;
  /** Repositories return only engagement events from their reads; `unknown` only from `insert`. */
  type: EngagementEvent | typeof UNKNOWN_EVENT_TYPE;
  occurredAt: Date;
  machine: boolean;
  bot: boolean;
  autoReply: boolean;
  effect: StoredEventEffect | null;
}

export interface NewMessageEvent {
  contactId: string;
  campaignId: string | null;
  messageId: string | null;
  provider: string;
  /** Unique per contact and provider: a delivery seen twice is stored once. */
  providerEventId: string;
  type: EngagementEvent | typeof UNKNOWN_EVENT_TYPE;
  /** The provider's own name for the event. */
  rawType: string | null;
  occurredAt: Date;
  machine: boolean;
  bot: boolean;
  autoReply: boolean;
  /** An inbound message's classification (DESIGN section 14); absent: not an inbound message. */
  inbound?: InboundEventInfo | undefined;
  payload: unknown;
}

/** How an inbound message was classified and what decided it, as the timeline shows it. */
export interface InboundEventInfo {
  kind: InboundKind;
  /** `Auto-Submitted: auto-replied`, `report-type=delivery-status; status 5.1.1`, `no automatic marker`, ... */
  decidedBy: string;
}

export type TransitionKind =
  | 'enter'
  | 'pause'
  | 'resume'
  | 'cancel'
  | 'end'
  | 'plan_update'
  | 'deferred'
  | 'skipped'
  /** A contact update (issue 14): the changed fields in `fields`. */
  | 'contact_update';

/** One `campaign_transitions` row: the audit trail. */
export interface NewTransition {
  contactId: string;
  campaignId: string;
  kind: TransitionKind;
  at: Date;
  step: number;
  fromNodeId: string | null;
  toNodeId: string | null;
  /** The taken transition's `on`, or `branch` / `split`, for `enter` rows that moved between nodes. */
  on: TransitionEvent | ZeroTimeMove | null;
  /** activation | event | timeout | api: what caused it. */
  trigger: 'activation' | 'event' | 'timeout' | 'api' | 'send';
  eventId: string | null;
  actionId: string | null;
  /** For `end` rows: the final status and the exit event. */
  status: 'completed' | 'stopped' | 'cancelled' | null;
  /** `end` rows: why it stopped; `deferred` rows: why the send was moved; `skipped` rows: why not sent. */
  reason: StopReason | DeferReason | SkipReason | null;
  /** `deferred` rows: when the send runs instead. */
  untilAt: Date | null;
  /** `enter` rows leaving a split: the variant taken. */
  variant?: string | null | undefined;
  /** `skipped` rows: the due time of the send not sent. */
  dueAt?: Date | null | undefined;
  /** `contact_update` rows: the contact fields that changed (`name`, `timezone`, `phone`, `attributes`). */
  fields?: readonly string[] | undefined;
  planVersion: number;
}

/** A split node's assignment of the contact to a variant (one per campaign and node; analytics read it). */
export interface NewSplitAssignment {
  contactId: string;
  campaignId: string;
  nodeId: string;
  experiment: string;
  variant: string;
  assignedAt: Date;
  planVersion: number;
}
