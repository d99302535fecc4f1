import type { CampaignMode, SenderLineReader, ThrottleUsageRepository } from '@campaign/core';
import type { Kysely } from 'kysely';
import { routedTo, type TransactionScope } from './routing.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

/** Messages that hold a slot: claimed or sent (a failed one gave it back, a shadow one never took one). */
const COUNTED = ['sending', 'sent'];

/** Shadow sends count against counters of their own: their `shadow` messages only. */
const counted = (mode: CampaignMode = 'live') => (mode === 'shadow' ? ['shadow'] : COUNTED);

/**
 * core's ThrottleUsageRepository on kysely (see its contract), and its SenderLineReader outside a transaction
 * (`KyselyCampaignReader.lines`): the line's reads are the same range of the pending sends' index.
 */
export class KyselyThrottleUsageRepository implements ThrottleUsageRepository, SenderLineReader {
  private readonly db: Db;
  /** The transaction's contact (`TransactionScope`): its statements by id name it (see `routedTo`). */
  private readonly scope: TransactionScope;
  constructor(db: Db, scope: TransactionScope = {}) {
    this.db = db;
    this.scope = scope;
  }

  async senderClaims(senderId: string, from: Date, to: Date, mode?: CampaignMode): Promise<Date[]> {
    const rows = await this.db
      .selectFrom('outbound_messages')
      .select('claimed_at')
      .where('sender_id', '=', senderId)
      .where('status', 'in', counted(mode))
      .where('claimed_at', '>=', from)
      .where('claimed_at', '<=', to)
      .orderBy('claimed_at')
      .execute();
    return rows.flatMap((r) => (r.claimed_at ? [r.claimed_at] : []));
  }

  async senderState(
    senderId: string,
    day: { start: Date; next: Date },
    action: { id: string; dueAt: Date },
    now: Date,
    mode: CampaignMode = 'live',
    paceClaims = 0,
    heldFrom?: Date,
  ): Promise<{ today: number; last: Date | null; ahead: number; paceFrom: Date | null }> {
    const messages = this.db
      .selectFrom('outbound_messages')
      .where('sender_id', '=', senderId)
      .where('status', 'in', counted(mode));
    const row = await this.db
      .selectNoFrom(() => [
        messages
          .select((m) => m.fn.countAll<string>().as('n'))
          .where('claimed_at', '>=', day.start)
          .where('claimed_at', '<', day.next)
          .as('today'),
        messages
          .select('claimed_at')
          .where('claimed_at', 'is not', null)
          .orderBy('claimed_at', 'desc')
          .limit(1)
          .as('last'),
        this.ahead(senderId, action, now, mode)
          .$if(heldFrom !== undefined, (q) => q.where('a.run_at', '>=', heldFrom as Date))
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .as('ahead'),
        messages
          .select('claimed_at')
          .where('claimed_at', 'is not', null)
          .orderBy('claimed_at', 'desc')
          .offset(paceClaims)
          .limit(1)
          .as('paceFrom'),
      ])
      .executeTakeFirstOrThrow();
    const instant = (v: unknown) => (v ? new Date(v as string | Date) : null);
    return {
      today: Number(row.today ?? 0),
      last: instant(row.last),
      ahead: Number(row.ahead ?? 0),
      paceFrom: paceClaims > 0 ? instant(row.paceFrom) : null,
    };
  }

  async sendsAhead(
    senderId: string,
    action: { id: string; dueAt: Date },
    now: Date,
    mode: CampaignMode,
  ): Promise<number> {
    const row = await this.ahead(senderId, action, now, mode)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async lineHead(
    senderId: string,
    action: { id: string; dueAt: Date },
    now: Date,
    mode: CampaignMode,
    limit: number,
  ): Promise<{ actionId: string; contactId: string; campaignId: string; runAt: Date }[]> {
    return this.firstOf(this.ahead(senderId, action, now, mode), limit);
  }

  async lineBehind(
    senderId: string,
    action: { id: string; dueAt: Date },
    now: Date,
    mode: CampaignMode,
    limit: number,
  ): Promise<{ actionId: string; contactId: string; campaignId: string; runAt: Date }[]> {
    const behind = this.line(senderId, now, mode)
      .where('a.due_at', '>=', action.dueAt)
      .where('a.id', '<>', action.id)
      .where((eb) =>
        eb.or([
          eb('a.due_at', '>', action.dueAt),
          eb.and([eb('a.due_at', '=', action.dueAt), eb('a.id', '>', action.id)]),
        ]),
      );
    return this.firstOf(behind, limit);
  }

  /** The first `limit` sends of a part of a line, in due order, each with its contact, campaign and `runAt`. */
  private async firstOf(sends: ReturnType<KyselyThrottleUsageRepository['line']>, limit: number) {
    const rows = await sends
      .select(['a.id', 'a.contact_id', 'a.campaign_id', 'a.run_at'])
      .orderBy('a.due_at')
      .orderBy('a.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      actionId: r.id,
      contactId: r.contact_id,
      campaignId: r.campaign_id,
      runAt: r.run_at,
    }));
  }

  async contactClaims(contactId: string, from: Date, to: Date, mode?: CampaignMode): Promise<Date[]> {
    const rows = await this.db
      .selectFrom('outbound_messages')
      .select('claimed_at')
      .where('contact_id', '=', contactId)
      .where('status', 'in', counted(mode))
      .where('claimed_at', '>', from)
      .where('claimed_at', '<=', to)
      .orderBy('claimed_at')
      .execute();
    return rows.flatMap((r) => (r.claimed_at ? [r.claimed_at] : []));
  }

  /**
   * The sends `senderState` counts as `ahead` (`lineHead` lists the first of them): the pending sends due
   * before the action (a range of the pending sends' index, `due_at` bounded by both `now` and the
   * action's), each joined to its campaign by the campaigns' key (contact_id, id): one probe of the
   * primary key, a join Citus runs on each shard.
   */
  private ahead(senderId: string, action: { id: string; dueAt: Date }, now: Date, mode: CampaignMode) {
    return this.line(senderId, now, mode)
      .where('a.due_at', '<=', action.dueAt)
      .where('a.id', '<>', action.id)
      .where((eb) =>
        eb.or([
          eb('a.due_at', '<', action.dueAt),
          eb.and([eb('a.due_at', '=', action.dueAt), eb('a.id', '<', action.id)]),
        ]),
      );
  }

  /** A sender's line: its pending sends due by `now` (a range of the pending sends' index), with their campaigns. */
  private line(senderId: string, now: Date, mode: CampaignMode) {
    return this.db
      .selectFrom('scheduled_actions as a')
      .innerJoin('contact_campaigns as c', (join) =>
        join.onRef('c.contact_id', '=', 'a.contact_id').onRef('c.id', '=', 'a.campaign_id'),
      )
      .where((eb) => eb.or([eb('c.email_sender_id', '=', senderId), eb('c.sms_sender_id', '=', senderId)]))
      .where('c.status', '=', 'active')
      .where('c.mode', '=', mode)
      .where('a.kind', '=', 'send')
      .where('a.status', '=', 'pending')
      .where('a.due_at', '<=', now);
  }

  async lastDeferralReason(campaignId: string, actionId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('campaign_transitions')
      .select('reason')
      .where('campaign_id', '=', campaignId)
      .$call(routedTo(this.scope.contactId))
      .where('action_id', '=', actionId)
      .where('kind', '=', 'deferred')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.reason ?? null;
  }
}
