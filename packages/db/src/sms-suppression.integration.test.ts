import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService, ContactSuppressedError, type Plan } from '@campaign/core';
import {
  InMemoryScheduler,
  ManualClock,
  RecordingSmsTransport,
  RecordingTransport,
} from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * Suppression per channel (DESIGN section 10): an SMS unsubscribe suppresses the phone number for SMS
 * only; an email unsubscribe suppresses the address for email only. One contact, several campaigns.
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');
const HOUR_MS = 3_600_000;

const smsFirst: Plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'text',
  nodes: [
    {
      id: 'text',
      action: 'send',
      channel: 'sms',
      text: 'Hi {{name}}',
      transitions: [{ on: 'no_reply', to: 'done', after: 'P1D' }],
    },
    { id: 'done', action: 'end' },
  ],
};

/** An email, then two hours later a follow-up on `channel`. */
function emailThen(channel: 'email' | 'sms'): Plan {
  return {
    version: '1.1',
    timezone: 'UTC',
    startNodeId: 'intro',
    nodes: [
      {
        id: 'intro',
        action: 'send',
        subject: 'Hello {{name}}',
        body: '<p>Hi</p>',
        transitions: [{ on: 'no_reply', to: 'follow', after: 'PT2H' }],
      },
      channel === 'sms'
        ? { id: 'follow', action: 'send', channel: 'sms', text: 'Still there, {{name}}?', transitions: [] }
        : { id: 'follow', action: 'send', subject: 'Bump', body: '<p>Still there?</p>', transitions: [] },
    ],
  };
}

describe('suppression per channel', () => {
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
    const transport = new RecordingTransport();
    const smsTransport = new RecordingSmsTransport();
    const service = new CampaignPlanExecutionService({ store, scheduler, transport, smsTransport, clock });
    await scheduler.start(async (id) => {
      await service.executeAction(id);
    });
    const contact = {
      email: `${randomUUID()}@example.com`,
      name: 'Ada',
      phone: `+49151${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
    };
    return { clock, scheduler, transport, smsTransport, service, contact };
  }

  async function contactRow(email: string) {
    return database.db
      .selectFrom('contacts')
      .select(['suppressed_at', 'sms_suppressed_at', 'sms_suppression_reason'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
  }

  it('an SMS unsubscribe stops SMS sends to the number, and no email', async () => {
    const { scheduler, transport, smsTransport, service, contact } = await engine();
    const a = (await service.persistPlan({ contact, plan: smsFirst })).campaign;
    const b = (await service.persistPlan({ contact, plan: emailThen('sms') })).campaign;
    const c = (await service.persistPlan({ contact, plan: emailThen('email') })).campaign;
    await scheduler.runDue();
    expect(smsTransport.sent.map((sms) => sms.campaignId)).toEqual([a.id]);
    expect(transport.sent.map((email) => email.campaignId).sort()).toEqual([b.id, c.id].sort());

    const stop = await service.recordEvent({
      provider: 'sms-test',
      providerEventId: `stop-${randomUUID()}`,
      messageId: smsTransport.sent[0]?.messageId ?? '',
      type: 'unsubscribed',
      occurredAt: new Date(T0.getTime() + 60_000),
    });
    expect(stop).toMatchObject({ status: 'accepted', effect: 'exit' });
    const row = await contactRow(contact.email);
    expect(row.sms_suppressed_at).not.toBeNull();
    expect(row.sms_suppression_reason).toBe('unsubscribed');
    expect(row.suppressed_at).toBeNull();
    // The other campaigns go on: an SMS unsubscribe says nothing about email.
    expect((await service.getCampaign(b.id)).campaign.state.status).toBe('active');
    expect((await service.getCampaign(c.id)).campaign.state.status).toBe('active');

    await scheduler.advanceTo(new Date(T0.getTime() + 2 * HOUR_MS));
    // B's SMS follow-up is not sent, and B stops; C's email follow-up goes.
    expect(smsTransport.sent).toHaveLength(1);
    const stopped = (await service.getCampaign(b.id)).campaign.state;
    expect([stopped.status, stopped.stopReason]).toEqual(['stopped', 'unsubscribed']);
    expect(transport.sent.filter((email) => email.campaignId === c.id).map((email) => email.subject)).toEqual(
      ['Hello Ada', 'Bump'],
    );
  });

  it('an email unsubscribe suppresses the address for email only: an SMS-only plan still runs', async () => {
    const { scheduler, transport, smsTransport, service, contact } = await engine();
    const d = (await service.persistPlan({ contact, plan: emailThen('email') })).campaign;
    await scheduler.runDue();
    await service.recordEvent({
      provider: 'email-test',
      providerEventId: `unsub-${randomUUID()}`,
      messageId: transport.sent[0]?.messageId ?? '',
      type: 'unsubscribed',
      occurredAt: new Date(T0.getTime() + 60_000),
    });
    const row = await contactRow(contact.email);
    expect(row.suppressed_at).not.toBeNull();
    expect(row.sms_suppressed_at).toBeNull();
    expect((await service.getCampaign(d.id)).campaign.state.status).toBe('stopped');

    // A plan with an email send is refused, as in 1.0; one that sends only SMS goes, and its SMS is sent.
    await expect(service.persistPlan({ contact, plan: emailThen('sms') })).rejects.toBeInstanceOf(
      ContactSuppressedError,
    );
    const e = (await service.persistPlan({ contact, plan: smsFirst })).campaign;
    await scheduler.runDue();
    expect(smsTransport.sent.map((sms) => [sms.campaignId, sms.to, sms.text])).toEqual([
      [e.id, contact.phone, 'Hi Ada'],
    ]);
  });
});
