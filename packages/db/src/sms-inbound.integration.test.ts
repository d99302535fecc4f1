import { randomUUID } from 'node:crypto';
import {
  CampaignPlanExecutionService,
  type OutboundSms,
  type Plan,
  type SmsTransport,
  TransportError,
  type TransportResult,
} from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * Inbound SMS through the real service on Postgres (DESIGN section 10, issue 12 item 6): a reply is
 * matched by (contact's number, sender's number) to the latest SMS between them; STOP unsubscribes and
 * suppresses the number for SMS; START lifts it; a carrier opt-out on send (Twilio 21610) unsubscribes.
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');
const DEFAULT_NUMBER = '+15550001111';

const textPlan: Plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'text',
  nodes: [
    {
      id: 'text',
      action: 'send',
      channel: 'sms',
      text: 'Hi {{name}}',
      transitions: [
        { on: 'replied', to: 'thanks' },
        { on: 'no_reply', to: 'done', after: 'P1D' },
      ],
    },
    { id: 'thanks', action: 'end' },
    { id: 'done', action: 'end' },
  ],
};

/** An SMS transport that answers with Twilio-like sids, or refuses as the test says. */
class StubSmsTransport implements SmsTransport {
  readonly sent: OutboundSms[] = [];
  refuse: TransportError | null = null;
  private n = 0;

  async send(sms: OutboundSms): Promise<TransportResult> {
    this.sent.push(sms);
    if (this.refuse) throw this.refuse;
    this.n += 1;
    return { providerMessageId: `SM${randomUUID().replaceAll('-', '')}${this.n}` };
  }
}

