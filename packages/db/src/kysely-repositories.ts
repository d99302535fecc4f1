import type {
  ActionOutcome,
  CampaignRecord,
  CampaignRepository,
  CampaignState,
  CampaignTransitionRepository,
  ContactInput,
  ContactRecord,
  ContactRepository,
  DecisionWrite,
  MessageEventRecord,
  MessageEventRepository,
  MessageRef,
  NewCampaign,
  NewMessageEvent,
  NewOutboundMessage,
  NewScheduledAction,
  NewSplitAssignment,
  NewTransition,
  OutboundMessageRecord,
  OutboundMessageRepository,
  Plan,
  ScheduledActionRecord,
  ScheduledActionRepository,
  SplitAssignmentRepository,
  StoredEventEffect,
} from '@campaign/core';
import { ENGAGEMENT_EVENTS, type EngagementEvent, planShape, type RecordedEvent } from '@campaign/core';
import { type Compilable, type Kysely, type OperationNodeSource, type Selectable, sql } from 'kysely';
import { contactIdsByDigest, recordAddresses } from './contact-addresses.ts';
import { emailDigest, phoneDigest } from './kysely-contact-admin.ts';
import { andContact, routedTo, type TransactionScope } from './routing.ts';
import { toAction, toCampaign, toContact, toEvent, toMessage } from './row-mappers.ts';
import type { Database, ScheduledActionsTable } from './schema.ts';

/*
 * Kysely implementations of core's repository ports. Each takes the executor of the transaction it
 * works in; every query it runs is backed by an index (see migrations/0001-initial.ts).
 */

