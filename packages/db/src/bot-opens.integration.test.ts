import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, manualEngine, type TestDatabase } from './testing.ts';

/*
 * Bot opens (Mailgun's `client-info.bot`: a firewall or link scanner fetched the pixel) count for
 * nothing in the store's reads either (DESIGN section 8). scenario-parity runs the live case (a bot
 * open while the send node waits: no_open still fires) on both backends; these are the cases only the
 * SQL decides: the decisive-events read that feeds a wait node's replay and a timeout's condition.
 */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/**
 * The send waits an hour (no_click) before the wait node is entered, so the opens recorded meanwhile
 * reach `wait` only through the replay of the message's recorded events, as the store reads them.
 */
const plan: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hello',
      body: 'Hi',
      transitions: [{ on: 'no_click', to: 'wait', after: 'PT1H' }],
    },
    {
      id: 'wait',
      action: 'wait',
      transitions: [
        { on: 'opened', to: 'opened_end' },
        { on: 'no_open', to: 'bump', after: 'PT24H' },
      ],
    },
    { id: 'opened_end', action: 'end' },
    { id: 'bump', action: 'send', subject: 'Bump', body: 'Still there?', transitions: [] },
  ],
};

describe.each(['postgres', 'pglite'] as const)('bot opens in the store on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  /** Runs the plan with the given opens of the first message, three days long. */
  async function run(opens: Array<{ minute: number; bot: boolean }>) {
    const engine = manualEngine(store, T0);
    await engine.scheduler.start(async (actionId) => {
      await engine.service.executeAction(actionId);
    });
    const { campaign } = await engine.service.persistPlan({
      contact: { id: randomUUID(), email: `${randomUUID()}@example.com` },
      plan,
    });
    await engine.scheduler.runDue();
    const message = await database.db
      .selectFrom('outbound_messages')
      .select('id')
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirstOrThrow();
    for (const [index, open] of opens.entries()) {
      engine.clock.set(at(open.minute));
      // Mailgun's `opened` with client-info.bot normalizes to exactly this (packages/webhooks).
      const recorded = await engine.service.recordEvent({
        provider: 'mailgun',
        providerEventId: `open-${index}`,
        messageId: message.id,
        type: 'opened',
        occurredAt: at(open.minute),
        bot: open.bot,
      });
      expect(recorded).toMatchObject({ status: 'accepted', effect: 'ignored' });
    }
    const decisive = await store.transaction((tx) => tx.messages.latestSentWithDecisiveEvents(campaign.id));
    await engine.scheduler.advanceTo(at(3 * 24 * 60));
    const view = await engine.service.getCampaign(campaign.id);
    return { view, transport: engine.transport, decisive };
  }

  it('regression: a bot open recorded before the wait began neither takes its opened transition nor breaks no_open', async () => {
    const { view, transport, decisive } = await run([{ minute: 1, bot: true }]);
    expect(decisive?.events.filter((e) => e.type === 'opened')).toEqual([]);
    // wait entered at 11:00; no_open fires 24 h later and the bump goes out.
    expect(view.campaign.state).toMatchObject({ status: 'completed', currentNodeId: 'bump' });
    expect(transport.sent.map((m) => m.subject)).toEqual(['Hello', 'Bump']);
    expect(view.timeline.filter((e) => e.kind === 'timeout')).toMatchObject([
      { at: at(60).toISOString(), event: 'no_click', effect: 'transition' },
      { at: at(25 * 60).toISOString(), event: 'no_open', effect: 'transition' },
    ]);
  });

  it('regression: a bot open does not mask a later genuine open of the same message in the decisive-events read', async () => {
    // With bot opens counted as genuine by the SQL, the earliest "genuine" open read back was the
    // scanner's (the engine then drops it) and the person's open two minutes later was never seen:
    // no_open fired and the bump went out to someone who had read the message.
    const { view, transport, decisive } = await run([
      { minute: 1, bot: true },
      { minute: 3, bot: false },
    ]);
    expect(decisive?.events.filter((e) => e.type === 'opened')).toMatchObject([
      { occurredAt: at(3), bot: false },
    ]);
    expect(view.campaign.state).toMatchObject({ status: 'completed', currentNodeId: 'opened_end' });
    expect(transport.sent.map((m) => m.subject)).toEqual(['Hello']);
  });
});
