import {
  type AuditRecord,
  type CampaignListFilter,
  type CampaignListItem,
  type CampaignListPosition,
  type CampaignReader,
  type CampaignRecord,
  type CampaignView,
  type DeferReason,
  type EngagementEvent,
  type InboundKind,
  type OutboundMessageRecord,
  parseRoutedId,
  type ScheduledActionRecord,
  type SenderLineReader,
  type SkipReason,
  type StopReason,
  smsSegments,
  type TimelineEntry,
  type TimelinePage,
  type TimelinePosition,
  type TimeoutEvent,
  type TransitionEvent,
  timelineEntriesOf,
  type UnmatchedInboundRecord,
  type ZeroTimeMove,
} from '@campaign/core';
import type { Kysely } from 'kysely';
import { contactIdsByEmail, listCampaigns } from './kysely-contact-admin.ts';
import { KyselyInboundRepository } from './kysely-inbound.ts';
import { isUuid } from './kysely-repositories.ts';
import { KyselyThrottleUsageRepository } from './kysely-throttle-usage.ts';
import { routedTo } from './routing.ts';
import { toAction, toCampaign, toContact, toMessage } from './row-mappers.ts';
import type { Database } from './schema.ts';

type Positioned = { seq: bigint; entries: TimelineEntry[] };

/** Reads for the API and the workers, outside any transaction. */
export class KyselyCampaignReader implements CampaignReader {
  private readonly db: Kysely<Database>;
  /** The contact whose campaign this reader reads (see `routedTo`): set once the campaign is known. */
  private readonly contactId: string | undefined;

  readonly lines: SenderLineReader;

  constructor(db: Kysely<Database>, contactId?: string) {
    this.db = db;
    this.contactId = contactId;
    this.lines = new KyselyThrottleUsageRepository(db);
  }

  listCampaigns(
    filter: CampaignListFilter,
    after: CampaignListPosition | null,
    limit: number,
  ): Promise<CampaignListItem[]> {
    return listCampaigns(this.db, filter, after, limit);
  }

  async getAction(actionId: string, contactId?: string): Promise<ScheduledActionRecord | null> {
    const row = await this.db
      .selectFrom('scheduled_actions')
      .selectAll()
      .where('id', '=', actionId)
      .$call(routedTo(contactId))
      .executeTakeFirst();
    return row ? toAction(row) : null;
  }

  async findMessage(ref: {
    messageId?: string | undefined;
    providerMessageId?: string | undefined;
  }): Promise<OutboundMessageRecord | null> {
    // Our id, with its contact's (`<uuid>.<contact id>`: routed to that shard) or, as ids went out before
    // they carried it, alone.
    const own = ref.messageId === undefined ? undefined : parseRoutedId(ref.messageId);
    if (own) {
      const row = await this.db
        .selectFrom('outbound_messages')
        .selectAll()
        .where('id', '=', own.id)
        .$call(routedTo(own.contactId))
        .executeTakeFirst();
      if (row) return toMessage(row);
    }
    if (ref.providerMessageId !== undefined) {
      // The provider's id names its messages' contacts in provider_refs (0018); then routed by contact.
      const refs = await this.db
        .selectFrom('provider_refs')
        .select('contact_id')
        .where('provider_id', '=', ref.providerMessageId)
        .execute();
      if (refs.length === 0) return null;
      const row = await this.db
        .selectFrom('outbound_messages')
        .selectAll()
        .where(
          'contact_id',
          'in',
          refs.map((r) => r.contact_id),
        )
        .where('provider_message_id', '=', ref.providerMessageId)
        .executeTakeFirst();
      if (row) return toMessage(row);
    }
    return null;
  }

  async contactIdsByEmail(email: string): Promise<string[]> {
    return contactIdsByEmail(this.db, email);
  }

  async getCampaign(campaignId: string, contactId = this.contactId): Promise<CampaignRecord | null> {
    if (!isUuid(campaignId)) return null;
    const row = await this.db
      .selectFrom('contact_campaigns')
      .selectAll()
      .where('id', '=', campaignId)
      .$call(routedTo(contactId))
      .executeTakeFirst();
    return row ? toCampaign(row) : null;
  }

