import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService, type Plan } from '@campaign/core';
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
 * DESIGN section 10: an email unsubscribe suppresses the address for email. A campaign of the same contact
 * that sends only SMS is not about email: it goes on (as a new SMS-only campaign is accepted for an
 * email-suppressed contact), while a campaign with an email send stops as in 1.0.
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');
const HOUR_MS = 3_600_000;

/** An SMS now and another two hours later. */
const twoTexts: Plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'first',
  nodes: [
    {
      id: 'first',
      action: 'send',
      channel: 'sms',
      text: 'Hi {{name}}',
      transitions: [{ on: 'no_reply', to: 'second', after: 'PT2H' }],
    },
    { id: 'second', action: 'send', channel: 'sms', text: 'Still there?', transitions: [] },
  ],
};

/** An email now and a follow-up two hours later (the plan the unsubscribe comes from). */
const twoEmails: Plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hello',
      body: '<p>Hi</p>',
      transitions: [{ on: 'no_reply', to: 'bump', after: 'PT2H' }],
    },
    { id: 'bump', action: 'send', subject: 'Bump', body: '<p>Bump</p>', transitions: [] },
  ],
};

describe.each(['postgres', 'pglite'] as const)('an email unsubscribe and SMS-only campaigns (%s)', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  it('stops the contact`s other email campaigns but not the one that sends only SMS', async () => {
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
    const mail = (await service.persistPlan({ contact, plan: twoEmails })).campaign;
    const otherMail = (await service.persistPlan({ contact, plan: twoEmails })).campaign;
    const texts = (await service.persistPlan({ contact, plan: twoTexts })).campaign;
    await scheduler.runDue();
    const first = transport.sent.find((email) => email.campaignId === mail.id);
    await service.recordEvent({
      provider: 'email-test',
      providerEventId: `unsub-${randomUUID()}`,
      messageId: first?.messageId ?? '',
      type: 'unsubscribed',
      occurredAt: new Date(T0.getTime() + 60_000),
    });
    expect((await service.getCampaign(otherMail.id)).campaign.state).toMatchObject({
      status: 'stopped',
      stopReason: 'unsubscribed',
    });
    expect((await service.getCampaign(texts.id)).campaign.state.status).toBe('active');

    await scheduler.advanceTo(new Date(T0.getTime() + 2 * HOUR_MS));
    // Two first emails and no bump; both texts of the SMS-only campaign.
    expect(transport.sent.map((email) => email.subject)).toEqual(['Hello', 'Hello']);
    expect(smsTransport.sent.map((sms) => [sms.campaignId, sms.text])).toEqual([
      [texts.id, 'Hi Ada'],
      [texts.id, 'Still there?'],
    ]);
  });
});
