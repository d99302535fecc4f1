import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService, type Plan } from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import { KyselyCampaignStore } from '@campaign/db';
import type { TestDatabase } from '@campaign/db/testing';
import { rate } from './measure.ts';

/*
 * The engine's hot paths called directly on the service (in this process, an in-memory scheduler and a
 * recording transport) on `database`: the figures the worker and HTTP rows are set against.
 */

export const plan: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hello {{name|there}}',
      body: '<p>Hi {{name|there}}</p>',
      transitions: [
        { on: 'opened', to: 'wait', within: 'P3D' },
        { on: 'no_open', to: 'done', after: 'P3D' },
      ],
    },
    {
      id: 'wait',
      action: 'wait',
      transitions: [
        { on: 'clicked', to: 'done' },
        { on: 'no_click', to: 'done', after: 'P2D' },
      ],
    },
    { id: 'done', action: 'end' },
  ],
};

export interface ServiceRows {
  activations: number;
  sends: number;
  throttled: number;
  transitions: number;
  ignored: number;
  duplicates: number;
}

export async function serviceRows(
  database: TestDatabase,
  CAMPAIGNS: number,
  CONCURRENCY: number,
): Promise<ServiceRows> {
  const clock = new ManualClock(new Date('2026-01-05T10:00:00Z'));
  const scheduler = new InMemoryScheduler(clock);
  const transport = new RecordingTransport();
  const store = new KyselyCampaignStore(database.db);
  const service = new CampaignPlanExecutionService({
    store,
    scheduler,
    transport,
    clock,
  });
  const contacts = Array.from({ length: CAMPAIGNS }, () => ({
    id: randomUUID(),
    email: `${randomUUID()}@bench.test`,
    name: 'Ada',
  }));

  const activations = await rate(contacts, CONCURRENCY, (contact) => service.persistPlan({ contact, plan }));
  const sendIds = scheduler.pending().map((j) => j.actionId);
  await scheduler.cancel(sendIds);
  const sends = await rate(sendIds, CONCURRENCY, (id) => service.executeAction(id));
  const messages = transport.sent.map((m) => m.messageId);
  const ignored = await rate(messages, CONCURRENCY, (messageId) =>
    service.recordEvent({
      provider: 'bench',
      providerEventId: `d-${messageId}`,
      messageId,
      type: 'delivered',
      occurredAt: clock.now(),
    }),
  );
  const transitions = await rate(messages, CONCURRENCY, (messageId) =>
    service.recordEvent({
      provider: 'bench',
      providerEventId: `o-${messageId}`,
      messageId,
      type: 'opened',
      occurredAt: clock.now(),
    }),
  );
  const duplicates = await rate(messages, CONCURRENCY, (messageId) =>
    service.recordEvent({
      provider: 'bench',
      providerEventId: `o-${messageId}`,
      messageId,
      type: 'opened',
      occurredAt: clock.now(),
    }),
  );
  // The same sends on one sender whose caps are never reached: what throttling costs (the sender's row
  // lock, its usage and the due order counted in the claim transaction), against the sends above.
  const senderId = 'snd_bench';
  await store.transaction((tx) =>
    tx.senders.insert({
      id: senderId,
      channel: 'email',
      from: 'bench@bench.test',
      timezone: 'UTC',
      caps: { daily: 1_000_000, hourly: 1_000_000 },
      warmup: null,
      enabled: true,
      transport: 'log',
      createdAt: clock.now(),
    }),
  );
  const throttledContacts = contacts.map(() => ({ id: randomUUID(), email: `${randomUUID()}@bench.test` }));
  const throttledCampaigns = await Promise.all(
    throttledContacts.map((contact) => service.persistPlan({ contact, plan }).then((r) => r.campaign.id)),
  );
  await database.db
    .updateTable('contact_campaigns')
    .set({ email_sender_id: senderId })
    .where('id', 'in', throttledCampaigns)
    .execute();
  const throttledIds = (
    await database.db
      .selectFrom('scheduled_actions')
      .select('id')
      .where('campaign_id', 'in', throttledCampaigns)
      .where('kind', '=', 'send')
      .execute()
  ).map((r) => r.id);
  await scheduler.cancel(throttledIds);
  const sentBefore = transport.sent.length;
  const throttled = await rate(throttledIds, CONCURRENCY, (id) => service.executeAction(id));
  if (transport.sent.length - sentBefore !== throttledIds.length)
    throw new Error('a throttled send did not go although no cap was reached');
  return { activations, sends, throttled, transitions, ignored, duplicates };
}
