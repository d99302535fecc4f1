import { CampaignNotFoundError, InvalidTimelineLimitError } from '../errors.ts';
import type { CampaignStore, CampaignView } from '../ports/campaign-store.ts';
import type { TimelineEntry } from '../simulate/timeline.ts';
import { decodeTimelineCursor, encodeTimelineCursor } from './timeline-cursor.ts';
import { campaignRef } from './transactions.ts';

/** A campaign as `getCampaign` returns it. */
export interface CampaignDetails extends CampaignView {
  /** Pass it to `getTimeline` for the entries after `timeline`; null when `timeline` is whole. */
  timelineNextCursor: string | null;
}

/** A page of a campaign's timeline (`getTimeline`). */
export interface TimelinePageResult {
  entries: TimelineEntry[];
  /** Pass it back for the next page; null when the timeline has no more entries (for now). */
  nextCursor: string | null;
}

/** Timeline pages: the size when none is asked for, and the largest a caller may ask for. */
export const TIMELINE_PAGE_SIZE = { default: 100, max: 1000 } as const;

/** Reads of a campaign and its timeline: no lock, no transaction, only the store's read side. */
export class CampaignQueries {
  private readonly store: CampaignStore;

  constructor(deps: { store: CampaignStore }) {
    this.store = deps.store;
  }

  /**
   * The campaign with its contact, pending actions and timeline: the whole timeline, or with
   * `timelineLimit` (1 to 1000) only its oldest entries and the cursor `getTimeline` continues from.
   */
  async getCampaign(campaignId: string, options: { timelineLimit?: number } = {}): Promise<CampaignDetails> {
    if (options.timelineLimit !== undefined) checkTimelineLimit(options.timelineLimit);
    const { id, contactId } = campaignRef(campaignId);
    const view = await this.store.read.view(id, { ...options, ...(contactId ? { contactId } : {}) });
    if (!view) throw new CampaignNotFoundError(campaignId);
    const next = view.timelineNext;
    return { ...view, timelineNextCursor: next ? encodeTimelineCursor(view.campaign.id, next) : null };
  }

  /**
   * The timeline entries after `cursor` (a `timelineNextCursor` or `nextCursor` this campaign returned;
   * from the start without one), at most `limit` (1 to 1000, default 100), in order. Following the
   * cursors yields every entry once, in order, while the campaign goes on.
   */
  async getTimeline(
    campaignId: string,
    request: { cursor?: string | undefined; limit?: number | undefined } = {},
  ): Promise<TimelinePageResult> {
    const limit = request.limit ?? TIMELINE_PAGE_SIZE.default;
    checkTimelineLimit(limit);
    const { id, contactId } = campaignRef(campaignId);
    const after = request.cursor === undefined ? null : decodeTimelineCursor(id, request.cursor);
    const page = await this.store.read.timelinePage(id, after, limit, contactId);
    if (!page) throw new CampaignNotFoundError(campaignId);
    return {
      entries: page.entries,
      nextCursor: page.next ? encodeTimelineCursor(id, page.next) : null,
    };
  }
}

function checkTimelineLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > TIMELINE_PAGE_SIZE.max) {
    throw new InvalidTimelineLimitError(limit);
  }
}
