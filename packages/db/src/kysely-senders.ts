import type {
  NewSender,
  Sender,
  SenderChannel,
  SenderPatch,
  SenderRepository,
  SenderTransportName,
  SenderUsageMode,
} from '@campaign/core';
import { type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import type { Database, SendersTable } from './schema.ts';

type Db = Kysely<Database>;

const OPEN_STATUSES = ['pending', 'active', 'paused'];

/** core's SenderRepository on kysely (see its contract). */
export class KyselySenderRepository implements SenderRepository {
  private readonly db: Db;
  /**
   * The senders this transaction read, locked or wrote, as it last saw them: `get` answers from here (a
   * send's claim reads its sender for the hold, the message and the caps; one round trip, not three).
   */
  private readonly seen = new Map<string, Sender | null>();
  /** `db`: one transaction's handle (the memo above lives as long as it). */
  constructor(db: Db) {
    this.db = db;
  }

  private remember(senderId: string, sender: Sender | null): Sender | null {
    this.seen.set(senderId, sender);
    return sender;
  }

  async insert(sender: NewSender): Promise<Sender | null> {
    const row = await this.db
      .insertInto('senders')
      .values({
        id: sender.id,
        channel: sender.channel,
        from_address: sender.from,
        timezone: sender.timezone,
        daily_cap: sender.caps.daily,
        hourly_cap: sender.caps.hourly ?? null,
        min_gap: sender.caps.minGap ?? null,
        warmup_start: sender.warmup?.start ?? null,
        warmup_days: sender.warmup?.days ?? null,
        enabled: sender.enabled,
        transport: sender.transport,
        created_at: sender.createdAt,
        updated_at: sender.createdAt,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      this.seen.delete(sender.id);
      return null;
    }
    return this.remember(sender.id, toSender(row));
  }

  async get(senderId: string): Promise<Sender | null> {
    const seen = this.seen.get(senderId);
    if (seen !== undefined) return seen;
    const row = await this.db
      .selectFrom('senders')
      .selectAll()
      .where('id', '=', senderId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return this.remember(senderId, row ? toSender(row) : null);
  }

  async lock(senderId: string): Promise<Sender | null> {
    const row = await this.db
      .selectFrom('senders')
      .selectAll()
      .where('id', '=', senderId)
      .where('deleted_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    return this.remember(senderId, row ? toSender(row) : null);
  }

  async list(channel?: SenderChannel): Promise<Sender[]> {
    let query = this.db.selectFrom('senders').selectAll().where('deleted_at', 'is', null);
    if (channel) query = query.where('channel', '=', channel);
    const rows = await query.orderBy('id').execute();
    return rows.map(toSender);
  }

  async update(senderId: string, patch: SenderPatch, at: Date): Promise<Sender | null> {
    const set: Updateable<SendersTable> = { updated_at: at };
    if (patch.from !== undefined) set.from_address = patch.from;
    if (patch.timezone !== undefined) set.timezone = patch.timezone;
    if (patch.caps !== undefined) {
      set.daily_cap = patch.caps.daily;
      set.hourly_cap = patch.caps.hourly ?? null;
      set.min_gap = patch.caps.minGap ?? null;
    }
    if (patch.warmup !== undefined) {
      set.warmup_start = patch.warmup?.start ?? null;
      set.warmup_days = patch.warmup?.days ?? null;
    }
    if (patch.enabled !== undefined) set.enabled = patch.enabled;
    if (patch.transport !== undefined) set.transport = patch.transport;
    if (patch.pausedAt !== undefined) set.paused_at = patch.pausedAt;
    if (patch.pausedReason !== undefined) set.paused_reason = patch.pausedReason;
    if (patch.health !== undefined) set.health = patch.health === null ? null : JSON.stringify(patch.health);
    const row = await this.db
      .updateTable('senders')
      .set(set)
      .where('id', '=', senderId)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return this.remember(senderId, row ? toSender(row) : null);
  }

  async softDelete(senderId: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('senders')
      .set({ deleted_at: at, updated_at: at })
      .where('id', '=', senderId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    this.remember(senderId, null);
    return result.numUpdatedRows > 0n;
  }

  async activeCampaignCount(senderId: string): Promise<number> {
    const row = await this.db
      .selectFrom('contact_campaigns')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where((eb) => eb.or([eb('email_sender_id', '=', senderId), eb('sms_sender_id', '=', senderId)]))
      .where('status', 'in', OPEN_STATUSES)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countSends(senderId: string, from: Date, to: Date, mode: SenderUsageMode = 'live'): Promise<number> {
    const row = await this.db
      .selectFrom('outbound_messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('sender_id', '=', senderId)
      .where('status', 'in', statusesOf(mode))
      .where('claimed_at', '>=', from)
      .where('claimed_at', '<', to)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async lastSendAt(senderId: string, mode: SenderUsageMode = 'live'): Promise<Date | null> {
    const row = await this.db
      .selectFrom('outbound_messages')
      .select('claimed_at')
      .where('sender_id', '=', senderId)
      .where('status', 'in', statusesOf(mode))
      .where('claimed_at', 'is not', null)
      .orderBy('claimed_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.claimed_at ?? null;
  }

  async countDue(senderId: string, from: Date, to: Date): Promise<number> {
    const sender = await this.db
      .selectFrom('senders')
      .select('channel')
      .where('id', '=', senderId)
      .executeTakeFirst();
    if (!sender) return 0;
    const channel = sender.channel;
    const column = channel === 'sms' ? 'c.sms_sender_id' : 'c.email_sender_id';
    const row = await this.db
      .selectFrom('scheduled_actions as a')
      .innerJoin('contact_campaigns as c', (join) =>
        join.onRef('c.contact_id', '=', 'a.contact_id').onRef('c.id', '=', 'a.campaign_id'),
      )
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where(column, '=', senderId)
      .where('c.status', 'in', OPEN_STATUSES)
      .where('a.kind', '=', 'send')
      .where('a.status', '=', 'pending')
      .where('a.run_at', '>=', from)
      .where('a.run_at', '<', to)
      // The send node's channel, from the stored plan (a node without one is an email).
      .where(
        sql<boolean>`exists (select 1 from jsonb_array_elements(c.plan -> 'nodes') as n
          where n ->> 'id' = a.node_id and coalesce(n ->> 'channel', 'email') = ${channel})`,
      )
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  healthCounts(
    senderId: string,
    window: number,
  ): Promise<{ sent: number; complaints: number; hardBounces: number }> {
    return healthCountsOf(this.db, senderId, window);
  }
}

async function healthCountsOf(
  db: Db,
  senderId: string,
  window: number,
): Promise<{ sent: number; complaints: number; hardBounces: number }> {
  const result = await sql<{ sent: string; complaints: string; hard_bounces: string }>`
    with recent as (
      select m.id from outbound_messages m
      where m.sender_id = ${senderId} and m.status = 'sent'
      order by m.claimed_at desc nulls last, m.seq desc
      limit ${window}
    )
    select count(*) as sent,
      count(*) filter (where exists (select 1 from message_events e
        where e.message_id = r.id and e.type = 'complained')) as complaints,
      count(*) filter (where exists (select 1 from message_events e
        where e.message_id = r.id and e.type = 'bounced')) as hard_bounces
    from recent r`.execute(db);
  const row = result.rows[0];
  return {
    sent: Number(row?.sent ?? 0),
    complaints: Number(row?.complaints ?? 0),
    hardBounces: Number(row?.hard_bounces ?? 0),
  };
}

function statusesOf(mode: SenderUsageMode): string[] {
  return mode === 'shadow' ? ['shadow'] : ['sending', 'sent'];
}

export function toSender(row: Selectable<SendersTable>): Sender {
  return {
    id: row.id,
    channel: row.channel as SenderChannel,
    from: row.from_address,
    timezone: row.timezone,
    caps: {
      daily: row.daily_cap,
      ...(row.hourly_cap === null ? {} : { hourly: row.hourly_cap }),
      ...(row.min_gap === null ? {} : { minGap: row.min_gap }),
    },
    warmup:
      row.warmup_start === null || row.warmup_days === null
        ? null
        : { start: row.warmup_start, days: row.warmup_days },
    enabled: row.enabled,
    transport: row.transport as SenderTransportName,
    createdAt: row.created_at,
    pausedAt: row.paused_at,
    pausedReason: row.paused_reason,
    health: (row.health as Sender['health']) ?? null,
  };
}