  async unmatchedInbound(after: string | null, limit: number): Promise<UnmatchedInboundRecord[]> {
    return new KyselyInboundRepository(this.db).unmatched(after, limit);
  }

  async duePending(before: Date, limit: number): Promise<ScheduledActionRecord[]> {
    const rows = await this.db
      .selectFrom('scheduled_actions as a')
      .innerJoin('contact_campaigns as c', 'c.id', 'a.campaign_id')
      .selectAll('a')
      .where('a.status', '=', 'pending')
      .where('a.run_at', '<=', before)
      .where('c.status', '=', 'active')
      .orderBy('a.run_at')
      .limit(limit)
      .execute();
    return rows.map(toAction);
  }

  async expiredClaims(at: Date, limit: number): Promise<ScheduledActionRecord[]> {
    const rows = await this.db
      .selectFrom('scheduled_actions')
      .selectAll()
      .where('status', '=', 'running')
      .where('claimed_until', '<=', at)
      .orderBy('claimed_until')
      .limit(limit)
      .execute();
    return rows.map(toAction);
  }

  /** Read in one repeatable-read snapshot: a send committing meanwhile must not show half in the view. */
  async view(
    campaignId: string,
    options: { timelineLimit?: number; contactId?: string } = {},
  ): Promise<CampaignView | null> {
    if (!isUuid(campaignId)) return null;
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute((trx) =>
        new KyselyCampaignReader(trx, options.contactId).viewInSnapshot(campaignId, options.timelineLimit),
      );
  }