describe('inbound SMS and carrier opt-outs', () => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  async function engine() {
    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    const sms = new StubSmsTransport();
    const service = new CampaignPlanExecutionService({
      store,
      scheduler,
      transport: new RecordingTransport(),
      smsTransport: sms,
      clock,
      maxSendAttempts: 3,
      retryBaseDelayMs: 1_000,
    });
    await scheduler.start(async (id) => {
      await service.executeAction(id);
    });
    const phone = `+49151${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const contact = { email: `${randomUUID()}@example.com`, name: 'Ada', phone };
    const inbound = (text: string, to = DEFAULT_NUMBER, from = phone) =>
      service.recordInboundSms({
        provider: 'twilio',
        providerEventId: `SM${randomUUID()}`,
        from,
        to,
        text,
        occurredAt: clock.now(),
      });
    const status = async (id: string) => (await service.getCampaign(id)).campaign.state;
    const smsSuppressed = async () =>
      (
        await database.db
          .selectFrom('contacts')
          .select('sms_suppressed_at')
          .where('phone', '=', phone)
          .executeTakeFirstOrThrow()
      ).sms_suppressed_at;
    return { clock, scheduler, sms, service, contact, phone, inbound, status, smsSuppressed };
  }

  it('a reply is matched to the latest SMS sent to that number and takes the replied transition', async () => {
    const { clock, scheduler, sms, service, contact, inbound, status } = await engine();
    const first = (await service.persistPlan({ contact, plan: textPlan })).campaign;
    await scheduler.runDue();
    clock.advance(60_000);
    const second = (await service.persistPlan({ contact, plan: textPlan })).campaign;
    await scheduler.runDue();
    expect(sms.sent.map((m) => m.campaignId)).toEqual([first.id, second.id]);

    clock.advance(60_000);
    // A reply ends the campaign by default (exitOn), before any replied transition.
    expect(await inbound('  Yes please ')).toMatchObject({ status: 'accepted', effect: 'exit' });
    const replied = await status(second.id);
    expect([replied.status, replied.stopReason]).toEqual(['stopped', 'replied']);
    // The older campaign's SMS is not the latest between the two numbers: it still waits.
    expect((await status(first.id)).currentNodeId).toBe('text');
    expect((await status(first.id)).status).toBe('active');
  });

  it('an inbound SMS from a number we never texted, or to another sender, matches nothing', async () => {
    const { scheduler, service, contact, inbound } = await engine();
    const campaign = (await service.persistPlan({ contact, plan: textPlan })).campaign;
    await scheduler.runDue();
    expect(await inbound('hello', DEFAULT_NUMBER, '+4915199999999')).toEqual({ status: 'unknown_message' });
    // Give the message a sender whose number is not the one texted back.
    await database.db
      .insertInto('senders')
      .values({
        id: `snd_${randomUUID()}`,
        channel: 'sms',
        from_address: '+15550002222',
        timezone: 'UTC',
        daily_cap: 100,
        transport: 'twilio',
        created_at: T0,
        updated_at: T0,
        // Out of the assignment of the other tests' campaigns (they go from the default number).
        enabled: false,
        deleted_at: T0,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
      .then(({ id }) =>
        database.db
          .updateTable('outbound_messages')
          .set({ sender_id: id })
          .where('campaign_id', '=', campaign.id)
          .execute(),
      );
    expect(await inbound('hello', '+15550003333')).toEqual({ status: 'unknown_message' });
    expect(await inbound('hello', '+15550002222')).toMatchObject({ status: 'accepted', effect: 'exit' });
  });

  it('STOP (any case, trimmed) unsubscribes, suppresses the number for SMS; START lifts it', async () => {
    const { scheduler, sms, service, contact, inbound, status, smsSuppressed } = await engine();
    const first = (await service.persistPlan({ contact, plan: textPlan })).campaign;
    await scheduler.runDue();

    expect(await inbound(' sToP\n')).toMatchObject({ status: 'accepted', effect: 'exit' });
    const stopped = await status(first.id);
    expect([stopped.status, stopped.stopReason]).toEqual(['stopped', 'unsubscribed']);
    expect(await smsSuppressed()).not.toBeNull();

    // A send to the suppressed number never reaches the transport.
    const held = (await service.persistPlan({ contact, plan: textPlan })).campaign;
    await scheduler.runDue();
    expect(sms.sent).toHaveLength(1);
    expect((await status(held.id)).status).toBe('stopped');

    expect(await inbound('unstop')).toEqual({ status: 'resubscribed', contacts: 1 });
    expect(await smsSuppressed()).toBeNull();
    const again = (await service.persistPlan({ contact, plan: textPlan })).campaign;
    await scheduler.runDue();
    expect(sms.sent.map((m) => m.campaignId)).toEqual([first.id, again.id]);
  });

  // Regression (issue 12): a STOP from a known contact's number that we never texted from that number
  // was answered unknown_message and left the number free to be texted.
  it('STOP from a known contact we never texted from that number still suppresses it for SMS', async () => {
    const { clock, scheduler, sms, service, contact, phone, inbound, status, smsSuppressed } = await engine();
    const later: Plan = {
      ...textPlan,
      nodes: textPlan.nodes.map((n) => (n.id === 'text' ? { ...n, schedule: { delay: 'P1D' } } : n)),
    };
    const campaign = (await service.persistPlan({ contact, plan: later })).campaign;
    await scheduler.runDue();
    expect(sms.sent).toHaveLength(0);

    expect(await inbound('STOP')).toEqual({ status: 'unsubscribed', contacts: 1 });
    expect(await smsSuppressed()).not.toBeNull();
    // The reason is the unsubscribe's, and a second STOP (to another number) answers the same.
    const row = await database.db
      .selectFrom('contacts')
      .select('sms_suppression_reason')
      .where('phone', '=', phone)
      .executeTakeFirstOrThrow();
    expect(row.sms_suppression_reason).toBe('unsubscribed');
    expect(await inbound(' stop ', '+15550003333')).toEqual({ status: 'unsubscribed', contacts: 1 });

    // The SMS due a day later never reaches the transport.
    await scheduler.advanceTo(new Date(clock.now().getTime() + 86_400_000 + 60_000));
    expect(sms.sent).toHaveLength(0);
    expect((await status(campaign.id)).status).toBe('stopped');

    // A STOP from a number no contact has changes nothing and is unknown.
    const stranger = '+4915100000001';
    expect(await inbound('STOP', DEFAULT_NUMBER, stranger)).toEqual({ status: 'unknown_message' });
    const strangers = await database.db
      .selectFrom('contacts')
      .select('id')
      .where('phone', '=', stranger)
      .execute();
    expect(strangers).toEqual([]);
  });

  it.each(['STOPALL', 'unsubscribe', 'Cancel', 'end', 'QUIT'])('%s is an opt-out keyword', async (word) => {
    const { scheduler, service, contact, inbound, smsSuppressed } = await engine();
    await service.persistPlan({ contact, plan: textPlan });
    await scheduler.runDue();
    expect(await inbound(word)).toMatchObject({ status: 'accepted', effect: 'exit' });
    expect(await smsSuppressed()).not.toBeNull();
  });

  it('"stop it" is a reply, not an opt-out', async () => {
    const { scheduler, service, contact, inbound, status, smsSuppressed } = await engine();
    const campaign = (await service.persistPlan({ contact, plan: textPlan })).campaign;
    await scheduler.runDue();
    expect((await status(campaign.id)).status).toBe('active');
    expect(await inbound('stop it')).toMatchObject({ status: 'accepted', effect: 'exit' });
    expect((await status(campaign.id)).stopReason).toBe('replied');
    expect(await smsSuppressed()).toBeNull();
  });

  it('the same inbound message delivered twice counts once', async () => {
    const { scheduler, service, contact, phone } = await engine();
    await service.persistPlan({ contact, plan: textPlan });
    await scheduler.runDue();
    const input = {
      provider: 'twilio',
      providerEventId: `SM${randomUUID()}`,
      from: phone,
      to: DEFAULT_NUMBER,
      text: 'yes',
      occurredAt: T0,
    };
    expect(await service.recordInboundSms(input)).toMatchObject({ status: 'accepted' });
    expect(await service.recordInboundSms(input)).toEqual({ status: 'duplicate' });
  });

  it('a carrier opt-out on send (recipient_opted_out) unsubscribes at once: no retry, number suppressed', async () => {
    const { clock, scheduler, sms, service, contact, status, smsSuppressed } = await engine();
    sms.refuse = new TransportError('recipient_opted_out', 'Twilio 400 (21610): unsubscribed recipient');
    const campaign = (await service.persistPlan({ contact, plan: textPlan })).campaign;
    await scheduler.runDue();
    const state = await status(campaign.id);
    expect([state.status, state.stopReason]).toEqual(['stopped', 'unsubscribed']);
    expect(await smsSuppressed()).not.toBeNull();
    const message = await database.db
      .selectFrom('outbound_messages')
      .select('status')
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirstOrThrow();
    expect(message.status).toBe('failed');
    // Past every backoff: the provider was asked once.
    await scheduler.advanceTo(new Date(clock.now().getTime() + 3_600_000));
    expect(sms.sent).toHaveLength(1);
  });

  it('another refusal (permanent or retryable) is not taken for an opt-out', async () => {
    const { scheduler, sms, service, contact, smsSuppressed } = await engine();
    sms.refuse = new TransportError('retryable', 'Twilio 429 (20429): Too Many Requests');
    await service.persistPlan({ contact, plan: textPlan });
    await scheduler.runDue();
    expect(await smsSuppressed()).toBeNull();
  });
});
