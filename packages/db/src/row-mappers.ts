import {
  type ActionOutcome,
  type ActionStatus,
  type CampaignRecord,
  type CampaignStatus,
  type ContactRecord,
  type MessageEventRecord,
  type MessageStatus,
  type OutboundMessageRecord,
  type Plan,
  planSchema,
  type ScheduledActionRecord,
  type StopReason,
  type StoredEventEffect,
  type TimeoutEvent,
} from '@campaign/core';
import type { Selectable } from 'kysely';
import type {
  ContactCampaignsTable,
  ContactsTable,
  MessageEventsTable,
  OutboundMessagesTable,
  ScheduledActionsTable,
} from './schema.ts';

/*
 * Rows to domain records. The CHECK constraints guarantee the string unions the casts assume; the stored
 * plan (JSON the database does not check) is parsed with core's plan schema instead.
 */

/**
 * A campaign row whose stored plan is not a plan (edited by hand, written by a bug): the read fails
 * naming the campaign, rather than the engine acting on a shape it never validated.
 */
export class CorruptStoredPlanError extends Error {
  readonly code = 'corrupt_stored_plan';
  readonly campaignId: string;

  constructor(campaignId: string, problem: string) {
    super(`campaign ${campaignId}: the stored plan is not a valid plan (${problem})`);
    this.name = 'CorruptStoredPlanError';
    this.campaignId = campaignId;
  }
}

/**
 * The stored plan of campaign `campaignId`, parsed (structure only: the semantic checks ran when it was
 * accepted, and a rule added since must not make an old campaign unreadable). Cheap next to the round
 * trip that read the row: tens of microseconds for a seven-node plan.
 */
export function parseStoredPlan(campaignId: string, stored: unknown): Plan {
  const parsed = planSchema.safeParse(stored);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `/${issue.path.join('/')}: ` : '';
  throw new CorruptStoredPlanError(campaignId, `${where}${issue?.message ?? 'unreadable'}`);
}

export function toContact(row: Selectable<ContactsTable>): ContactRecord {
  return {
    id: row.id,
    email: row.email,
    phone: row.phone,
    idGiven: row.id_given,
    name: row.name,
    timezone: row.timezone,
    attributes: row.attributes ?? {},
    suppressedAt: row.suppressed_at,
    suppressionReason: row.suppression_reason,
    smsSuppressedAt: row.sms_suppressed_at,
  };
}

/** `plan`: the plan just written with this row (an insert's), so it is not parsed back. */
export function toCampaign(row: Selectable<ContactCampaignsTable>, plan?: Plan): CampaignRecord {
  return {
    id: row.id,
    contactId: row.contact_id,
    plan: plan ?? parseStoredPlan(row.id, row.plan),
    planVersion: row.plan_version,
    timezone: row.timezone,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    createdAt: row.created_at,
    senderIds: { email: row.email_sender_id, sms: row.sms_sender_id },
    mode: row.mode === 'shadow' ? 'shadow' : 'live',
    state: {
      status: row.status as CampaignStatus,
      currentNodeId: row.current_node_id,
      step: row.step_seq,
      anchorAt: row.anchor_at,
      stopReason: row.stop_reason as StopReason | null,
      pausedAt: row.paused_at,
    },
  };
}

export function toAction(row: Selectable<ScheduledActionsTable>): ScheduledActionRecord {
  return {
    id: row.id,
    contactId: row.contact_id,
    campaignId: row.campaign_id,
    kind: row.kind as ScheduledActionRecord['kind'],
    nodeId: row.node_id,
    step: row.step,
    event: row.event as TimeoutEvent | null,
    transitionIndex: row.transition_index,
    dueAt: row.due_at,
    runAt: row.run_at,
    status: row.status as ActionStatus,
    attempts: row.attempts,
    lastError: row.last_error,
    outcome: row.outcome as ActionOutcome | null,
    executedAt: row.executed_at,
    claimedUntil: row.claimed_until,
    expiresAt: row.expires_at,
  };
}

export function toMessage(row: Selectable<OutboundMessagesTable>): OutboundMessageRecord {
  return {
    id: row.id,
    contactId: row.contact_id,
    campaignId: row.campaign_id,
    actionId: row.action_id,
    nodeId: row.node_id,
    step: row.step,
    dedupeKey: row.dedupe_key,
    toEmail: row.to_email,
    subject: row.subject,
    body: row.body,
    status: row.status as MessageStatus,
    providerMessageId: row.provider_message_id,
    sentAt: row.sent_at,
    channel: row.channel === 'sms' ? 'sms' : 'email',
    inReplyTo: row.in_reply_to,
    references: row.references_header,
    senderId: row.sender_id,
    messageIdHeader: row.message_id_header,
  };
}

export function toEvent(row: Selectable<MessageEventsTable>): MessageEventRecord {
  return {
    id: row.id,
    contactId: row.contact_id,
    campaignId: row.campaign_id,
    messageId: row.message_id,
    provider: row.provider,
    providerEventId: row.provider_event_id,
    type: row.type as MessageEventRecord['type'],
    occurredAt: row.occurred_at,
    machine: row.machine,
    bot: row.bot,
    autoReply: row.auto_reply,
    effect: row.effect as StoredEventEffect | null,
  };
}