  /** One snapshot too: entries committing between the page's four reads must not be skipped by its cursor. */
  async timelinePage(
    campaignId: string,
    after: TimelinePosition | null,
    limit: number,
    contactId?: string,
  ): Promise<TimelinePage | null> {
    if (!isUuid(campaignId)) return null;
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const campaign = await new KyselyCampaignReader(trx, contactId).getCampaign(campaignId);
        return campaign
          ? new KyselyCampaignReader(trx, campaign.contactId).pageInSnapshot(campaignId, after, limit)
          : null;
      });
  }

  /** The rest of the view is read on the campaign's contact's shard, whatever found the campaign. */
  private async viewInSnapshot(campaignId: string, timelineLimit?: number): Promise<CampaignView | null> {
    const campaign = await this.getCampaign(campaignId);
    if (!campaign) return null;
    return new KyselyCampaignReader(this.db, campaign.contactId).viewOf(campaign, timelineLimit);
  }

  private async viewOf(campaign: CampaignRecord, timelineLimit?: number): Promise<CampaignView> {
    const campaignId = campaign.id;
    const [contactRow, pendingRows, page] = await Promise.all([
      this.db
        .selectFrom('contacts')
        .selectAll()
        .where('id', '=', campaign.contactId)
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom('scheduled_actions')
        .selectAll()
        .where('campaign_id', '=', campaignId)
        .$call(routedTo(this.contactId))
        .where('status', '=', 'pending')
        .orderBy('run_at')
        .execute(),
      timelineLimit === undefined
        ? this.timeline(campaignId).then((entries): TimelinePage => ({ entries, next: null }))
        : this.pageInSnapshot(campaignId, null, timelineLimit),
    ]);
    return {
      campaign,
      contact: toContact(contactRow),
      pendingActions: pendingRows.map(toAction),
      timeline: page.entries,
      timelineNext: page.next,
    };
  }

  /**
   * A page by keyset on (seq, index). Every audit row yields at least one entry and one sequence numbers
   * the rows of all four sources, so at most one row sits at `after.seq`: `limit + 2` rows of each source
   * hold the next `limit + 1` entries, enough to know whether more follow.
   */
  private async pageInSnapshot(
    campaignId: string,
    after: TimelinePosition | null,
    limit: number,
  ): Promise<TimelinePage> {
    const { rows, horizon } = await this.timelineRows(campaignId, after?.seq ?? null, limit + 2);
    const afterSeq = after ? BigInt(after.seq) : -1n;
    const afterIndex = after?.index ?? 0;
    const following = rows
      .flatMap((row) => row.entries.map((entry, index) => ({ seq: row.seq, index, entry })))
      .filter(
        (e) =>
          (e.seq > afterSeq || (e.seq === afterSeq && e.index > afterIndex)) &&
          // Past a source's last row read, another row of that source may come first.
          (horizon === null || e.seq <= horizon),
      );
    const page = following.slice(0, limit);
    const last = page.at(-1);
    const more = following.length > limit || horizon !== null;
    return {
      entries: page.map((e) => e.entry),
      next: more && last ? { seq: last.seq.toString(), index: last.index } : null,
    };
  }

  /**
   * The campaign's timeline in the shapes `campaign simulate` prints, rebuilt from the audit tables and
   * ordered by the shared timeline sequence (causal order, also within one instant).
   */
  async timeline(campaignId: string): Promise<TimelineEntry[]> {
    const { rows } = await this.timelineRows(campaignId, null, null);
    return rows.flatMap((row) => row.entries);
  }

  /**
   * The audit rows of the timeline from sequence `from` on (all with null), ordered by sequence, at most
   * `rowLimit` of each source (each read through a (campaign_id, seq) index). `horizon`: the lowest last
   * sequence of a source that had more rows, or null when every source was read to its end.
   */
  private async timelineRows(
    campaignId: string,
    from: string | null,
    rowLimit: number | null,
  ): Promise<{ rows: Positioned[]; horizon: bigint | null }> {
    const [transitions, messages, events, timeouts] = await Promise.all([
      this.db
        .selectFrom('campaign_transitions')
        .select([
          'seq',
          'kind',
          'at',
          'step',
          'from_node_id',
          'to_node_id',
          'on_event',
          'status',
          'reason',
          'until_at',
          'variant',
          'due_at',
        ])
        .where('campaign_id', '=', campaignId)
        .$call(routedTo(this.contactId))
        .where('kind', '!=', 'plan_update')
        .$if(from !== null, (q) => q.where('seq', '>=', from as string))
        .$if(rowLimit !== null, (q) => q.orderBy('seq').limit(rowLimit as number))
        .execute(),
      this.db
        .selectFrom('outbound_messages as m')
        .innerJoin('scheduled_actions as a', (join) =>
          join.onRef('a.contact_id', '=', 'm.contact_id').onRef('a.id', '=', 'm.action_id'),
        )
        .select([
          'm.seq',
          'm.id',
          'm.node_id',
          'm.subject',
          'm.body',
          'm.channel',
          'm.in_reply_to',
          'm.sent_at',
          'a.due_at',
        ])
        .where('m.campaign_id', '=', campaignId)
        .$call(routedTo(this.contactId, 'm.contact_id'))
        // A shadow campaign's messages are on its timeline as sends (DESIGN section 11); an `or`, not an
        // `in`, so that each arm is read on its partial index (latest_idx, latest_shadow_idx).
        .where((eb) => eb.or([eb('m.status', '=', 'sent'), eb('m.status', '=', 'shadow')]))
        .$if(from !== null, (q) => q.where('m.seq', '>=', from as string))
        .$if(rowLimit !== null, (q) => q.orderBy('m.seq').limit(rowLimit as number))
        .execute(),
      this.db
        .selectFrom('message_events')
        .select([
          'seq',
          'type',
          'message_id',
          'provider_event_id',
          'occurred_at',
          'effect',
          'inbound_kind',
          'decided_by',
        ])
        .where('campaign_id', '=', campaignId)
        .$call(routedTo(this.contactId))
        .where('type', '!=', 'unknown')
        .$if(from !== null, (q) => q.where('seq', '>=', from as string))
        .$if(rowLimit !== null, (q) => q.orderBy('seq').limit(rowLimit as number))
        .execute(),
      this.db
        .selectFrom('scheduled_actions')
        .select(['executed_seq', 'node_id', 'event', 'outcome', 'executed_at'])
        .where('campaign_id', '=', campaignId)
        .$call(routedTo(this.contactId))
        .where('kind', '=', 'timeout')
        .where('executed_seq', 'is not', null)
        .$if(from !== null, (q) => q.where('executed_seq', '>=', from as string))
        .$if(rowLimit !== null, (q) => q.orderBy('executed_seq').limit(rowLimit as number))
        .execute(),
    ]);
    const positioned: Positioned[] = [];
    for (const t of transitions) {
      positioned.push({ seq: BigInt(t.seq), entries: timelineEntriesOf(auditRecordOf(t)) });
    }
    for (const m of messages) {
      const at = m.sent_at ?? new Date(0);
      positioned.push({
        seq: BigInt(m.seq),
        entries: timelineEntriesOf(sendRecordOf(m, at)),
      });
    }
    for (const e of events) {
      positioned.push({
        seq: BigInt(e.seq),
        entries: timelineEntriesOf({
          kind: 'event',
          at: e.occurred_at,
          type: e.type as EngagementEvent,
          message: e.message_id,
          id: e.provider_event_id,
          effect: e.effect === 'transition' || e.effect === 'exit' ? e.effect : 'ignored',
          ...(e.inbound_kind !== null
            ? { inbound: { kind: e.inbound_kind as InboundKind, decidedBy: e.decided_by ?? '' } }
            : {}),
        }),
      });
    }
    for (const a of timeouts) {
      positioned.push({
        seq: BigInt(a.executed_seq ?? 0),
        entries: timelineEntriesOf({
          kind: 'timeout',
          at: a.executed_at ?? new Date(0),
          node: a.node_id,
          event: a.event as TimeoutEvent,
          effect: a.outcome === 'transition' || a.outcome === 'stale' ? a.outcome : 'skipped',
        }),
      });
    }
    positioned.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
    let horizon: bigint | null = null;
    for (const source of [transitions, messages, events, timeouts]) {
      if (rowLimit === null || source.length < rowLimit) continue;
      const last = source.at(-1);
      const seq = BigInt((last && ('executed_seq' in last ? last.executed_seq : last.seq)) ?? 0);
      if (horizon === null || seq < horizon) horizon = seq;
    }
    return { rows: positioned, horizon };
  }
}

