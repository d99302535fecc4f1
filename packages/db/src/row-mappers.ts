import type {
  ActionOutcome,
  ActionStatus,
  CampaignRecord,
  CampaignStatus,
  ContactRecord,
  MessageEventRecord,
  MessageStatus,
  OutboundMessageRecord,
  Plan,
  ScheduledActionRecord,
  StopReason,
  StoredEventEffect,
  TimeoutEvent,
} from '@campaign/core';
import type { Selectable } from 'kysely';
import type {
  ContactCampaignsTable,
  ContactsTable,
  MessageEventsTable,
  OutboundMessagesTable,
  ScheduledActionsTable,
} from './schema.ts';

/* Rows to domain records. The CHECK constraints guarantee the string unions the casts assume. */

export function toContact(row: Selectable<ContactsTable>): ContactRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    timezone: row.timezone,
    attributes: row.attributes ?? {},
    suppressedAt: row.suppressed_at,
    suppressionReason: row.suppression_reason,
  };
}

export function toCampaign(row: Selectable<ContactCampaignsTable>): CampaignRecord {
  return {
    id: row.id,
    contactId: row.contact_id,
    plan: row.plan as unknown as Plan,
    planVersion: row.plan_version,
    timezone: row.timezone,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    createdAt: row.created_at,
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
