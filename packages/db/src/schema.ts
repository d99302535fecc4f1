import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/*
 * Kysely table types: the rows as Postgres stores them. Repositories map them to core's domain records;
 * nothing outside packages/db sees these.
 */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** int8 columns come back as strings from pg; they are only ever compared in SQL. */
type Int8 = ColumnType<string, never, string>;

export interface ContactsTable {
  id: string;
  /** Null for a contact reached by SMS only (0006); a contact has an email or a phone. */
  email: string | null;
  /** E.164 (0006). */
  phone: ColumnType<string | null, string | null | undefined, string | null>;
  /** Whether `id` is the one the caller gave (0006); null for contacts stored before. */
  id_given: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  name: string | null;
  timezone: string | null;
  attributes: JSONColumnType<Record<string, unknown>, string, string>;
  suppressed_at: Date | null;
  suppression_reason: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  /** 0008: the phone is suppressed for SMS (an SMS unsubscribe or complaint). */
  sms_suppressed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  sms_suppression_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** 0014: an erased contact's suppressed email, SHA-256 hex of it trimmed and lowercased. */
  email_sha256: ColumnType<string | null, string | null | undefined, string | null>;
  /** 0014: an erased contact's SMS-suppressed number, SHA-256 hex of its E.164 form. */
  phone_sha256: ColumnType<string | null, string | null | undefined, string | null>;
  /** 0014: when the contact was erased (its row may then have neither an email nor a phone). */
  erased_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface ContactCampaignsTable {
  id: Generated<string>;
  contact_id: string;
  plan: JSONColumnType<object, string, string>;
  plan_version: Generated<number>;
  timezone: string;
  status: Generated<string>;
  current_node_id: string | null;
  step_seq: Generated<number>;
  anchor_at: Date | null;
  stop_reason: string | null;
  paused_at: Date | null;
  idempotency_key: string | null;
  /** SHA-256 hex of the canonical request that created the campaign with its idempotency key (0005). */
  request_hash: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** 0009: the campaign's senders (null: the MAIL_FROM default, or no SMS step). */
  email_sender_id: ColumnType<string | null, string | null | undefined, string | null>;
  sms_sender_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** 0009: `live` or `shadow`. */
  mode: Generated<string>;
  /** 0014: the plan's shape fingerprint (DESIGN section 12); null until recorded. */
  plan_shape: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ScheduledActionsTable {
  id: Generated<string>;
  contact_id: string;
  campaign_id: string;
  kind: string;
  node_id: string;
  step: number;
  event: string | null;
  transition_index: number | null;
  due_at: Timestamp;
  run_at: Timestamp;
  status: Generated<string>;
  outcome: string | null;
  attempts: Generated<number>;
  last_error: string | null;
  idempotency_key: string;
  executed_at: Date | null;
  executed_seq: ColumnType<string | null, never, string | null>;
  claimed_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** A send's `due + expireAfter` (0006): it may not go after it. */
  expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface OutboundMessagesTable {
  id: Generated<string>;
  contact_id: string;
  campaign_id: string;
  action_id: string;
  node_id: string;
  step: number;
  dedupe_key: string;
  to_email: string;
  subject: string;
  body: string;
  status: string;
  provider_message_id: string | null;
  last_error: string | null;
  seq: Int8;
  created_at: DefaultedTimestamp;
  sent_at: Date | null;
  /** 0007: `email` or `sms`. */
  channel: Generated<string>;
  /** 0007: our id of the email this one replies to (a threaded follow-up). */
  in_reply_to: string | null;
  /** 0007: the References header a threaded follow-up went with. */
  references_header: string | null;
  /** 0009: the sender it went from (null: the MAIL_FROM default). */
  sender_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** 0009: when it was (last) claimed, by the service's clock; what a sender's usage counts. */
  claimed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** 0019: the Message-ID an email went with; null for an SMS and for emails sent before 0019. */
  message_id_header: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface MessageEventsTable {
  id: Generated<string>;
  contact_id: string;
  campaign_id: string | null;
  message_id: string | null;
  provider: string;
  provider_event_id: string;
  type: string;
  raw_type: string | null;
  occurred_at: Timestamp;
  received_at: DefaultedTimestamp;
  machine: Generated<boolean>;
  bot: Generated<boolean>;
  auto_reply: Generated<boolean>;
  /** 0011: an inbound message's classification and what decided it. */
  inbound_kind: ColumnType<string | null, string | null | undefined, string | null>;
  decided_by: ColumnType<string | null, string | null | undefined, string | null>;
  effect: string | null;
  payload: JSONColumnType<object, string | null, string | null> | null;
  seq: Int8;
}

export interface CampaignTransitionsTable {
  id: Generated<string>;
  contact_id: string;
  campaign_id: string;
  kind: string;
  at: Timestamp;
  step: number;
  from_node_id: string | null;
  to_node_id: string | null;
  on_event: string | null;
  trigger: string;
  event_id: string | null;
  action_id: string | null;
  status: string | null;
  reason: string | null;
  until_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** `enter` rows leaving a split: the variant taken (0006). */
  variant: ColumnType<string | null, string | null | undefined, string | null>;
  /** `skipped` rows: the send's due time (0006). */
  due_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  plan_version: number;
  seq: Int8;
}

/** One row per campaign and split node: the variant the contact was assigned (0006). */
export interface SplitAssignmentsTable {
  contact_id: string;
  campaign_id: string;
  node_id: string;
  experiment: string;
  variant: string;
  assigned_at: Timestamp;
  plan_version: number;
}

export interface Database {
  contacts: ContactsTable;
  contact_campaigns: ContactCampaignsTable;
  scheduled_actions: ScheduledActionsTable;
  outbound_messages: OutboundMessagesTable;
  message_events: MessageEventsTable;
  campaign_transitions: CampaignTransitionsTable;
  split_assignments: SplitAssignmentsTable;
  senders: SendersTable;
  sending_control: SendingControlTable;
  custom_events: CustomEventsTable;
  inbound_unmatched: InboundUnmatchedTable;
  contact_addresses: ContactAddressesTable;
  provider_refs: ProviderRefsTable;
}

/** 0018: the contacts an address (its SHA-256, as 0014 hashes it) belongs to; distributed by the hash. */
export interface ContactAddressesTable {
  address_sha256: string;
  kind: 'email' | 'phone';
  contact_id: string;
}

/** 0018: the message a provider's message id names; distributed by that id. */
export interface ProviderRefsTable {
  provider_id: string;
  contact_id: string;
  message_id: string;
}

/** 0011: inbound messages that matched nothing we sent (DESIGN section 14). */
export interface InboundUnmatchedTable {
  message_id: string;
  source: string;
  from_address: string | null;
  to_addresses: string[];
  subject: string | null;
  kind: string;
  decided_by: string;
  refers_to: string[];
  received_at: Timestamp;
  seq: Generated<Int8>;
}

/** 0012: a contact's custom events (DESIGN section 14: goals and `event` branch conditions). */
export interface CustomEventsTable {
  id: Generated<string>;
  contact_id: string;
  /** The caller's event id, unique per contact. */
  event_id: string;
  name: string;
  occurred_at: Timestamp;
  received_at: DefaultedTimestamp;
  payload: JSONColumnType<object, string | null, string | null> | null;
}

/** 0009: a from-identity with its caps (DESIGN section 11). */
export interface SendersTable {
  id: string;
  channel: string;
  from_address: string;
  timezone: string;
  daily_cap: number;
  hourly_cap: number | null;
  /** ISO 8601 duration. */
  min_gap: string | null;
  warmup_start: number | null;
  warmup_days: number | null;
  enabled: Generated<boolean>;
  transport: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  paused_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  paused_reason: ColumnType<string | null, string | null | undefined, string | null>;
  health: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  deleted_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** 0009: the single row of the emergency stop. */
export interface SendingControlTable {
  id: Generated<boolean>;
  enabled: boolean;
  since: Date | null;
}
