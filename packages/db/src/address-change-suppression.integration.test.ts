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
 * Suppression belongs to the address (DESIGN section 10: an SMS unsubscribe suppresses the phone number
 * for SMS, an email unsubscribe the address for email). A contact whose given id later comes with another
 * phone or email must not take the old address's suppression away: a contact reached by that old address
 * (another id) stays unreachable on that channel.
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');

const smsPlan: Plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'text',
  nodes: [{ id: 'text', action: 'send', channel: 'sms', text: 'Hi {{name|there}}', transitions: [] }],
};

const emailPlan: Plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'mail',
  nodes: [{ id: 'mail', action: 'send', subject: 'Hello', body: '<p>Hi</p>', transitions: [] }],
};

function randomPhone(): string {
  return `+49151${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

describe.each(['postgres', 'pglite'] as const)(
  'an address change keeps the old address suppressed (%s)',
  (kind) => {
    let database: TestDatabase;
    let store: KyselyCampaignStore;

    beforeAll(async () => {
      database = await createTestDatabase(kind);
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
      return { scheduler, transport, smsTransport, service };
    }

    it('a STOPped number stays suppressed for SMS when its contact id comes with a new number', async () => {
      const { scheduler, smsTransport, service } = await engine();
      const id = `crm-${randomUUID()}`;
      const oldPhone = randomPhone();
      const newPhone = randomPhone();
      await service.persistPlan({ contact: { id, phone: oldPhone }, plan: smsPlan });
      await scheduler.runDue();
      expect(smsTransport.sent.map((sms) => sms.to)).toEqual([oldPhone]);
      await service.recordEvent({
        provider: 'sms-test',
        providerEventId: `stop-${randomUUID()}`,
        messageId: smsTransport.sent[0]?.messageId ?? '',
        type: 'unsubscribed',
        occurredAt: new Date(T0.getTime() + 60_000),
      });

      // The same contact id, now with another number: that number never opted out, its SMS goes.
      await service.persistPlan({ contact: { id, phone: newPhone }, plan: smsPlan });
      await scheduler.runDue();
      expect(smsTransport.sent.map((sms) => sms.to)).toEqual([oldPhone, newPhone]);
      // Another contact reached at the old number: its SMS must not go (the number opted out).
      const other = (
        await service.persistPlan({ contact: { id: `crm-${randomUUID()}`, phone: oldPhone }, plan: smsPlan })
      ).campaign;
      await scheduler.runDue();
      expect(smsTransport.sent.filter((sms) => sms.to === oldPhone)).toHaveLength(1);
      const state = (await service.getCampaign(other.id)).campaign.state;
      expect([state.status, state.stopReason]).toEqual(['stopped', 'unsubscribed']);
    });

    it('a new number that another contact STOPped stays suppressed when a STOPped contact moves to it', async () => {
      const { scheduler, smsTransport, service } = await engine();
      const [mover, holder] = [`crm-${randomUUID()}`, `crm-${randomUUID()}`];
      const [oldPhone, sharedPhone] = [randomPhone(), randomPhone()];
      await service.persistPlan({ contact: { id: mover, phone: oldPhone }, plan: smsPlan });
      await service.persistPlan({ contact: { id: holder, phone: sharedPhone }, plan: smsPlan });
      await scheduler.runDue();
      for (const sent of smsTransport.sent) {
        await service.recordEvent({
          provider: 'sms-test',
          providerEventId: `stop-${randomUUID()}`,
          messageId: sent.messageId,
          type: 'unsubscribed',
          occurredAt: new Date(T0.getTime() + 60_000),
        });
      }
      // The mover takes the number the holder opted out of: nothing lifts that opt-out.
      const moved = (await service.persistPlan({ contact: { id: mover, phone: sharedPhone }, plan: smsPlan }))
        .campaign;
      await scheduler.runDue();
      expect(smsTransport.sent).toHaveLength(2);
      expect((await service.getCampaign(moved.id)).campaign.state).toMatchObject({
        status: 'stopped',
        stopReason: 'unsubscribed',
      });
    });

    it('an unsubscribed email address stays suppressed when its contact id comes with a new address', async () => {
      const { scheduler, transport, service } = await engine();
      const id = `crm-${randomUUID()}`;
      const oldEmail = `${randomUUID()}@example.com`;
      const newEmail = `${randomUUID()}@example.com`;
      const phone = randomPhone();
      await service.persistPlan({ contact: { id, email: oldEmail, phone }, plan: emailPlan });
      await scheduler.runDue();
      await service.recordEvent({
        provider: 'email-test',
        providerEventId: `unsub-${randomUUID()}`,
        messageId: transport.sent[0]?.messageId ?? '',
        type: 'unsubscribed',
        occurredAt: new Date(T0.getTime() + 60_000),
      });
      // An SMS-only plan is allowed for the email-suppressed contact; it moves the contact to a new address.
      await service.persistPlan({ contact: { id, email: newEmail, phone }, plan: smsPlan });
      // The old address, given without an id (its own contact), is still refused for email.
      await expect(
        service.persistPlan({ contact: { email: oldEmail }, plan: emailPlan }),
      ).rejects.toBeInstanceOf(ContactSuppressedError);
      await expect(
        service.persistPlan({
          contact: { id: `crm-${randomUUID()}`, email: oldEmail.toUpperCase() },
          plan: emailPlan,
        }),
      ).rejects.toBeInstanceOf(ContactSuppressedError);
      expect(transport.sent).toHaveLength(1);
    });
  },
);
