import { randomUUID } from 'node:crypto';
import {
  CampaignPlanExecutionService,
  type OutboundSms,
  type Plan,
  type SmsTransport,
  type TransportResult,
} from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * SMS sends on the send path (DESIGN section 10): the node's `text` rendered as plain text goes to the
 * SMS transport with the contact's phone as recipient, the message row records channel `sms`, and the
 * timeline's send entry carries the text and its segment count.
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');

class RecordingSmsTransport implements SmsTransport {
  readonly sent: OutboundSms[] = [];
  async send(sms: OutboundSms): Promise<TransportResult> {
    this.sent.push(sms);
    return { providerMessageId: null };
  }
}

const plan: Plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hello {{name}}',
      body: '<p>Hi</p>',
      transitions: [{ on: 'no_reply', to: 'nudge', after: 'PT1H' }],
    },
    {
      id: 'nudge',
      action: 'send',
      channel: 'sms',
      text: 'Hi {{name}} & team, reply STOP to opt out',
      transitions: [],
    },
  ],
};

describe('SMS sends', () => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  async function run(smsTransport: SmsTransport | undefined) {
    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    const transport = new RecordingTransport();
    const service = new CampaignPlanExecutionService({ store, scheduler, transport, smsTransport, clock });
    const outcomes: string[] = [];
    await scheduler.start(async (id) => {
      outcomes.push((await service.executeAction(id)).outcome);
    });
    const phone = `+49151${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const contact = { email: `${randomUUID()}@example.com`, name: 'Ada', phone };
    const { campaign } = await service.persistPlan({ contact, plan });
    await scheduler.advanceTo(new Date(T0.getTime() + 3_600_000));
    return { service, transport, campaign, phone, outcomes };
  }

  it('renders the text without HTML escaping and sends it to the phone; the row and the timeline say sms', async () => {
    const sms = new RecordingSmsTransport();
    const { service, transport, campaign, phone } = await run(sms);
    expect(transport.sent.map((email) => email.subject)).toEqual(['Hello Ada']);
    const text = 'Hi Ada & team, reply STOP to opt out'; // 36 GSM-7 characters: one part
    expect(sms.sent).toEqual([
      expect.objectContaining({ channel: 'sms', to: phone, text, segments: 1, campaignId: campaign.id }),
    ]);

    const rows = await database.db
      .selectFrom('outbound_messages')
      .select(['node_id', 'channel', 'to_email', 'subject', 'body', 'status'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('seq')
      .execute();
    expect(rows.map((row) => [row.node_id, row.channel, row.status])).toEqual([
      ['intro', 'email', 'sent'],
      ['nudge', 'sms', 'sent'],
    ]);
    expect(rows[1]).toMatchObject({ to_email: phone, subject: '', body: text });

    const { timeline } = await service.getCampaign(campaign.id);
    const smsEntry = timeline.find((entry) => entry.kind === 'send' && entry.node === 'nudge');
    expect(smsEntry).toEqual({
      at: '2026-03-02T11:00:00.000Z',
      kind: 'send',
      node: 'nudge',
      message: sms.sent[0]?.messageId,
      dueAt: '2026-03-02T11:00:00.000Z',
      channel: 'sms',
      text,
      segments: 1,
    });
  });

  it('without an SMS transport the send is refused like a failed transport call, never recorded as sent', async () => {
    const { campaign, outcomes } = await run(undefined);
    expect(outcomes).toEqual(['sent', 'transition', 'retry']);
    const sms = await database.db
      .selectFrom('outbound_messages')
      .select(['status'])
      .where('campaign_id', '=', campaign.id)
      .where('channel', '=', 'sms')
      .executeTakeFirstOrThrow();
    expect(sms.status).toBe('failed');
  });
});
