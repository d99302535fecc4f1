import { randomUUID } from 'node:crypto';
import {
  CampaignPlanExecutionService,
  type InboundMessageInput,
  type Plan,
  type TimelineEntry,
} from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * Inbound mail through the real service on Postgres (DESIGN section 14, issue 13): a message is matched
 * by the Message-IDs it refers to, else by the address pair, and recorded once by its own Message-ID
 * whatever way it came in; a genuine reply and a 5.x.x DSN stop the campaign, an out-of-office and a
 * 4.x.x DSN do not; nothing matched goes to inbound_unmatched, counted once, and creates no contact.
 * The parsed messages are written by hand in @campaign/inbound's shape (the parser is tested there).
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');
const MAIL_FROM = 'Acme Outreach <outreach@acme.example>';
const HOUR = 3_600_000;

const plan: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hello {{name}}',
      body: '<p>Hi</p>',
      transitions: [{ on: 'no_reply', to: 'nudge', after: 'P3D' }],
    },
    { id: 'nudge', action: 'send', subject: 'Following up', body: '<p>Again</p>', transitions: [] },
  ],
} as Plan;

function reply(overrides: Partial<InboundMessageInput> = {}): InboundMessageInput {
  return {
    messageId: `${randomUUID()}@mail.client.example`,
    from: null,
    to: ['outreach@acme.example'],
    subject: 'Re: Hello Ada',
    date: null,
    refersTo: [],
    originalRecipient: null,
    classification: { kind: 'reply', event: 'replied', autoReply: false, decidedBy: 'no automatic marker' },
    ...overrides,
  };
}