type Db = Kysely<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot exist, and Postgres would reject it with an error instead of no row. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export class KyselyContactRepository implements ContactRepository {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async upsertAndLock(contact: ContactInput & { id: string; idGiven: boolean }): Promise<ContactRecord> {
    // The addresses it had, locked, so contact_addresses can move from them to the new ones; a contact
    // given without email or phone keeps them and writes no address.
    const givesAddress = contact.email !== undefined || contact.phone !== undefined;
    const before = givesAddress
      ? ((await this.db
          .selectFrom('contacts')
          .select(['email', 'phone'])
          .where('id', '=', contact.id)
          .forUpdate()
          .executeTakeFirst()) ?? null)
      : undefined;
    // INSERT .. ON CONFLICT DO UPDATE locks the row it returns until the transaction ends.
    const row = await this.db
      .insertInto('contacts')
      .values({
        id: contact.id,
        email: contact.email ?? null,
        phone: contact.phone ?? null,
        id_given: contact.idGiven,
        name: contact.name ?? null,
        timezone: contact.timezone ?? null,
        attributes: JSON.stringify(contact.attributes ?? {}),
        suppressed_at: null,
        suppression_reason: null,
      })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          email:
            contact.email === undefined ? (eb) => eb.ref('contacts.email') : (eb) => eb.ref('excluded.email'),
          phone:
            contact.phone === undefined ? (eb) => eb.ref('contacts.phone') : (eb) => eb.ref('excluded.phone'),
          id_given: sql`coalesce(contacts.id_given, excluded.id_given)`,
          name:
            contact.name === undefined ? (eb) => eb.ref('contacts.name') : (eb) => eb.ref('excluded.name'),
          timezone:
            contact.timezone === undefined
              ? (eb) => eb.ref('contacts.timezone')
              : (eb) => eb.ref('excluded.timezone'),
          attributes:
            contact.attributes === undefined
              ? (eb) => eb.ref('contacts.attributes')
              : (eb) => eb.ref('excluded.attributes'),
          updated_at: sql`now()`,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    if (before !== undefined) await recordAddresses(this.db, row.id, before, row);
    return toContact(row);
  }

  async lock(contactId: string): Promise<ContactRecord | null> {
    const row = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', contactId)
      .forUpdate()
      .executeTakeFirst();
    return row ? toContact(row) : null;
  }

  async get(contactId: string): Promise<ContactRecord | null> {
    const row = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', contactId)
      .executeTakeFirst();
    return row ? toContact(row) : null;
  }

  async emailSuppressed(email: string): Promise<string | null> {
    const ids = await contactIdsByDigest(this.db, emailDigest(email));
    if (ids.length === 0) return null;
    const row = await this.db
      .selectFrom('contacts')
      .select('suppression_reason')
      .where('id', 'in', ids)
      // An erased contact keeps only its suppressed address's digest (0014).
      .where((eb) =>
        eb.or([
          eb(sql`lower(email)`, '=', email.trim().toLowerCase()),
          eb('email_sha256', '=', emailDigest(email)),
        ]),
      )
      .where('suppressed_at', 'is not', null)
      .limit(1)
      .executeTakeFirst();
    return row ? (row.suppression_reason ?? 'suppressed') : null;
  }

  async suppressSms(contactId: string, reason: string, at: Date): Promise<void> {
    await this.db
      .updateTable('contacts')
      .set({ sms_suppressed_at: at, sms_suppression_reason: reason, updated_at: at })
      .where('id', '=', contactId)
      .where('sms_suppressed_at', 'is', null)
      .execute();
  }

  async phoneSuppressed(phone: string): Promise<string | null> {
    const ids = await contactIdsByDigest(this.db, phoneDigest(phone));
    if (ids.length === 0) return null;
    const row = await this.db
      .selectFrom('contacts')
      .select('sms_suppression_reason')
      .where('id', 'in', ids)
      .where((eb) => eb.or([eb('phone', '=', phone), eb('phone_sha256', '=', phoneDigest(phone))]))
      .where('sms_suppressed_at', 'is not', null)
      .limit(1)
      .executeTakeFirst();
    return row ? (row.sms_suppression_reason ?? 'suppressed') : null;
  }

  async unsuppressSms(phone: string, at: Date): Promise<number> {
    const ids = await contactIdsByDigest(this.db, phoneDigest(phone));
    if (ids.length === 0) return 0;
    const result = await this.db
      .updateTable('contacts')
      .set({ sms_suppressed_at: null, sms_suppression_reason: null, updated_at: at })
      .where('id', 'in', ids)
      .where('phone', '=', phone)
      .where('sms_suppressed_at', 'is not', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async suppressSmsByPhone(phone: string, reason: string, at: Date): Promise<number> {
    // The number's contacts through contact_addresses, then each by id.
    const ids = await contactIdsByDigest(this.db, phoneDigest(phone));
    if (ids.length === 0) return 0;
    await this.db
      .updateTable('contacts')
      .set({ sms_suppressed_at: at, sms_suppression_reason: reason, updated_at: at })
      .where('id', 'in', ids)
      .where('phone', '=', phone)
      .where('sms_suppressed_at', 'is', null)
      .execute();
    const { count } = await this.db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('id', 'in', ids)
      .where('phone', '=', phone)
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  async suppress(contactId: string, reason: string, at: Date): Promise<void> {
    await this.db
      .updateTable('contacts')
      .set({ suppressed_at: at, suppression_reason: reason, updated_at: at })
      .where('id', '=', contactId)
      .where('suppressed_at', 'is', null)
      .execute();
  }
}

export class KyselyCampaignRepository implements CampaignRepository {
  private readonly db: Db;
  /** The transaction's contact (`TransactionScope`): its statements by id name it (see `routedTo`). */
  private readonly scope: TransactionScope;
  constructor(db: Db, scope: TransactionScope = {}) {
    this.db = db;
    this.scope = scope;
  }

  async insert(campaign: NewCampaign): Promise<CampaignRecord> {
    const row = await this.db
      .insertInto('contact_campaigns')
      .values({
        contact_id: campaign.contactId,
        plan: JSON.stringify(campaign.plan),
        // The list's plan-shape filter and the shape analytics read it (0014).
        plan_shape: planShape(campaign.plan),
        timezone: campaign.timezone,
        idempotency_key: campaign.idempotencyKey,
        request_hash: campaign.requestHash,
        current_node_id: null,
        anchor_at: null,
        stop_reason: null,
        paused_at: null,
        created_at: campaign.createdAt,
        updated_at: campaign.createdAt,
        email_sender_id: campaign.senderIds?.email ?? null,
        sms_sender_id: campaign.senderIds?.sms ?? null,
        mode: campaign.mode ?? 'live',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCampaign(row, campaign.plan);
  }

  async findByIdempotencyKey(contactId: string, key: string): Promise<CampaignRecord | null> {
    const row = await this.db
      .selectFrom('contact_campaigns')
      .selectAll()
      .where('contact_id', '=', contactId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    return row ? toCampaign(row) : null;
  }

  async lock(campaignId: string): Promise<CampaignRecord | null> {
    if (!isUuid(campaignId)) return null;
    const row = await this.db
      .selectFrom('contact_campaigns')
      .selectAll()
      .where('id', '=', campaignId)
      .$call(routedTo(this.scope.contactId))
      .forUpdate()
      .executeTakeFirst();
    if (!row) return null;
    this.scope.contactId ??= row.contact_id;
    return toCampaign(row);
  }

  async openCampaignIds(contactId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('contact_campaigns')
      .select('id')
      .where('contact_id', '=', contactId)
      .where('status', 'in', ['pending', 'active', 'paused'])
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async saveState(campaignId: string, state: CampaignState, at: Date): Promise<void> {
    await this.db
      .updateTable('contact_campaigns')
      .set({
        status: state.status,
        current_node_id: state.currentNodeId,
        step_seq: state.step,
        anchor_at: state.anchorAt,
        stop_reason: state.stopReason,
        paused_at: state.pausedAt,
        updated_at: at,
      })
      .where('id', '=', campaignId)
      .$call(routedTo(this.scope.contactId))
      .execute();
  }

  async savePlan(campaignId: string, plan: Plan, planVersion: number, at: Date): Promise<void> {
    await this.db
      .updateTable('contact_campaigns')
      .set({
        plan: JSON.stringify(plan),
        plan_shape: planShape(plan),
        plan_version: planVersion,
        ...(plan.timezone ? { timezone: plan.timezone } : {}),
        updated_at: at,
      })
      .where('id', '=', campaignId)
      .$call(routedTo(this.scope.contactId))
      .execute();
  }

  /**
   * One statement: each write a data-modifying CTE of it (all see the same snapshot and none reads
   * another's rows, so their order does not matter; the transitions keep their row order in the
   * timeline sequence). A single write runs as it is.
   */
  async saveDecision(
    write: DecisionWrite,
  ): Promise<{ inserted: ScheduledActionRecord[]; cancelled: string[] }> {
    const { contactId, campaignId } = write;
    const writes: { name: string; query: Compilable & OperationNodeSource }[] = [];
    if (write.transitions.length > 0)
      writes.push({ name: 'transitions', query: insertTransitions(this.db, write.transitions) });
    if (write.state)
      writes.push({ name: 'state', query: saveStateQuery(this.db, contactId, campaignId, write.state) });
    if (write.eventEffect)
      writes.push({
        name: 'effect',
        query: this.db
          .updateTable('message_events')
          .set({ effect: write.eventEffect.effect })
          .where('contact_id', '=', contactId)
          .where('id', '=', write.eventEffect.eventId),
      });
    const actions = write.actions.length > 0 ? insertActions(this.db, write.actions) : null;
    const cancel = write.cancelPending ? cancelPendingQuery(this.db, contactId, campaignId) : null;
    const returning = [
      ...(actions ? [{ name: 'actions', query: actions }] : []),
      ...(cancel ? [{ name: 'cancelled', query: cancel }] : []),
    ];
    // One write alone runs as it is.
    const [only] = [...writes, ...returning];
    if (only && writes.length + returning.length === 1) {
      const { rows } = await this.db.executeQuery(only.query.compile());
      if (actions)
        return { inserted: (rows as Selectable<ScheduledActionsTable>[]).map(toAction), cancelled: [] };
      return { inserted: [], cancelled: cancel ? (rows as { id: string }[]).map((r) => r.id) : [] };
    }
    if (!only) return { inserted: [], cancelled: [] };
    const ctes = sql.join(
      [...writes, ...returning].map(({ name, query }) => sql`${sql.id(name)} as (${query})`),
    );
    // The inserted actions and the cancelled ids as one result: a cancelled id's row has no action.
    const result =
      actions && cancel
        ? sql`select a.*, null::uuid as cancelled_id from actions a
              union all select (null::scheduled_actions).*, c.id from cancelled c`
        : actions
          ? sql`select *, null::uuid as cancelled_id from actions`
          : cancel
            ? sql`select id as cancelled_id from cancelled`
            : sql`select null::uuid as cancelled_id`;
    const { rows } = await sql<
      Selectable<ScheduledActionsTable> & { cancelled_id: string | null }
    >`with ${ctes} ${result}`.execute(this.db);
    const inserted: ScheduledActionRecord[] = [];
    const cancelled: string[] = [];
    for (const { cancelled_id, ...row } of rows) {
      if (cancelled_id !== null) cancelled.push(cancelled_id);
      else if (actions) inserted.push(toAction(row));
    }
    return { inserted, cancelled };
  }
}

export class KyselyScheduledActionRepository implements ScheduledActionRepository {
  private readonly db: Db;
  /** The transaction's contact (`TransactionScope`): its statements by id name it (see `routedTo`). */
  private readonly scope: TransactionScope;
  constructor(db: Db, scope: TransactionScope = {}) {
    this.db = db;
    this.scope = scope;
  }

  async insertMany(actions: readonly NewScheduledAction[]): Promise<ScheduledActionRecord[]> {
    if (actions.length === 0) return [];
    return (await insertActions(this.db, actions).execute()).map(toAction);
  }

  async lock(actionId: string): Promise<ScheduledActionRecord | null> {
    const row = await this.db
      .selectFrom('scheduled_actions')
      .selectAll()
      .where('id', '=', actionId)
      .$call(routedTo(this.scope.contactId))
      .forUpdate()
      .executeTakeFirst();
    return row ? toAction(row) : null;
  }

  async cancelPending(campaignId: string, kind?: ScheduledActionRecord['kind']): Promise<string[]> {
    let query = this.db
      .updateTable('scheduled_actions')
      .set({ status: 'cancelled', updated_at: sql`now()` })
      .where('campaign_id', '=', campaignId)
      .$call(routedTo(this.scope.contactId))
      .where('status', '=', 'pending');
    if (kind) query = query.where('kind', '=', kind);
    const rows = await query.returning('id').execute();
    return rows.map((r) => r.id);
  }

  async listPending(campaignId: string): Promise<ScheduledActionRecord[]> {
    const rows = await this.db
      .selectFrom('scheduled_actions')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .$call(routedTo(this.scope.contactId))
      .where('status', '=', 'pending')
      .orderBy('run_at')
      .execute();
    return rows.map(toAction);
  }

  async reschedule(actionId: string, runAt: Date): Promise<void> {
    await this.db
      .updateTable('scheduled_actions')
      .set({ run_at: runAt, updated_at: sql`now()` })
      .where('id', '=', actionId)
      .$call(routedTo(this.scope.contactId))
      .where('status', '=', 'pending')
      .execute();
  }

  async pullForward(actionId: string, to: Date, laterThan: Date): Promise<boolean> {
    const moved = await this.db
      .updateTable('scheduled_actions')
      .set({ run_at: to, updated_at: sql`now()` })
      .where('id', '=', actionId)
      .$call(routedTo(this.scope.contactId))
      .where('status', '=', 'pending')
      .where('run_at', '>', laterThan)
      .returning('id')
      .executeTakeFirst();
    return moved !== undefined;
  }

  async claim(actionId: string, until: Date): Promise<void> {
    await this.db
      .updateTable('scheduled_actions')
      .set({
        status: 'running',
        claimed_until: until,
        attempts: sql`attempts + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', actionId)
      .$call(routedTo(this.scope.contactId))
      .execute();
  }

  async renewClaim(actionId: string, attempt: number, until: Date): Promise<void> {
    await this.db
      .updateTable('scheduled_actions')
      .set({ claimed_until: until, updated_at: sql`now()` })
      .where('id', '=', actionId)
      .$call(routedTo(this.scope.contactId))
      .where('status', '=', 'running')
      .where('attempts', '=', attempt)
      .execute();
  }

  async release(actionId: string, runAt: Date, error: string | null): Promise<void> {
    await this.db
      .updateTable('scheduled_actions')
      .set({
        status: 'pending',
        run_at: runAt,
        claimed_until: null,
        last_error: error,
        updated_at: sql`now()`,
      })
      .where('id', '=', actionId)
      .$call(routedTo(this.scope.contactId))
      .execute();
  }

  async retryClaimed(actionId: string, until: Date, error: string): Promise<void> {
    await this.db
      .updateTable('scheduled_actions')
      .set({
        claimed_until: until,
        last_error: error,
        updated_at: sql`now()`,
      })
      .where('id', '=', actionId)
      .$call(routedTo(this.scope.contactId))
      .where('status', '=', 'running')
      .execute();
  }

  async finish(
    actionId: string,
    status: 'done' | 'skipped' | 'failed',
    outcome: ActionOutcome,
    at: Date,
    error?: string,
  ): Promise<void> {
    await this.db
      .updateTable('scheduled_actions')
      .set({
        status,
        outcome,
        executed_at: at,
        executed_seq: sql`nextval('timeline_seq')`,
        // a running send counted its attempt when it was claimed
        attempts: sql`case when status = 'running' then attempts else attempts + 1 end`,
        claimed_until: null,
        last_error: error ?? null,
        updated_at: sql`now()`,
      })
      .where('id', '=', actionId)
      .$call(routedTo(this.scope.contactId))
      .execute();
  }
}

export class KyselyOutboundMessageRepository implements OutboundMessageRepository {
  private readonly db: Db;
  /** The transaction's contact (`TransactionScope`): its statements by id name it (see `routedTo`). */
  private readonly scope: TransactionScope;
  constructor(db: Db, scope: TransactionScope = {}) {
    this.db = db;
    this.scope = scope;
  }

  async claim(
    message: NewOutboundMessage,
    options: { takeOver?: boolean } = {},
  ): Promise<OutboundMessageRecord | null> {
    const reclaimable = options.takeOver ? ['failed', 'sending'] : ['failed'];
    const row = await this.db
      .insertInto('outbound_messages')
      .values({
        id: message.id,
        contact_id: message.contactId,
        campaign_id: message.campaignId,
        action_id: message.actionId,
        node_id: message.nodeId,
        step: message.step,
        dedupe_key: message.dedupeKey,
        to_email: message.toEmail,
        subject: message.subject,
        body: message.body,
        status: message.shadowAt ? 'shadow' : 'sending',
        provider_message_id: null,
        last_error: null,
        sent_at: message.shadowAt ?? null,
        channel: message.channel ?? 'email',
        in_reply_to: message.inReplyTo ?? null,
        references_header: message.references ?? null,
        message_id_header: message.messageIdHeader ?? null,
        sender_id: message.senderId ?? null,
        claimed_at: message.claimedAt ?? null,
      })
      .onConflict((oc) =>
        oc
          .columns(['contact_id', 'dedupe_key'])
          .doUpdateSet({
            status: (eb) => eb.ref('excluded.status'),
            sent_at: (eb) => eb.ref('excluded.sent_at'),
            subject: (eb) => eb.ref('excluded.subject'),
            body: (eb) => eb.ref('excluded.body'),
            in_reply_to: (eb) => eb.ref('excluded.in_reply_to'),
            references_header: (eb) => eb.ref('excluded.references_header'),
            message_id_header: (eb) => eb.ref('excluded.message_id_header'),
            sender_id: (eb) => eb.ref('excluded.sender_id'),
            claimed_at: (eb) => eb.ref('excluded.claimed_at'),
            last_error: null,
            seq: sql<string>`nextval('timeline_seq')`,
          })
          .where('outbound_messages.status', 'in', reclaimable),
      )
      .returningAll()
      .executeTakeFirst();
    return row ? toMessage(row) : null;
  }

  async get(messageId: string): Promise<OutboundMessageRecord | null> {
    const row = await this.db
      .selectFrom('outbound_messages')
      .selectAll()
      .where('id', '=', messageId)
      .$call(routedTo(this.scope.contactId))
      .executeTakeFirst();
    return row ? toMessage(row) : null;
  }

  async lock(messageId: string): Promise<OutboundMessageRecord | null> {
    const row = await this.db
      .selectFrom('outbound_messages')
      .selectAll()
      .where('id', '=', messageId)
      .$call(routedTo(this.scope.contactId))
      .forUpdate()
      .executeTakeFirst();
    return row ? toMessage(row) : null;
  }

  async markSent(messageId: string, sentAt: Date, providerMessageId: string | null): Promise<boolean> {
    const updated = await this.db
      .updateTable('outbound_messages')
      .set({
        status: 'sent',
        sent_at: sentAt,
        provider_message_id: providerMessageId,
        last_error: null,
        // the send takes its timeline position when it happened, not when it was claimed
        seq: sql<string>`nextval('timeline_seq')`,
      })
      .where('id', '=', messageId)
      .$call(routedTo(this.scope.contactId))
      .where('status', 'in', ['sending', 'failed'])
      .returning('contact_id')
      .executeTakeFirst();
    if (updated === undefined) return false;
    // A webhook that does not echo our id finds the message by the provider's through provider_refs (0018).
    if (providerMessageId !== null) {
      await this.db
        .insertInto('provider_refs')
        .values({ provider_id: providerMessageId, contact_id: updated.contact_id, message_id: messageId })
        .onConflict((oc) => oc.columns(['provider_id', 'message_id']).doNothing())
        .execute();
    }
    return true;
  }

  async markFailed(messageId: string, error: string): Promise<void> {
    await this.db
      .updateTable('outbound_messages')
      .set({ status: 'failed', last_error: error })
      .where('id', '=', messageId)
      .$call(routedTo(this.scope.contactId))
      .where('status', 'not in', ['sent', 'shadow'])
      .execute();
  }

  async latestSentEmail(campaignId: string): Promise<OutboundMessageRecord | null> {
    // On outbound_messages_latest_idx (campaign_id, seq desc where sent); SMS rows are passed over. A
    // campaign's messages are all sent or all shadow (its mode is fixed), so a shadow campaign's are read
    // only when it has no sent one, on the shadow twin of the index (0010).
    const latest = (status: 'sent' | 'shadow') =>
      this.db
        .selectFrom('outbound_messages')
        .selectAll()
        .where('campaign_id', '=', campaignId)
        .$call(routedTo(this.scope.contactId))
        .where('status', '=', status)
        .where('channel', '=', 'email')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
    const row = (await latest('sent')) ?? (await latest('shadow'));
    return row ? toMessage(row) : null;
  }

  async latestSmsBetween(phone: string, senderNumber: string): Promise<OutboundMessageRecord | null> {
    // The number's contacts through contact_addresses (0018), then their messages; a message with no
    // sender went from the default number, which only the transport knows, so it answers whichever it is.
    const ids = await contactIdsByDigest(this.db, phoneDigest(phone));
    if (ids.length === 0) return null;
    const row = await this.db
      .selectFrom('outbound_messages as m')
      .innerJoin('contacts as c', 'c.id', 'm.contact_id')
      .leftJoin('senders as s', 's.id', 'm.sender_id')
      .selectAll('m')
      .where('m.contact_id', 'in', ids)
      .where('c.phone', '=', phone)
      .where('m.channel', '=', 'sms')
      .where('m.status', '=', 'sent')
      .where((eb) => eb.or([eb('m.sender_id', 'is', null), eb('s.from_address', '=', senderNumber)]))
      .orderBy('m.sent_at', 'desc')
      .orderBy('m.seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toMessage(row) : null;
  }

  async latestSentWithDecisiveEvents(
    campaignId: string,
  ): Promise<{ message: MessageRef; events: RecordedEvent[] } | null> {
    // One round trip, bounded however many events the message has: the latest sent message and, per
    // engagement type, one probe of message_events_decisive_idx for its earliest genuine event. No
    // payloads. The genuineness test is the engine's isGenuine, and the index's predicate (0004).
    const types = sql.join(ENGAGEMENT_EVENTS.map((type) => sql`(${type})`));
    const { rows } = await sql<DecisiveRow>`
      select m.id as m_id, m.node_id as m_node_id, m.step as m_step, m.sent_at as m_sent_at,
             e.id, e.type, e.occurred_at, e.machine, e.bot, e.auto_reply
      from (
        -- a shadow message stands for a sent one (shadow mode); each status on its partial index
        select id, node_id, step, sent_at from (
          (select id, node_id, step, sent_at, seq from outbound_messages
           where campaign_id = ${campaignId} ${andContact(this.scope.contactId)} and status = 'sent'
           order by seq desc limit 1)
          union all
          (select id, node_id, step, sent_at, seq from outbound_messages
           where campaign_id = ${campaignId} ${andContact(this.scope.contactId)} and status = 'shadow'
           order by seq desc limit 1)
        ) latest
        order by seq desc limit 1
      ) m
      left join lateral (
        select f.* from (values ${types}) as t (type)
        cross join lateral (
          select id, type, occurred_at, seq, machine, bot, auto_reply from message_events
          where message_id = m.id ${andContact(this.scope.contactId)} and type = t.type and ${GENUINE_EVENT}
          order by occurred_at, seq
          limit 1
        ) f
      ) e on true
      order by e.occurred_at, e.seq`.execute(this.db);
    const first = rows[0];
    if (!first?.m_sent_at) return null;
    const message: MessageRef = {
      id: first.m_id,
      nodeId: first.m_node_id,
      step: first.m_step,
      sentAt: first.m_sent_at,
    };
    const events = rows.flatMap((row): RecordedEvent[] =>
      row.id === null
        ? []
        : [
            {
              id: row.id,
              messageId: message.id,
              type: row.type,
              occurredAt: row.occurred_at,
              machine: row.machine,
              bot: row.bot,
              autoReply: row.auto_reply,
            },
          ],
    );
    return { message, events };
  }
}

/**
 * A genuine engagement (the engine's `isGenuine`): not a machine open, a bot click or an auto-reply, and
 * not an event type the engine does not know. Written exactly as message_events_decisive_idx's predicate
 * (migration 0004), so the planner can use that index.
 */
export const GENUINE_EVENT = sql<boolean>`type <> 'unknown' and not (type = 'opened' and (machine or bot))
            and not (type = 'clicked' and bot) and not (type = 'replied' and auto_reply)`;

type DecisiveRow = {
  m_id: string;
  m_node_id: string;
  m_step: number;
  m_sent_at: Date | null;
} & (
  | { id: null }
  | {
      id: string;
      type: EngagementEvent;
      occurred_at: Date;
      machine: boolean;
      bot: boolean;
      auto_reply: boolean;
    }
);

export class KyselyMessageEventRepository implements MessageEventRepository {
  private readonly db: Db;
  /** The transaction's contact (`TransactionScope`): its statements by id name it (see `routedTo`). */
  private readonly scope: TransactionScope;
  constructor(db: Db, scope: TransactionScope = {}) {
    this.db = db;
    this.scope = scope;
  }

  async insert(event: NewMessageEvent): Promise<MessageEventRecord | null> {
    const row = await this.db
      .insertInto('message_events')
      .values({
        contact_id: event.contactId,
        campaign_id: event.campaignId,
        message_id: event.messageId,
        provider: event.provider,
        provider_event_id: event.providerEventId,
        type: event.type,
        raw_type: event.rawType,
        occurred_at: event.occurredAt,
        machine: event.machine,
        bot: event.bot,
        auto_reply: event.autoReply,
        inbound_kind: event.inbound?.kind ?? null,
        decided_by: event.inbound?.decidedBy ?? null,
        effect: null,
        payload: event.payload === undefined || event.payload === null ? null : JSON.stringify(event.payload),
      })
      .onConflict((oc) => oc.columns(['contact_id', 'provider', 'provider_event_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    return row ? toEvent(row) : null;
  }

  async get(eventId: string): Promise<MessageEventRecord | null> {
    const row = await this.db
      .selectFrom('message_events')
      .selectAll()
      .where('id', '=', eventId)
      .$call(routedTo(this.scope.contactId))
      .executeTakeFirst();
    return row ? toEvent(row) : null;
  }

  async deferred(campaignId: string): Promise<MessageEventRecord[]> {
    const rows = await this.db
      .selectFrom('message_events')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .$call(routedTo(this.scope.contactId))
      .where('effect', '=', 'deferred')
      .where('type', '!=', 'unknown')
      .orderBy('occurred_at')
      .orderBy('seq')
      .execute();
    return rows.map(toEvent);
  }

  async engagements(campaignId: string): Promise<{ type: EngagementEvent; nodeId: string }[]> {
    // Through message_events_campaign_idx; distinct pairs, so at most three rows per send node. Opens and
    // clicks exist for email only (DESIGN section 10): one reported for an SMS is not engagement.
    const { rows } = await sql<{ type: EngagementEvent; node_id: string }>`
      select distinct e.type, m.node_id
      from message_events e
      join outbound_messages m on m.contact_id = e.contact_id and m.id = e.message_id
      where e.campaign_id = ${campaignId} ${andContact(this.scope.contactId, 'e.')}
        and e.type in ('opened', 'clicked', 'replied') and ${GENUINE_EVENT}
        and (e.type = 'replied' or m.channel = 'email')
      order by m.node_id, e.type`.execute(this.db);
    return rows.map((r) => ({ type: r.type, nodeId: r.node_id }));
  }

  async setEffect(eventIds: readonly string[], effect: StoredEventEffect): Promise<void> {
    if (eventIds.length === 0) return;
    await this.db
      .updateTable('message_events')
      .set({ effect })
      .where('id', 'in', [...eventIds])
      .$call(routedTo(this.scope.contactId))
      .execute();
  }
}

export class KyselyCampaignTransitionRepository implements CampaignTransitionRepository {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async insertMany(rows: readonly NewTransition[]): Promise<void> {
    if (rows.length === 0) return;
    await insertTransitions(this.db, rows).execute();
  }
}

export class KyselySplitAssignmentRepository implements SplitAssignmentRepository {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async insert(a: NewSplitAssignment): Promise<void> {
    await this.db
      .insertInto('split_assignments')
      .values({
        contact_id: a.contactId,
        campaign_id: a.campaignId,
        node_id: a.nodeId,
        experiment: a.experiment,
        variant: a.variant,
        assigned_at: a.assignedAt,
        plan_version: a.planVersion,
      })
      // A re-entry of the node assigns the same variant (nothing to store), unless a new plan version
      // changed its experiment or weights: the row then says what the contact was assigned last.
      .onConflict((oc) =>
        oc
          .columns(['contact_id', 'campaign_id', 'node_id'])
          .doUpdateSet((eb) => ({
            experiment: eb.ref('excluded.experiment'),
            variant: eb.ref('excluded.variant'),
            assigned_at: eb.ref('excluded.assigned_at'),
            plan_version: eb.ref('excluded.plan_version'),
          }))
          .where(
            sql<boolean>`(split_assignments.experiment, split_assignments.variant) is distinct from (excluded.experiment, excluded.variant)`,
          ),
      )
      .execute();
  }
}

/** The insert of `actions`, each once per idempotency key (one already stored is left and not returned). */
function insertActions(db: Db, actions: readonly NewScheduledAction[]) {
  return db
    .insertInto('scheduled_actions')
    .values(
      actions.map(({ contactId, campaignId, action, idempotencyKey }) => ({
        contact_id: contactId,
        campaign_id: campaignId,
        kind: action.kind,
        node_id: action.nodeId,
        step: action.step,
        event: action.kind === 'timeout' ? action.event : null,
        transition_index: action.kind === 'timeout' ? action.transitionIndex : null,
        due_at: action.dueAt,
        run_at: action.runAt,
        expires_at: action.kind === 'send' ? (action.expiresAt ?? null) : null,
        outcome: null,
        last_error: null,
        idempotency_key: idempotencyKey,
        executed_at: null,
      })),
    )
    .onConflict((oc) => oc.columns(['contact_id', 'idempotency_key']).doNothing())
    .returningAll();
}

/** The insert of transition rows, in the given (timeline) order. */
function insertTransitions(db: Db, rows: readonly NewTransition[]) {
  return db.insertInto('campaign_transitions').values(
    rows.map((r) => ({
      contact_id: r.contactId,
      campaign_id: r.campaignId,
      kind: r.kind,
      at: r.at,
      step: r.step,
      from_node_id: r.fromNodeId,
      to_node_id: r.toNodeId,
      on_event: r.on,
      trigger: r.trigger,
      event_id: r.eventId,
      action_id: r.actionId,
      status: r.status,
      // contact_update rows keep their changed fields in `reason` (0014), comma-separated.
      reason: r.kind === 'contact_update' ? (r.fields ?? []).join(',') : r.reason,
      until_at: r.untilAt,
      variant: r.variant ?? null,
      due_at: r.dueAt ?? null,
      plan_version: r.planVersion,
    })),
  );
}

/** A campaign's new state (see CampaignRepository.saveState), routed by its contact. */
function saveStateQuery(
  db: Db,
  contactId: string,
  campaignId: string,
  write: { state: CampaignState; at: Date },
) {
  const { state, at } = write;
  return db
    .updateTable('contact_campaigns')
    .set({
      status: state.status,
      current_node_id: state.currentNodeId,
      step_seq: state.step,
      anchor_at: state.anchorAt,
      stop_reason: state.stopReason,
      paused_at: state.pausedAt,
      updated_at: at,
    })
    .where('contact_id', '=', contactId)
    .where('id', '=', campaignId);
}

/** Cancels the campaign's pending actions, returning their ids. */
function cancelPendingQuery(db: Db, contactId: string, campaignId: string) {
  return db
    .updateTable('scheduled_actions')
    .set({ status: 'cancelled', updated_at: sql`now()` })
    .where('contact_id', '=', contactId)
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'pending')
    .returning('id');
}
