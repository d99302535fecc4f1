import type { CampaignStatus } from '../engine/types.ts';
import { CampaignNotFoundError, DomainError } from '../errors.ts';
import type { Plan } from '../plan/plan-schema.ts';
import type { CampaignStore } from '../ports/campaign-store.ts';
import type { CampaignListFilter, CampaignListItem, CampaignListPosition } from '../ports/contact-admin.ts';
import { campaignRef } from './transactions.ts';

/** Campaigns per page of `GET /v1/campaigns`: `default` when no limit is given, at most `max`. */
export const CAMPAIGN_PAGE_SIZE = { default: 50, max: 200 } as const;

const STATUSES: readonly CampaignStatus[] = [
  'pending',
  'active',
  'paused',
  'completed',
  'stopped',
  'cancelled',
];
const SHAPE = /^[0-9a-f]{64}$/;
const POSITION = /^(0|[1-9][0-9]{0,15})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;

/** A bad list request (HTTP 400): a filter, limit or cursor the list cannot take. */
export class CampaignListError extends DomainError {
  readonly code: 'invalid_filter' | 'invalid_limit' | 'invalid_cursor';
  constructor(code: CampaignListError['code'], message: string) {
    super(message);
    this.code = code;
    this.name = 'CampaignListError';
  }
}

/** `GET /v1/campaigns` as the edge hands it over: each value as given (absent: no such filter). */
export interface CampaignListRequest {
  status?: string | undefined;
  email?: string | undefined;
  sender?: string | undefined;
  experiment?: string | undefined;
  planShape?: string | undefined;
  cursor?: string | undefined;
  /** NaN for a value that is not a number (the edge's reading): refused. */
  limit?: number | undefined;
}

export interface CampaignListPage {
  /** Newest first: by creation time, then id, both descending. */
  items: CampaignListItem[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** A campaign's stored plan (`GET /v1/campaigns/:id/plan`). */
export interface StoredPlan {
  campaignId: string;
  contactId: string;
  planVersion: number;
  plan: Plan;
}

/** Reads for the operators' list (issue 14): campaigns by filter in keyset pages, and a campaign's plan. */
export class CampaignListing {
  private readonly store: CampaignStore;
  constructor(deps: { store: CampaignStore }) {
    this.store = deps.store;
  }

  /** One page of campaigns; CampaignListError for a bad filter, limit or cursor. */
  async list(request: CampaignListRequest): Promise<CampaignListPage> {
    const filter = listFilter(request);
    const limit = pageLimit(request.limit);
    const after = request.cursor === undefined ? null : decodeListCursor(request.cursor);
    const rows = await this.store.read.listCampaigns(filter, after, limit + 1);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeListCursor(last) : null };
  }

  /** The campaign's current plan and its version; CampaignNotFoundError when there is none. */
  async plan(campaignId: string): Promise<StoredPlan> {
    const { id, contactId } = campaignRef(campaignId);
    const campaign = await this.store.read.getCampaign(id, contactId);
    if (!campaign) throw new CampaignNotFoundError(campaignId);
    return {
      campaignId: campaign.id,
      contactId: campaign.contactId,
      planVersion: campaign.planVersion,
      plan: campaign.plan,
    };
  }
}

function listFilter(request: CampaignListRequest): CampaignListFilter {
  const filter: CampaignListFilter = {};
  if (request.status !== undefined) {
    if (!(STATUSES as readonly string[]).includes(request.status)) {
      throw new CampaignListError('invalid_filter', `status must be one of ${STATUSES.join(', ')}`);
    }
    filter.status = request.status as CampaignStatus;
  }
  if (request.email !== undefined) filter.email = word(request.email, 'email', 320);
  if (request.sender !== undefined) filter.senderId = word(request.sender, 'sender', 200);
  if (request.experiment !== undefined) filter.experiment = word(request.experiment, 'experiment', 200);
  if (request.planShape !== undefined) {
    if (!SHAPE.test(request.planShape)) {
      throw new CampaignListError(
        'invalid_filter',
        'planShape is a plan shape fingerprint: 64 lowercase hex digits',
      );
    }
    filter.planShape = request.planShape;
  }
  return filter;
}

function word(value: string, name: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > max) {
    throw new CampaignListError('invalid_filter', `${name} must be 1 to ${max} characters`);
  }
  return trimmed;
}

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return CAMPAIGN_PAGE_SIZE.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > CAMPAIGN_PAGE_SIZE.max) {
    throw new CampaignListError(
      'invalid_limit',
      `limit must be an integer from 1 to ${CAMPAIGN_PAGE_SIZE.max}`,
    );
  }
  return limit;
}

/** Opaque to clients: base64url of `<created_at epoch ms>.<id>`. */
export function encodeListCursor(position: CampaignListPosition): string {
  return Buffer.from(`${position.createdAt.getTime()}.${position.id.toLowerCase()}`, 'utf8').toString(
    'base64url',
  );
}

/** The position a list cursor names; CampaignListError (`invalid_cursor`) when it names none. */
export function decodeListCursor(cursor: string): CampaignListPosition {
  const refused = () =>
    new CampaignListError(
      'invalid_cursor',
      'invalid cursor: pass back a nextCursor exactly as it was returned',
    );
  if (!BASE64URL.test(cursor)) throw refused();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (Buffer.from(text, 'utf8').toString('base64url') !== cursor) throw refused();
  const match = POSITION.exec(text);
  const ms = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(ms) || Number.isNaN(new Date(ms).getTime())) throw refused();
  return { createdAt: new Date(ms), id: match[2] as string };
}