describe.each(['postgres', 'pglite'] as const)('inbound mail intake on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  async function engine(options: { sender?: boolean } = {}) {
    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    const transport = new RecordingTransport();
    const unmatched: string[] = [];
    const service = new CampaignPlanExecutionService({
      ...{ store, scheduler, transport, clock, mailFrom: MAIL_FROM },
      observer: { inboundUnmatched: (source) => unmatched.push(source) },
    });
    await scheduler.start(async (id) => {
      await service.executeAction(id);
    });
    const email = `ada.${randomUUID()}@prospect.example`;
    const senderId = `snd_${randomUUID().slice(0, 8)}`;
    if (options.sender) {
      // A sender's `from` with a display name: its bare address is what a reply is sent to.
      await service.senders.create({
        id: senderId,
        channel: 'email',
        from: `Bea Sales <Bea.${senderId}@Sales.Example>`,
        timezone: 'UTC',
        caps: { daily: 100 },
      });
    }
    const { campaign } = await service.persistPlan({
      contact: { email, name: 'Ada' },
      plan,
      ...(options.sender ? { senderIds: { email: senderId } } : {}),
    });
    await scheduler.runDue();
    const sent = transport.sent[0];
    if (!sent) throw new Error('the intro was not sent');
    clock.advance(HOUR);
    const state = async () => (await service.getCampaign(campaign.id)).campaign.state;
    const events = async () =>
      (await service.getCampaign(campaign.id)).timeline.filter((e) => e.kind === 'event');
    const eventRows = () =>
      database.db
        .selectFrom('message_events')
        .select(['type', 'auto_reply', 'provider', 'provider_event_id', 'inbound_kind', 'decided_by'])
        .where('campaign_id', '=', campaign.id)
        .execute();
    return {
      clock,
      scheduler,
      transport,
      service,
      email,
      campaign,
      sent,
      state,
      events,
      eventRows,
      unmatched,
      senderId,
    };
  }

  it('a genuine reply by In-Reply-To stops the campaign; the same reply by another way in counts once', async () => {
    const { service, email, sent, state, events, eventRows, clock } = await engine();
    const ours = sent.messageIdHeader.slice(1, -1);
    const parsed = reply({ from: email, refersTo: [ours], date: new Date(clock.now().getTime() - 60_000) });
    expect(await service.recordInbound(parsed, 'sendgrid')).toMatchObject({
      status: 'accepted',
      effect: 'exit',
    });
    expect(await service.recordInbound(parsed, 'imap')).toEqual({ status: 'duplicate' });
    expect([(await state()).status, (await state()).stopReason]).toEqual(['stopped', 'replied']);
    const rows = await eventRows();
    expect(rows).toEqual([
      {
        type: 'replied',
        auto_reply: false,
        provider: 'inbound',
        provider_event_id: parsed.messageId,
        inbound_kind: 'reply',
        decided_by: 'no automatic marker',
      },
    ]);
    const [entry] = await events();
    // The reply's own Date (a minute before it came in) is when it happened.
    expect(entry).toEqual({
      at: '2026-03-02T10:59:00.000Z',
      kind: 'event',
      type: 'replied',
      message: sent.messageId,
      id: parsed.messageId,
      effect: 'exit',
      inbound: { kind: 'reply', decidedBy: 'no automatic marker' },
    } satisfies TimelineEntry);
  });

  it('a reply with no references is matched by the address pair (contact, MAIL_FROM), case-insensitively', async () => {
    const { service, email, state } = await engine();
    const parsed = reply({
      from: email.toUpperCase(),
      to: ['someone@else.example', 'Outreach@Acme.Example'],
    });
    expect(await service.recordInbound(parsed, 'mime')).toMatchObject({ status: 'accepted', effect: 'exit' });
    expect((await state()).stopReason).toBe('replied');
  });

  it("with a sender, the pair is (contact, the sender's bare address); MAIL_FROM's address no longer matches", async () => {
    const { service, email, state, senderId } = await engine({ sender: true });
    const toDefault = reply({ from: email, to: ['outreach@acme.example'] });
    expect(await service.recordInbound(toDefault, 'mime')).toEqual({ status: 'unmatched', duplicate: false });
    const toSender = reply({ from: email, to: [`bea.${senderId}@sales.example`.toLowerCase()] });
    expect(await service.recordInbound(toSender, 'mime')).toMatchObject({
      status: 'accepted',
      effect: 'exit',
    });
    expect((await state()).stopReason).toBe('replied');
    // Enabled, it would be assigned to the later tests' campaigns (least-loaded sender), not MAIL_FROM.
    await service.senders.delete(senderId);
  });

  it('a reply to an address that is none of ours is unmatched even from the contact', async () => {
    const { service, email, state, unmatched } = await engine();
    const parsed = reply({ from: email, to: ['someone@else.example'] });
    expect(await service.recordInbound(parsed, 'mime')).toEqual({ status: 'unmatched', duplicate: false });
    expect((await state()).status).toBe('active');
    expect(unmatched).toEqual(['mime']);
  });

  it('a Message-ID rewritten by the provider (SES: <provider id@region.amazonses.com>) still matches', async () => {
    const { service, sent, state } = await engine();
    // RecordingTransport answers provider-<our id>: the id an SES-like provider would put in its Message-ID.
    const parsed = reply({
      from: 'forwarded@elsewhere.example',
      refersTo: [`provider-${sent.messageId}@eu-west-1.amazonses.com`],
    });
    expect(await service.recordInbound(parsed, 'postmark')).toMatchObject({ status: 'accepted' });
    expect((await state()).stopReason).toBe('replied');
  });

  it('an out-of-office is recorded as an auto-reply, does not stop the campaign, and no_reply still fires', async () => {
    const { service, email, sent, state, events, eventRows, clock, scheduler, transport } = await engine();
    const ooo = reply({
      from: email,
      subject: 'Out of office',
      refersTo: [sent.messageIdHeader.slice(1, -1)],
      classification: {
        kind: 'auto_reply',
        event: 'replied',
        autoReply: true,
        decidedBy: 'Auto-Submitted: auto-replied',
      },
    });
    expect(await service.recordInbound(ooo, 'mailgun')).toMatchObject({
      status: 'accepted',
      effect: 'ignored',
    });
    expect((await state()).status).toBe('active');
    expect((await eventRows()).map((r) => [r.type, r.auto_reply, r.inbound_kind])).toEqual([
      ['replied', true, 'auto_reply'],
    ]);
    expect((await events())[0]).toMatchObject({
      effect: 'ignored',
      inbound: { kind: 'auto_reply', decidedBy: 'Auto-Submitted: auto-replied' },
    });
    // The intro went at T0; no_reply is due 3 days later.
    clock.set(new Date(T0.getTime() + 3 * 24 * HOUR));
    await scheduler.runDue();
    expect((await state()).currentNodeId).toBe('nudge');
    expect(transport.sent.map((m) => m.subject)).toEqual(['Hello Ada', 'Following up']);
  });

  it('a 5.1.1 DSN stops the campaign as bounced; a 4.x.x one is stored and changes nothing', async () => {
    const soft = await engine();
    const dsn = (e: typeof soft, status: string, kind: 'hard_bounce' | 'soft_bounce') =>
      reply({
        from: 'mailer-daemon@mx.prospect.example',
        subject: 'Delivery Status Notification (Failure)',
        refersTo: [e.sent.messageIdHeader.slice(1, -1)],
        originalRecipient: e.email,
        classification: {
          kind,
          event: kind === 'hard_bounce' ? 'bounced' : null,
          autoReply: false,
          decidedBy: `report-type=delivery-status; status ${status}`,
          status,
        },
      });
    expect(await soft.service.recordInbound(dsn(soft, '4.2.2', 'soft_bounce'), 'imap')).toMatchObject({
      status: 'accepted',
      effect: 'ignored',
    });
    expect((await soft.state()).status).toBe('active');
    expect((await soft.eventRows()).map((r) => [r.type, r.inbound_kind])).toEqual([
      ['unknown', 'soft_bounce'],
    ]);

    const hard = await engine();
    // Matched by the DSN's original recipient and the address it came back to when it names no Message-ID.
    const byPair = { ...dsn(hard, '5.1.1', 'hard_bounce'), refersTo: [] };
    expect(await hard.service.recordInbound(byPair, 'imap')).toMatchObject({
      status: 'accepted',
      effect: 'exit',
    });
    expect([(await hard.state()).status, (await hard.state()).stopReason]).toEqual(['stopped', 'bounced']);
    expect((await hard.events())[0]).toMatchObject({
      type: 'bounced',
      inbound: { kind: 'hard_bounce', decidedBy: 'report-type=delivery-status; status 5.1.1' },
    });
  });

  it('an unmatched message is kept once, counted once, listed newest first in bounded pages, and creates no contact', async () => {
    const { service, unmatched } = await engine();
    const contactsBefore = await countContacts(database);
    const stranger = `${randomUUID()}@stranger.example`;
    const first = reply({ from: stranger, refersTo: [`<${randomUUID()}@not-ours.example>`.slice(1, -1)] });
    const second = reply({ from: stranger });
    expect(await service.recordInbound(first, 'sendgrid')).toEqual({ status: 'unmatched', duplicate: false });
    expect(await service.recordInbound(first, 'imap')).toEqual({ status: 'unmatched', duplicate: true });
    expect(await service.recordInbound(second, 'mime')).toEqual({ status: 'unmatched', duplicate: false });
    expect(unmatched).toEqual(['sendgrid', 'mime']);
    expect(await countContacts(database)).toBe(contactsBefore);

    const page1 = await service.inbound.unmatched({ limit: 1 });
    expect(page1.items.map((i) => i.messageId)).toEqual([second.messageId]);
    expect(page1.next).not.toBeNull();
    const page2 = await service.inbound.unmatched({ limit: 1, cursor: page1.next ?? undefined });
    expect(page2.items.map((i) => [i.messageId, i.source, i.from, i.kind])).toEqual([
      [first.messageId, 'sendgrid', stranger, 'reply'],
    ]);
    await expect(service.inbound.unmatched({ limit: 201 })).rejects.toMatchObject({ code: 'invalid_limit' });
    await expect(service.inbound.unmatched({ cursor: 'x' })).rejects.toMatchObject({
      code: 'invalid_cursor',
    });
  });

  it('a reply dated before the send by more than the tolerance is taken at its arrival, not lost', async () => {
    const { service, email, events, clock } = await engine();
    const parsed = reply({ from: email, date: new Date('2020-01-01T00:00:00.000Z') });
    expect(await service.recordInbound(parsed, 'mime')).toMatchObject({ status: 'accepted' });
    expect((await events())[0]?.at).toBe(clock.now().toISOString());
  });
});

async function countContacts(database: TestDatabase): Promise<number> {
  const row = await database.db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