type AuditRow = {
  kind: string;
  at: Date;
  step: number;
  from_node_id: string | null;
  to_node_id: string | null;
  on_event: string | null;
  status: string | null;
  reason: string | null;
  until_at: Date | null;
  variant: string | null;
  due_at: Date | null;
};

/** A `campaign_transitions` row (not `plan_update`: the API's timeline leaves those out) as an audit record. */
function auditRecordOf(t: AuditRow): AuditRecord {
  switch (t.kind) {
    case 'enter':
      return {
        kind: 'enter',
        at: t.at,
        from: t.to_node_id === null ? null : t.from_node_id,
        to: t.to_node_id ?? '',
        step: t.step,
        on: t.on_event as TransitionEvent | ZeroTimeMove | null,
        ...(t.variant !== null ? { variant: t.variant } : {}),
      };
    case 'skipped':
      return {
        kind: 'skipped',
        at: t.at,
        node: t.to_node_id ?? '',
        dueAt: t.due_at ?? t.at,
        reason: t.reason as SkipReason,
      };
    case 'end':
      return {
        kind: 'end',
        at: t.at,
        status: t.status as 'completed' | 'stopped' | 'cancelled',
        reason: (t.reason || null) as StopReason | null,
      };
    case 'contact_update':
      // The changed fields are stored comma-separated in `reason` (0014).
      return { kind: 'contact_update', at: t.at, fields: (t.reason ?? '').split(',').filter(Boolean) };
    case 'deferred':
      return {
        kind: 'deferred',
        at: t.at,
        node: t.to_node_id ?? '',
        until: t.until_at,
        reason: t.reason as DeferReason,
      };
    default:
      return { kind: t.kind as 'pause' | 'resume' | 'cancel', at: t.at };
  }
}

/** A sent message row as its audit record: an SMS with its text and segments, or an email (threaded or not). */
function sendRecordOf(
  m: {
    id: string;
    node_id: string;
    subject: string;
    body: string;
    channel: string;
    in_reply_to: string | null;
    due_at: Date;
  },
  at: Date,
): Extract<AuditRecord, { kind: 'send' }> {
  const base = { kind: 'send' as const, at, node: m.node_id, message: m.id, dueAt: m.due_at };
  if (m.channel === 'sms')
    return { ...base, channel: 'sms', text: m.body, segments: smsSegments(m.body).segments };
  return { ...base, subject: m.subject, ...(m.in_reply_to !== null ? { inReplyTo: m.in_reply_to } : {}) };
}
