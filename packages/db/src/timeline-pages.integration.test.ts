import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService, type Plan, type TimelineEntry } from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * Timeline pages are read by keyset on (seq, index) from four audit tables, an `enter` row yielding two
 * entries (its transition, then its enter). Whatever the page size, following the cursors must yield the
 * whole timeline once, in order.
 */

const T0 = new Date('2026-01-05T10:00:00.000Z');
const HOUR = 3_600_000;
// Inline on purpose: the scenario below walks this plan (an open to `wait`, its 24 h no_click to `bump`)
// for every kind of timeline entry; no other test shares its shape.
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
      transitions: [
        { on: 'opened', to: 'wait', within: 'PT72H' },
        { on: 'no_open', to: 'bump', after: 'PT72H' },
      ],
    },
    {
      id: 'wait',
      action: 'wait',
      transitions: [
        { on: 'clicked', to: 'bump' },
        { on: 'no_click', to: 'bump', after: 'PT24H' },
      ],
    },
    { id: 'bump', action: 'send', subject: 'Bump', body: 'Still there?', transitions: [] },
  ],
};

describe.each(['postgres', 'pglite'] as const)('timeline pages on %s', (kind) => {
  let database: TestDatabase;
  let service: CampaignPlanExecutionService;
  let campaignId: string;
  let whole: TimelineEntry[];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    service = new CampaignPlanExecutionService({
      store: new KyselyCampaignStore(database.db),
      scheduler,
      transport: new RecordingTransport(),
      clock,
    });
    await scheduler.start(async (id) => {
      await service.executeAction(id);
    });
    const { campaign } = await service.persistPlan({
      contact: { id: randomUUID(), email: `${randomUUID()}@example.com` },
      plan,
    });
    campaignId = campaign.id;
    await scheduler.runDue();
    const sent = (await service.getCampaign(campaignId)).timeline.find((e) => e.kind === 'send');
    if (sent?.kind !== 'send') throw new Error('not sent');
    // An open moves intro -> wait (two entries from one row), more opens and an unknown type do not.
    for (const [i, type] of (['opened', 'opened', null, 'opened'] as const).entries()) {
      clock.set(new Date(T0.getTime() + (i + 1) * HOUR));
      await service.recordEvent({
        provider: 'test',
        providerEventId: `e${i}`,
        messageId: sent.message,
        type,
        rawType: type === null ? 'deferred' : undefined,
        occurredAt: clock.now(),
      });
    }
    await service.pause(campaignId);
    await service.resume(campaignId);
    // The no_click timeout sends the bump, which completes the campaign.
    await scheduler.advanceTo(new Date(T0.getTime() + 48 * HOUR));
    whole = (await service.getCampaign(campaignId)).timeline;
  }, 60_000);
  afterAll(async () => database?.dispose());

  it('the scenario has every kind of entry, some from one row', () => {
    expect(whole.map((e) => e.kind)).toEqual([
      'enter',
      'send',
      'event',
      'transition',
      'enter',
      'event',
      'event',
      'pause',
      'resume',
      'timeout',
      'transition',
      'enter',
      'send',
      'end',
    ]);
  });

  it('following the cursors yields the whole timeline once, in order, for every page size', async () => {
    for (let limit = 1; limit <= whole.length + 1; limit++) {
      const first = await service.getCampaign(campaignId, { timelineLimit: limit });
      expect(first.timeline).toEqual(whole.slice(0, limit));
      expect(first.timelineNextCursor === null).toBe(limit >= whole.length);
      const seen = [...first.timeline];
      let cursor = first.timelineNextCursor;
      while (cursor !== null) {
        const page = await service.getTimeline(campaignId, { cursor, limit });
        expect(page.entries.length).toBeGreaterThan(0);
        expect(page.entries.length).toBeLessThanOrEqual(limit);
        seen.push(...page.entries);
        cursor = page.nextCursor;
      }
      expect(seen, `limit ${limit}`).toEqual(whole);
    }
  });

  it('a limit outside 1 to 1000 is refused with invalid_limit', async () => {
    for (const limit of [0, 1001, 1.5, Number.NaN]) {
      await expect(service.getTimeline(campaignId, { limit })).rejects.toMatchObject({
        code: 'invalid_limit',
      });
      await expect(service.getCampaign(campaignId, { timelineLimit: limit })).rejects.toMatchObject({
        code: 'invalid_limit',
      });
    }
  });
});
