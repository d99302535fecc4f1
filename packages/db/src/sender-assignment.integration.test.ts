import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService, CampaignSenderError, type Plan } from '@campaign/core';
import {
  InMemoryScheduler,
  ManualClock,
  RecordingSmsTransport,
  RecordingTransport,
} from '@campaign/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * Sender assignment at campaign creation (DESIGN section 11, issue 12), through the real service on
 * Postgres and PGlite: the sender the request names, else the least-loaded enabled sender of the
 * channel ((sent + due today) / effective cap, ties by id), else the MAIL_FROM default for email and
 * `no_sender` for SMS where a sender is required. The campaign keeps its senders and its messages
 * record them.
 */

const T0 = new Date('2026-03-02T09:00:00.000Z');

const emailPlan: Plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'hello',
  nodes: [{ id: 'hello', action: 'send', subject: 'Hi {{name}}', body: '<p>Hi</p>', transitions: [] }],
};
const smsPlan: Plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'text',
  nodes: [{ id: 'text', action: 'send', channel: 'sms', text: 'Hi {{name}}', transitions: [] }],
};

describe.each(['postgres', 'pglite'] as const)('sender assignment on %s', (kind) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
  }, 30_000);
  afterEach(async () => database?.dispose());

  async function engine(options: { smsSenderRequired?: boolean } = {}) {
    const store = new KyselyCampaignStore(database.db);
    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    const transport = new RecordingTransport();
    const smsTransport = new RecordingSmsTransport();
    const service = new CampaignPlanExecutionService({
      ...{ store, scheduler, transport, smsTransport, clock },
      smsSenderRequired: options.smsSenderRequired,
    });
    await scheduler.start(async (id) => {
      await service.executeAction(id);
    });
    return { scheduler, transport, smsTransport, service };
  }

  const contact = () => ({ email: `${randomUUID()}@example.com`, name: 'Ada', phone: '+4915112345678' });

  async function senderOf(service: CampaignPlanExecutionService, campaignId: string) {
    return (await service.getCampaign(campaignId)).campaign.senderIds;
  }

  it('without any sender an email campaign goes from the MAIL_FROM default: no sender on it or its message', async () => {
    const { scheduler, transport, service } = await engine();
    const { campaign } = await service.persistPlan({ contact: contact(), plan: emailPlan });
    expect(await senderOf(service, campaign.id)).toEqual({ email: null, sms: null });
    await scheduler.runDue();
    expect(transport.sent).toHaveLength(1);
    expect(transport.sent[0]?.sender).toBeUndefined();
    const row = await database.db
      .selectFrom('outbound_messages')
      .select('sender_id')
      .executeTakeFirstOrThrow();
    expect(row.sender_id).toBeNull();
  });

  it('picks the least-loaded enabled sender, counting sent and due today over the effective cap, ties by id', async () => {
    const { scheduler, transport, service } = await engine();
    for (const [id, daily] of [
      ['snd_b', 10],
      ['snd_a', 10],
      ['snd_c', 40],
    ] as const)
      await service.senders.create({
        id,
        channel: 'email',
        from: `${id}@acme.example`,
        timezone: 'UTC',
        caps: { daily },
      });
    // Enabled only: a disabled sender with no load at all is never picked.
    await service.senders.create({
      id: 'snd_0',
      channel: 'email',
      from: 'off@acme.example',
      timezone: 'UTC',
      caps: { daily: 1000 },
      enabled: false,
    });
    const picked: (string | null)[] = [];
    for (let i = 0; i < 7; i += 1) {
      const { campaign } = await service.persistPlan({ contact: contact(), plan: emailPlan });
      picked.push((await senderOf(service, campaign.id)).email);
      // Halfway, the due sends go out: they count as sent instead of due, the same load.
      if (i === 2) await scheduler.runDue();
    }
    // Loads before each pick (a, b at cap 10; c at cap 40):
    // 0,0,0 -> a | .1,0,0 -> b | .1,.1,0 -> c | .1,.1,.025 -> c | .05 -> c | .075 -> c | .1,.1,.1 -> a
    expect(picked).toEqual(['snd_a', 'snd_b', 'snd_c', 'snd_c', 'snd_c', 'snd_c', 'snd_a']);

    await scheduler.runDue();
    // Each message records its campaign's sender, and the transport is told to send from it.
    const rows = await database.db
      .selectFrom('outbound_messages')
      .select(['sender_id', 'claimed_at'])
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => r.sender_id)).toEqual(picked);
    expect(rows.every((r) => r.claimed_at?.toISOString() === T0.toISOString())).toBe(true);
    expect(transport.sent.map((email) => email.sender?.from)).toEqual(
      picked.map((id) => `${id}@acme.example`),
    );
    expect((await service.senders.get('snd_c')).usage).toEqual({ today: 4, lastHour: 4 });
  });

  it('counts a warm-up: the effective cap, not the daily one, divides the load', async () => {
    const { service } = await engine();
    // snd_a: cap 100 but 10 on its first day (warm-up); snd_b: cap 20.
    await service.senders.create({
      id: 'snd_a',
      channel: 'email',
      from: 'a@acme.example',
      timezone: 'UTC',
      caps: { daily: 100 },
      warmup: { start: 10, days: 9 },
    });
    await service.senders.create({
      id: 'snd_b',
      channel: 'email',
      from: 'b@acme.example',
      timezone: 'UTC',
      caps: { daily: 20 },
    });
    const picked: (string | null)[] = [];
    for (let i = 0; i < 4; i += 1) {
      const { campaign } = await service.persistPlan({ contact: contact(), plan: emailPlan });
      picked.push((await senderOf(service, campaign.id)).email);
    }
    // 0/10, 0/20 -> a | .1, 0 -> b | .1, .05 -> b | .1, .1 -> a (with cap 100 it would be a, a, a, a...)
    expect(picked).toEqual(['snd_a', 'snd_b', 'snd_b', 'snd_a']);
  });

  it('takes the senders the request names, and refuses an unknown one or one of the other channel', async () => {
    const { service } = await engine();
    await service.senders.create({
      id: 'snd_mail',
      channel: 'email',
      from: 'm@acme.example',
      timezone: 'UTC',
      caps: { daily: 5 },
    });
    await service.senders.create({
      id: 'snd_mail2',
      channel: 'email',
      from: 'n@acme.example',
      timezone: 'UTC',
      caps: { daily: 5 },
    });
    await service.senders.create({
      id: 'snd_text',
      channel: 'sms',
      from: '+15550001111',
      transport: 'log',
      timezone: 'UTC',
      caps: { daily: 5 },
    });
    const named = await service.persistPlan({
      contact: contact(),
      plan: emailPlan,
      senderIds: { email: 'snd_mail2' },
    });
    expect(await senderOf(service, named.campaign.id)).toEqual({ email: 'snd_mail2', sms: null });

    const refused = async (senderIds: { email?: string; sms?: string }, plan: Plan = emailPlan) => {
      const error = await service
        .persistPlan({ contact: contact(), plan, senderIds })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CampaignSenderError);
      return (error as CampaignSenderError).code;
    };
    expect(await refused({ email: 'snd_nope' })).toBe('unknown_sender');
    expect(await refused({ email: 'snd_text' })).toBe('sender_channel_mismatch');
    expect(await refused({ sms: 'snd_mail' }, smsPlan)).toBe('sender_channel_mismatch');
    // A deleted sender is unknown.
    await service.senders.create({
      id: 'snd_gone',
      channel: 'email',
      from: 'g@acme.example',
      timezone: 'UTC',
      caps: { daily: 5 },
    });
    await service.senders.delete('snd_gone');
    expect(await refused({ email: 'snd_gone' })).toBe('unknown_sender');
    // Nothing was stored for the refused requests.
    const campaigns = await database.db.selectFrom('contact_campaigns').select('id').execute();
    expect(campaigns).toHaveLength(1);
  });

  it('an SMS plan with no SMS sender is no_sender where a sender is required, and goes from the default number otherwise', async () => {
    const strict = await engine({ smsSenderRequired: true });
    const error = await strict.service
      .persistPlan({ contact: contact(), plan: smsPlan })
      .catch((e: unknown) => e);
    expect((error as CampaignSenderError).code).toBe('no_sender');
    // A disabled SMS sender does not count.
    await strict.service.senders.create({
      id: 'snd_off',
      channel: 'sms',
      from: '+15550001112',
      transport: 'log',
      timezone: 'UTC',
      caps: { daily: 5 },
      enabled: false,
    });
    const again = await strict.service
      .persistPlan({ contact: contact(), plan: smsPlan })
      .catch((e: unknown) => e);
    expect((again as CampaignSenderError).code).toBe('no_sender');
    await strict.service.senders.create({
      id: 'snd_sms',
      channel: 'sms',
      from: '+15550001111',
      transport: 'log',
      timezone: 'UTC',
      caps: { daily: 5 },
    });
    const { campaign } = await strict.service.persistPlan({ contact: contact(), plan: smsPlan });
    expect(await senderOf(strict.service, campaign.id)).toEqual({ email: null, sms: 'snd_sms' });
    await strict.scheduler.runDue();
    expect(strict.smsTransport.sent.map((sms) => sms.sender?.from)).toEqual(['+15550001111']);

    // Where no sender is required (an embedding host), an SMS campaign without one goes from the
    // SMS transport's default number.
    await strict.service.senders.update('snd_sms', { enabled: false });
    const lenient = await engine();
    const open = await lenient.service.persistPlan({ contact: contact(), plan: smsPlan });
    expect(await senderOf(lenient.service, open.campaign.id)).toEqual({ email: null, sms: null });
    await lenient.scheduler.runDue();
    expect(lenient.smsTransport.sent.map((sms) => sms.sender)).toEqual([undefined]);
  });

  it('a sender with open campaigns cannot be deleted; once they are over it can', async () => {
    const { service } = await engine();
    await service.senders.create({
      id: 'snd_busy',
      channel: 'email',
      from: 'b@acme.example',
      timezone: 'UTC',
      caps: { daily: 5 },
    });
    const { campaign } = await service.persistPlan({ contact: contact(), plan: emailPlan, activate: false });
    const error = await service.senders.delete('snd_busy').catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('sender_in_use');
    await service.cancel(campaign.id);
    await service.senders.delete('snd_busy');
    expect(await service.senders.list()).toEqual([]);
  });
});
