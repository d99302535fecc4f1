import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService, type EventInput, type Plan } from '@campaign/core';
import {
  InMemoryScheduler,
  ManualClock,
  openOrTimeoutPlan,
  RecordingTransport,
} from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * Which message a provider event names (DESIGN section 7): our id echoed back by the provider first,
 * then our Message-ID, then the provider's own id; an echoed id naming no message of ours falls back.
 */

const T0 = new Date('2026-01-05T10:00:00.000Z');

const plan: Plan = openOrTimeoutPlan();

describe.each(['postgres', 'pglite'] as const)('event matching on %s', (kind) => {
  let database: TestDatabase;
  let service: CampaignPlanExecutionService;
  let transport: RecordingTransport;
  let scheduler: InMemoryScheduler;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const clock = new ManualClock(T0);
    scheduler = new InMemoryScheduler(clock);
    transport = new RecordingTransport();
    service = new CampaignPlanExecutionService({
      store: new KyselyCampaignStore(database.db),
      scheduler,
      transport,
      clock,
    });
    await scheduler.start(async (id) => {
      await service.executeAction(id);
    });
  }, 30_000);
  afterAll(async () => database?.dispose());

  /** A campaign whose intro went out: its id and what the transport was handed. */
  async function sent() {
    const { campaign } = await service.persistPlan({
      contact: { id: randomUUID(), email: `${randomUUID()}@example.com` },
      plan,
    });
    expect(await scheduler.runDue()).toBe(1);
    const email = transport.sent.find((e) => e.campaignId === campaign.id);
    if (!email) throw new Error('intro not sent');
    return { id: campaign.id, email };
  }

  const open = (ids: Partial<EventInput>): EventInput => ({
    provider: 'test',
    providerEventId: randomUUID(),
    type: 'opened',
    occurredAt: T0,
    ...ids,
  });
  const nodeOf = async (id: string) => (await service.getCampaign(id)).campaign.state.currentNodeId;

  it('every message carries its own id, with its contact’s where the syntax allows, in each provider’s echo header', async () => {
    const { email } = await sent();
    const routed = `${email.messageId}.${email.contactId}`;
    expect(email.headers).toMatchObject({
      'X-SMTPAPI': JSON.stringify({ unique_args: { campaign_message_id: routed } }),
      'X-Mailgun-Variables': JSON.stringify({ campaign_message_id: routed }),
      'X-PM-Metadata-campaign_message_id': routed,
      'X-SES-MESSAGE-TAGS': `campaign_message_id=${email.messageId}`,
    });
  });

  it('an event naming its message by the routed id (as SendGrid, Mailgun and Postmark echo it) moves the campaign', async () => {
    const { id, email } = await sent();
    const result = await service.recordEvent(
      open({ echoedMessageId: `${email.messageId}.${email.contactId}` }),
    );
    expect(result).toMatchObject({ status: 'accepted', effect: 'transition' });
    expect(await nodeOf(id)).toBe('done');
  });

  it('a routed id naming another contact finds no message: the contact id is part of the id', async () => {
    const { email } = await sent();
    const result = await service.recordEvent(open({ echoedMessageId: `${email.messageId}.someone-else` }));
    expect(result).toMatchObject({ status: 'unknown_message' });
  });

  it('regression: an event naming its message only by the echoed id was unknown_message; it moves the campaign', async () => {
    const { id, email } = await sent();
    const result = await service.recordEvent(open({ echoedMessageId: email.messageId }));
    expect(result).toMatchObject({ status: 'accepted', effect: 'transition' });
    expect(await nodeOf(id)).toBe('done');
  });

  it('the echoed id wins over a Message-ID and a provider id naming another message', async () => {
    const echoed = await sent();
    const other = await sent();
    const result = await service.recordEvent(
      open({
        echoedMessageId: echoed.email.messageId,
        messageId: other.email.messageId,
        providerMessageId: `provider-${other.email.messageId}`,
      }),
    );
    expect(result).toMatchObject({ status: 'accepted', effect: 'transition' });
    expect(await nodeOf(echoed.id)).toBe('done');
    expect(await nodeOf(other.id)).toBe('intro');
  });

  it('an echoed id that names no message of ours falls back to the Message-ID, then the provider id', async () => {
    const byHeader = await sent();
    const byProvider = await sent();
    const stranger = randomUUID();
    expect(
      await service.recordEvent(open({ echoedMessageId: stranger, messageId: byHeader.email.messageId })),
    ).toMatchObject({ status: 'accepted', effect: 'transition' });
    expect(await nodeOf(byHeader.id)).toBe('done');
    expect(
      await service.recordEvent(
        open({ echoedMessageId: stranger, providerMessageId: `provider-${byProvider.email.messageId}` }),
      ),
    ).toMatchObject({ status: 'accepted', effect: 'transition' });
    expect(await nodeOf(byProvider.id)).toBe('done');
    expect(await service.recordEvent(open({ echoedMessageId: stranger }))).toEqual({
      status: 'unknown_message',
    });
  });
});
