import { randomUUID } from 'node:crypto';
import type { NewSender } from '@campaign/core';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { migrateToLatest } from './migrate.ts';
import { migrations } from './migrations/index.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/*
 * The senders repository (issue 12, migration 0009): CRUD with a soft delete, the database's own checks,
 * and usage counted by the claim instant (the service's clock), live apart from shadow.
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');
const MIN = 60_000;

function newSender(id: string, overrides: Partial<NewSender> = {}): NewSender {
  return {
    id,
    channel: 'email',
    from: 'Ada <ada@acme.example>',
    timezone: 'Europe/Berlin',
    caps: { daily: 100 },
    warmup: null,
    enabled: true,
    transport: 'smtp',
    createdAt: T0,
    ...overrides,
  };
}

describe.each(['postgres', 'pglite'] as const)('senders repository on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  });
  afterAll(async () => {
    await database.dispose();
  });

  it('stores, reads, lists by channel in id order, updates and soft-deletes a sender', async () => {
    await store.transaction(async (tx) => {
      const created = await tx.senders.insert(
        newSender('snd_b', {
          caps: { daily: 50, hourly: 10, minGap: 'PT30S' },
          warmup: { start: 5, days: 10 },
        }),
      );
      expect(created).toMatchObject({
        id: 'snd_b',
        channel: 'email',
        from: 'Ada <ada@acme.example>',
        timezone: 'Europe/Berlin',
        caps: { daily: 50, hourly: 10, minGap: 'PT30S' },
        warmup: { start: 5, days: 10 },
        enabled: true,
        transport: 'smtp',
        pausedAt: null,
        pausedReason: null,
        health: null,
      });
      expect(created?.createdAt.toISOString()).toBe(T0.toISOString());
      await tx.senders.insert(newSender('snd_a'));
      await tx.senders.insert(
        newSender('snd_sms', { channel: 'sms', from: '+15550001111', transport: 'twilio', timezone: 'UTC' }),
      );
    });
    const read = await store.transaction((tx) => tx.senders.get('snd_b'));
    expect(read?.caps).toEqual({ daily: 50, hourly: 10, minGap: 'PT30S' });
    // Caps without the optional ones come back without the keys.
    expect((await store.transaction((tx) => tx.senders.get('snd_a')))?.caps).toEqual({ daily: 100 });

    const emails = await store.transaction((tx) => tx.senders.list('email'));
    expect(emails.map((s) => s.id)).toEqual(['snd_a', 'snd_b']);
    const all = await store.transaction((tx) => tx.senders.list());
    expect(all.map((s) => s.id)).toEqual(['snd_a', 'snd_b', 'snd_sms']);

    const later = new Date(T0.getTime() + 5 * MIN);
    const updated = await store.transaction((tx) =>
      tx.senders.update(
        'snd_b',
        {
          enabled: false,
          warmup: null,
          caps: { daily: 70 },
          pausedAt: later,
          pausedReason: 'complaint_rate',
          health: { complaintRate: 0.004 },
        },
        later,
      ),
    );
    expect(updated).toMatchObject({
      enabled: false,
      warmup: null,
      caps: { daily: 70 },
      pausedReason: 'complaint_rate',
    });
    expect(updated?.pausedAt?.toISOString()).toBe(later.toISOString());
    expect(updated?.health).toEqual({ complaintRate: 0.004 });
    // An absent field is kept.
    const kept = await store.transaction((tx) => tx.senders.update('snd_b', { enabled: true }, later));
    expect(kept).toMatchObject({ enabled: true, caps: { daily: 70 }, from: 'Ada <ada@acme.example>' });

    expect(await store.transaction((tx) => tx.senders.softDelete('snd_a', later))).toBe(true);
    expect(await store.transaction((tx) => tx.senders.softDelete('snd_a', later))).toBe(false);
    expect(await store.transaction((tx) => tx.senders.get('snd_a'))).toBeNull();
    expect(await store.transaction((tx) => tx.senders.lock('snd_a'))).toBeNull();
    expect(await store.transaction((tx) => tx.senders.update('snd_a', { enabled: false }, later))).toBeNull();
    expect((await store.transaction((tx) => tx.senders.list('email'))).map((s) => s.id)).toEqual(['snd_b']);
    // The id of a deleted sender stays taken (its campaigns and messages still name it).
    expect(await store.transaction((tx) => tx.senders.insert(newSender('snd_a')))).toBeNull();
    expect(await store.transaction((tx) => tx.senders.insert(newSender('snd_b')))).toBeNull();
  });

  it('refuses in the database what the API refuses: a cap of zero, a warm-up of 367 days, a transport of the other channel', async () => {
    await expect(
      store.transaction((tx) => tx.senders.insert(newSender('bad1', { caps: { daily: 0 } }))),
    ).rejects.toThrow();
    await expect(
      store.transaction((tx) => tx.senders.insert(newSender('bad2', { warmup: { start: 1, days: 367 } }))),
    ).rejects.toThrow();
    await expect(
      store.transaction((tx) => tx.senders.insert(newSender('bad3', { transport: 'twilio' }))),
    ).rejects.toThrow();
    expect(await store.transaction((tx) => tx.senders.get('bad1'))).toBeNull();
  });

  it('counts usage by claim instant in [from, to), live (sending, sent) apart from shadow, and the last claim', async () => {
    await store.transaction((tx) => tx.senders.insert(newSender('snd_usage')));
    const contactId = `c-${randomUUID()}`;
    const campaignId = randomUUID();
    await sql`insert into contacts (id, email, attributes) values (${contactId}, 'u@example.com', '{}')`.execute(
      database.db,
    );
    await sql`insert into contact_campaigns (id, contact_id, plan, timezone, status, created_at, updated_at, email_sender_id)
      values (${campaignId}, ${contactId}, '{"nodes":[]}', 'UTC', 'active', ${T0}, ${T0}, 'snd_usage')`.execute(
      database.db,
    );
    const rows: [string, number][] = [
      ['sending', 0],
      ['sent', 10],
      ['failed', 20],
      ['sent', 59],
      ['shadow', 30],
      ['sent', 60],
    ];
    let step = 0;
    const messageAt = new Map<number, string>();
    for (const [status, minutes] of rows) {
      step += 1;
      const actionId = randomUUID();
      const at = new Date(T0.getTime() + minutes * MIN);
      await sql`insert into scheduled_actions (id, contact_id, campaign_id, kind, node_id, step, due_at, run_at, status, idempotency_key)
        values (${actionId}, ${contactId}, ${campaignId}, 'send', 'n', ${step}, ${at}, ${at}, 'done', ${`k${step}`})`.execute(
        database.db,
      );
      const { rows: inserted } = await sql<{
        id: string;
      }>`insert into outbound_messages (contact_id, campaign_id, action_id, node_id, step, dedupe_key, to_email, subject, body, status, sender_id, claimed_at)
        values (${contactId}, ${campaignId}, ${actionId}, 'n', ${step}, ${`d${step}`}, 'u@example.com', 's', 'b', ${status}, 'snd_usage', ${at})
        returning id`.execute(database.db);
      messageAt.set(minutes, inserted[0]?.id ?? '');
    }
    // Health: a complaint on the sent@10 message, a (hard) bounce on sent@59, and a complaint on the
    // failed one, which is no sent message and is not counted.
    for (const [minutes, type] of [
      [10, 'complained'],
      [59, 'bounced'],
      [20, 'complained'],
    ] as const) {
      await sql`insert into message_events (contact_id, campaign_id, message_id, provider, provider_event_id, type, occurred_at)
        values (${contactId}, ${campaignId}, ${messageAt.get(minutes)}, 'test', ${randomUUID()}, ${type}, ${T0})`.execute(
        database.db,
      );
    }
    const hourEnd = new Date(T0.getTime() + 60 * MIN);
    await store.transaction(async (tx) => {
      // [T0, T0+60min): sending@0, sent@10, sent@59; failed gave its slot back; shadow apart; @60 excluded.
      expect(await tx.senders.countSends('snd_usage', T0, hourEnd)).toBe(3);
      expect(await tx.senders.countSends('snd_usage', T0, hourEnd, 'shadow')).toBe(1);
      expect(
        await tx.senders.countSends(
          'snd_usage',
          new Date(T0.getTime() + MIN),
          new Date(T0.getTime() + 61 * MIN),
        ),
      ).toBe(3);
      expect((await tx.senders.lastSendAt('snd_usage'))?.toISOString()).toBe(hourEnd.toISOString());
      expect((await tx.senders.lastSendAt('snd_usage', 'shadow'))?.toISOString()).toBe(
        new Date(T0.getTime() + 30 * MIN).toISOString(),
      );
      expect(await tx.senders.activeCampaignCount('snd_usage')).toBe(1);
      // Sent messages, latest claim first: @60, @59, @10.
      expect(await tx.senders.healthCounts('snd_usage', 1000)).toEqual({
        sent: 3,
        complaints: 1,
        hardBounces: 1,
      });
      expect(await tx.senders.healthCounts('snd_usage', 2)).toEqual({
        sent: 2,
        complaints: 0,
        hardBounces: 1,
      });
      expect(await tx.senders.healthCounts('snd_usage', 1)).toEqual({
        sent: 1,
        complaints: 0,
        hardBounces: 0,
      });
    });
    await sql`update contact_campaigns set status = 'completed' where id = ${campaignId}`.execute(
      database.db,
    );
    expect(await store.transaction((tx) => tx.senders.activeCampaignCount('snd_usage'))).toBe(0);
  });
});

describe.each(['postgres', 'pglite'] as const)('migration 0009 down and up on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  }, 30_000);
  afterAll(async () => database?.dispose());

  it('goes back to 0008 without the senders, their columns or the shadow status, and forward again', async () => {
    const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
    const down = await migrator.migrateTo('0008-sms-suppression');
    expect(down.error).toBeUndefined();
    const { rows: tables } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_name in ('senders', 'sending_control')`.execute(database.db);
    expect(tables).toEqual([]);
    const { rows: columns } = await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where (table_name = 'outbound_messages' and column_name in ('sender_id', 'claimed_at'))
         or (table_name = 'contact_campaigns' and column_name in ('email_sender_id', 'sms_sender_id', 'mode'))`.execute(
      database.db,
    );
    expect(columns).toEqual([]);
    await migrateToLatest(database.db);
    const store = new KyselyCampaignStore(database.db);
    expect((await store.transaction((tx) => tx.senders.insert(newSender('again'))))?.id).toBe('again');
    const { rows: control } = await sql<{ enabled: boolean }>`select enabled from sending_control`.execute(
      database.db,
    );
    expect(control).toEqual([{ enabled: true }]);
  });
});
