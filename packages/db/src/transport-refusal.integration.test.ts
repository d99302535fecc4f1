import { randomUUID } from 'node:crypto';
import {
  CampaignPlanExecutionService,
  type OutboundEmail,
  type Plan,
  type Transport,
  TransportError,
  type TransportResult,
} from '@campaign/core';
import { InMemoryScheduler, ManualClock } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * Issue 12 item 7: the send path acts on a transport's classified refusal (TransportError.kind). A
 * refused recipient is a hard bounce (the message's `bounced` event, the campaign exits as exitOn says
 * or takes its node's bounced transition),
 * bad credentials disable the sender with the reason visible and hold the send (never given up), a
 * permanent refusal gives up at once, a retryable one is retried with backoff as before.
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');
const HOUR = 3_600_000;

/** A transport that refuses with `refuse` while it is set, and accepts otherwise. */
class RefusingTransport implements Transport {
  readonly attempts: OutboundEmail[] = [];
  refuse: Error | undefined;
  async send(email: OutboundEmail): Promise<TransportResult> {
    this.attempts.push(email);
    if (this.refuse) throw this.refuse;
    return { providerMessageId: `p-${this.attempts.length}` };
  }
}

const plan = (exitOn: string[]): Plan =>
  ({
    version: '1.1',
    timezone: 'UTC',
    startNodeId: 'intro',
    exitOn,
    nodes: [
      {
        id: 'intro',
        action: 'send',
        subject: 'Hello',
        body: '<p>Hi</p>',
        transitions: [
          { on: 'bounced', to: 'done' },
          { on: 'no_reply', to: 'nudge', after: 'PT1H' },
        ],
      },
      { id: 'nudge', action: 'send', subject: 'Again', body: '<p>Again</p>', transitions: [] },
      { id: 'done', action: 'end' },
    ],
  }) as Plan;

describe.each(['postgres', 'pglite'] as const)('transport refusals on the send path (%s)', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  async function engine(exitOn: string[], refuse: Error) {
    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    const transport = new RefusingTransport();
    transport.refuse = refuse;
    const service = new CampaignPlanExecutionService({
      store,
      scheduler,
      transport,
      clock,
      maxSendAttempts: 3,
      retryBaseDelayMs: 1_000,
    });
    await scheduler.start(async (id) => void (await service.executeAction(id)));
    const senderId = `snd_${randomUUID().slice(0, 8)}`;
    await store.transaction((tx) =>
      tx.senders.insert({
        id: senderId,
        channel: 'email',
        from: 'Acme <hello@acme.example>',
        timezone: 'UTC',
        caps: { daily: 1000 },
        warmup: null,
        enabled: true,
        transport: 'sendgrid',
        createdAt: new Date(T0.getTime() - 86_400_000),
      }),
    );
    const contact = { email: `${randomUUID()}@example.com`, name: 'Ada' };
    const { campaign } = await service.persistPlan({
      contact,
      plan: plan(exitOn),
      senderIds: { email: senderId },
    });
    const state = async () => (await service.getCampaign(campaign.id)).campaign.state;
    const messages = () =>
      database.db
        .selectFrom('outbound_messages')
        .select(['status', 'node_id'])
        .where('campaign_id', '=', campaign.id)
        .execute();
    const events = () =>
      database.db.selectFrom('message_events').selectAll().where('campaign_id', '=', campaign.id).execute();
    return { clock, scheduler, transport, service, campaign, senderId, state, messages, events };
  }

  it('a refused recipient is a hard bounce: the bounced event recorded once, the campaign exits (exitOn), never retried', async () => {
    const e = await engine(['bounced'], new TransportError('recipient_rejected', 'SendGrid 400: invalid to'));
    await e.scheduler.runDue();
    expect(await e.state()).toMatchObject({ status: 'stopped', stopReason: 'bounced' });
    const events = await e.events();
    expect(events.map((x) => [x.type, x.provider])).toEqual([['bounced', 'transport']]);
    // The attempt stands as the message sent (the bounce report is about it), as for a reported bounce.
    expect((await e.messages()).map((m) => m.status)).toEqual(['sent']);
    await e.scheduler.advanceTo(new Date(T0.getTime() + 3 * HOUR));
    expect(e.transport.attempts).toHaveLength(1);
  });

  it('without bounced in exitOn, the bounce takes the node’s bounced transition, as a reported bounce would', async () => {
    const e = await engine(
      [],
      new TransportError('recipient_rejected', 'Postmark 422 (406): inactive recipient'),
    );
    await e.scheduler.runDue();
    expect(await e.state()).toMatchObject({ currentNodeId: 'done' });
    await e.scheduler.advanceTo(new Date(T0.getTime() + 3 * HOUR));
    expect(e.transport.attempts).toHaveLength(1); // no nudge, no retry
  });

  it('bad credentials disable the sender with the reason visible and hold the send: not given up past every attempt', async () => {
    const e = await engine(
      [],
      new TransportError('bad_credentials', 'SendGrid refused the message (HTTP 401)'),
    );
    await e.scheduler.runDue();
    const sender = await store.transaction((tx) => tx.senders.get(e.senderId));
    expect(sender?.enabled).toBe(false);
    expect(sender?.pausedReason).toBe('bad_credentials: SendGrid refused the message (HTTP 401)');
    await e.scheduler.advanceTo(new Date(T0.getTime() + 10 * HOUR));
    expect((await e.state()).status).toBe('active');
    const [action] = await database.db
      .selectFrom('scheduled_actions')
      .select(['status'])
      .where('campaign_id', '=', e.campaign.id)
      .where('kind', '=', 'send')
      .execute();
    expect(action?.status).toBe('pending');
  });

  it('a permanent refusal gives up at once (send_failed after one attempt)', async () => {
    const e = await engine([], new TransportError('permanent', 'SendGrid 400: subject required'));
    await e.scheduler.runDue();
    expect(await e.state()).toMatchObject({ status: 'stopped', stopReason: 'send_failed' });
    expect(e.transport.attempts).toHaveLength(1);
  });

  it('a retryable refusal is retried with backoff and goes once the provider takes it', async () => {
    const e = await engine([], new TransportError('retryable', 'Mailgun 429'));
    await e.scheduler.runDue();
    expect(e.transport.attempts).toHaveLength(1);
    e.transport.refuse = undefined;
    await e.scheduler.advanceTo(new Date(T0.getTime() + 1_000));
    expect(e.transport.attempts).toHaveLength(2);
    expect((await e.messages()).map((m) => m.status)).toEqual(['sent']);
  });
});
