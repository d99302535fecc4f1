import type { CampaignStatus } from '../engine/types.ts';
import type { CampaignMode, CampaignSenderIds } from './records.ts';

/** The fields of a contact `PATCH /v1/contacts/:id` may change, as they are stored after the patch. */
export interface ContactFields {
  name: string | null;
  /** IANA zone. */
  timezone: string | null;
  /** E.164. */
  phone: string | null;
  attributes: Record<string, unknown>;
}

/**
 * What the contact endpoints write (issue 14). Every method runs in the caller's transaction, which
 * MUST hold the contact's lock (`ContactRepository.lock`).
 */
export interface ContactAdminRepository {
  /** Stores the contact's patched fields as given (the caller validated them). */
  update(contactId: string, fields: ContactFields, at: Date): Promise<void>;
  /**
   * Erasure: removes the contact's personal data (name, email, phone, zone, attributes; the recipient,
   * subject, body and provider error of its messages and the errors of its actions; the payloads of its
   * events and custom events; the texts and compared values of its campaigns' stored plans, which keep
   * their shape; unmatched inbound messages from or to its address or number). An address that
   * is suppressed MUST stay suppressed: its SHA-256 is kept on the contact and
   * `ContactRepository.emailSuppressed` / `phoneSuppressed` MUST still answer for it.
   */
  erase(contactId: string, at: Date): Promise<void>;
  /** A campaign whose plan has no zone follows its contact's new zone (local-time rules read it). */
  setCampaignTimezone(campaignId: string, timezone: string, at: Date): Promise<void>;
}

/** `GET /v1/campaigns` filters; each given one must hold. */
export interface CampaignListFilter {
  status?: CampaignStatus | undefined;
  /** Campaigns of the contacts with this address (case-insensitive). */
  email?: string | undefined;
  /** Campaigns with this sender on either channel. */
  senderId?: string | undefined;
  /** Campaigns whose plan has a split node of this experiment (a split without a name: its node id). */
  experiment?: string | undefined;
  /** Campaigns whose plan has this shape fingerprint (DESIGN section 12; SHA-256 hex). */
  planShape?: string | undefined;
}

/** A place in the list: just after the campaign created at `createdAt` with this `id` (newest first). */
export interface CampaignListPosition {
  createdAt: Date;
  id: string;
}

export interface CampaignListItem {
  id: string;
  contactId: string;
  status: CampaignStatus;
  currentNodeId: string | null;
  planVersion: number;
  mode: CampaignMode;
  senderIds: CampaignSenderIds;
  createdAt: Date;
  /** Null until the plan's shape is recorded. */
  planShape: string | null;
}

export interface CampaignListReader {
  /**
   * At most `limit` campaigns matching `filter`, newest first by (created_at, id) descending, after
   * `after` (null: from the newest), by keyset (never by offset): a page's cost MUST NOT grow with the
   * campaigns before it.
   */
  listCampaigns(
    filter: CampaignListFilter,
    after: CampaignListPosition | null,
    limit: number,
  ): Promise<CampaignListItem[]>;
}
