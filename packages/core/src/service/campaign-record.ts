import { createHash } from 'node:crypto';
import type { CampaignDefinition, CampaignState, RecordedEvent, StopReason } from '../engine/types.ts';
import type { EngagementEvent } from '../plan/plan-schema.ts';
import { type CampaignRecord, type MessageEventRecord, UNKNOWN_EVENT_TYPE } from '../ports/records.ts';

/** A campaign as the commands return it. */
export interface CampaignSummary {
  id: string;
  contactId: string;
  status: CampaignState['status'];
  currentNodeId: string | null;
  stopReason: StopReason | null;
  planVersion: number;
  step: number;
}

/**
 * What the engine needs of a stored campaign: its plan, the zone it runs in and, when attached (see
 * withContact), the contact's facts.
 */
export function definition(campaign: CampaignRecord): CampaignDefinition {
  return {
    plan: campaign.plan,
    timezone: campaign.timezone,
    ...(campaign.contact !== undefined ? { contact: campaign.contact } : {}),
  };
}

export function summary(campaign: CampaignRecord): CampaignSummary {
  return {
    id: campaign.id,
    contactId: campaign.contactId,
    status: campaign.state.status,
    currentNodeId: campaign.state.currentNodeId,
    stopReason: campaign.state.stopReason,
    planVersion: campaign.planVersion,
    step: campaign.state.step,
  };
}

/** A stored event of a type the engine acts on (not `UNKNOWN_EVENT_TYPE`). */
export type EngagementRecord = MessageEventRecord & { type: EngagementEvent };

export function isEngagement(event: MessageEventRecord): event is EngagementRecord {
  return event.type !== UNKNOWN_EVENT_TYPE;
}

export function toRecorded(event: EngagementRecord): RecordedEvent {
  return {
    id: event.id,
    messageId: event.messageId,
    type: event.type,
    occurredAt: event.occurredAt,
    machine: event.machine,
    bot: event.bot,
    autoReply: event.autoReply,
  };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A UUID derived from `key` (SHA-256, formatted with version 5 and RFC 4122 variant bits): the same key
 * always gives the same id, which is what makes an id survive a rolled-back transaction.
 */
export function stableUuid(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A contact's id when the caller gives none: derived from the address, so one address is one contact
 * (and its suppression holds) without a unique index on email.
 */
export function contactIdForEmail(email: string): string {
  return stableUuid(`contact:${email.trim().toLowerCase()}`);
}
