import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService, type Plan } from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from './testing.ts';

/*
 * Goals in the service (DESIGN section 14): a custom event from POST /v1/events is stored once per
 * contact, stops every open campaign of the contact whose plan lists it as a goal (completed,
 * goal:<name>, pending sends cancelled), leaves the others alone, and a later branch reads it.
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');
const DAY_MS = 86_400_000;

/** An intro now, a bump three days later without a reply; `goals` as given (none: the key is left out). */
function sequence(goals?: string[]): Plan {
  return {
    version: '1.1',
    timezone: 'UTC',
    ...(goals ? { goals } : {}),
    startNodeId: 'intro',
    nodes: [
      {
        id: 'intro',
        action: 'send',
        subject: 'Hello',
        body: '<p>Hi</p>',
        transitions: [{ on: 'no_reply', to: 'bump', after: 'P3D' }],
      },
      { id: 'bump', action: 'send', subject: 'Bump', body: '<p>Still there?</p>', transitions: [] },
    ],
  };
}

describe.each<TestDatabaseKind>(['postgres', 'pglite'])('goals and custom events on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 60_000);
  afterAll(async () => database?.dispose());

  async function engine() {
    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    const transport = new RecordingTransport();
    const service = new CampaignPlanExecutionService({ store, scheduler, transport, clock });
    await scheduler.start(async (id) => {
      await service.executeAction(id);
    });
    return { clock, scheduler, transport, service };
  }
  const newContact = () => ({ id: `c-${randomUUID()}`, email: `${randomUUID()}@example.com`, name: 'Ada' });
  const custom = (
    name: string,
    who: { contactId: string } | { email: string },
    id: string = randomUUID(),
  ) => ({
    type: 'custom',
    name,
    ...who,
    occurredAt: T0.toISOString(),
    id,
  });

  it('a goal event stops every active campaign of the contact whose plan lists it, as converted', async () => {
    const { clock, scheduler, transport, service } = await engine();
    const contact = newContact();
    const other = newContact();
    const a = (await service.persistPlan({ contact, plan: sequence(['signed_up']) })).campaign;
    const b = (await service.persistPlan({ contact, plan: sequence(['demo', 'signed_up']) })).campaign;
    const noGoal = (await service.persistPlan({ contact, plan: sequence() })).campaign;
    const otherGoal = (await service.persistPlan({ contact, plan: sequence(['demo']) })).campaign;
    const otherContact = (await service.persistPlan({ contact: other, plan: sequence(['signed_up']) }))
      .campaign;
    await scheduler.runDue();
    expect(transport.sent).toHaveLength(5);

    clock.set(new Date(T0.getTime() + DAY_MS));
    const item = custom('signed_up', { contactId: contact.id }, 'goal-1');
    expect(await service.recordApiEvents([item])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    for (const id of [a.id, b.id]) {
      const view = await service.getCampaign(id);
      expect([view.campaign.state.status, view.campaign.state.stopReason]).toEqual([
        'completed',
        'goal:signed_up',
      ]);
      expect(view.timeline.at(-1)).toEqual({
        at: '2026-03-03T10:00:00.000Z',
        kind: 'end',
        status: 'completed',
        reason: 'goal:signed_up',
      });
    }
    for (const id of [noGoal.id, otherGoal.id, otherContact.id]) {
      expect((await service.getCampaign(id)).campaign.state.status).toBe('active');
    }
    // The same event again is a duplicate and changes nothing.
    expect(await service.recordApiEvents([item])).toEqual({ accepted: 0, duplicates: 1, rejected: [] });

    // Three days after the intros: only the campaigns without that goal send their bump.
    await scheduler.advanceTo(new Date(T0.getTime() + 3 * DAY_MS + 60_000));
    const bumps = transport.sent.filter((m) => m.subject === 'Bump').map((m) => m.campaignId);
    expect(bumps.sort()).toEqual([noGoal.id, otherGoal.id, otherContact.id].sort());
  });

  it('by email, every contact with the address; an unknown contact is rejected and nothing is created', async () => {
    const { service } = await engine();
    const contact = newContact();
    const campaign = (await service.persistPlan({ contact, plan: sequence(['trial']) })).campaign;
    const unknownEmail = `${randomUUID()}@example.com`;
    const result = await service.recordApiEvents([
      custom('trial', { email: contact.email }),
      custom('trial', { email: unknownEmail }),
      custom('trial', { contactId: `c-${randomUUID()}` }),
      { ...custom('trial', { email: contact.email }), contactId: contact.id },
      custom('not a name', { contactId: contact.id }),
      {
        ...custom('trial', { contactId: contact.id }),
        occurredAt: new Date(T0.getTime() + DAY_MS).toISOString(),
      },
    ]);
    expect(result).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [
        { index: 1, code: 'unknown_contact' },
        { index: 2, code: 'unknown_contact' },
        { index: 3, code: 'invalid_event' },
        { index: 4, code: 'invalid_event' },
        { index: 5, code: 'implausible_time' },
      ],
    });
    expect((await service.getCampaign(campaign.id)).campaign.state.stopReason).toBe('goal:trial');
    const created = await database.db
      .selectFrom('contacts')
      .select('id')
      .where('email', '=', unknownEmail)
      .execute();
    expect(created).toEqual([]);
  });

  it('a custom event stored before a campaign starts is read by its event branch', async () => {
    const { clock, scheduler, transport, service } = await engine();
    const contact = newContact();
    const stranger = newContact();
    // Before the contact exists the event is refused: a custom event never creates a contact.
    expect(
      (await service.recordApiEvents([custom('demo_booked', { contactId: contact.id })])).rejected,
    ).toEqual([{ index: 0, code: 'unknown_contact' }]);
    await service.persistPlan({ contact, plan: sequence() });
    clock.set(new Date(T0.getTime() + DAY_MS));
    expect((await service.recordApiEvents([custom('demo_booked', { contactId: contact.id })])).accepted).toBe(
      1,
    );
    const branching: Plan = {
      version: '1.1',
      timezone: 'UTC',
      startNodeId: 'check',
      nodes: [
        {
          id: 'check',
          action: 'branch',
          branches: [{ when: { event: 'demo_booked' }, to: 'thanks' }],
          otherwise: 'pitch',
        },
        { id: 'thanks', action: 'send', subject: 'Thanks', body: '<p>See you</p>', transitions: [] },
        { id: 'pitch', action: 'send', subject: 'Pitch', body: '<p>Book a demo</p>', transitions: [] },
      ],
    };
    const mine = (await service.persistPlan({ contact, plan: branching })).campaign;
    const theirs = (await service.persistPlan({ contact: stranger, plan: branching })).campaign;
    await scheduler.runDue();
    const subjectOf = (id: string) => transport.sent.filter((m) => m.campaignId === id).map((m) => m.subject);
    expect(subjectOf(mine.id)).toEqual(['Thanks']);
    expect(subjectOf(theirs.id)).toEqual(['Pitch']);
  });
});
