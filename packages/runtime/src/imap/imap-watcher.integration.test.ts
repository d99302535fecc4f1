import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService, type Plan } from '@campaign/core';
import { InMemoryScheduler, ManualClock, RecordingTransport } from '@campaign/core/testing';
import { KyselyCampaignStore, KyselySenderImapRepository } from '@campaign/db';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { ImapFlow } from 'imapflow';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ImapWatchersOptions, type RunningImapWatchers, startImapWatchers } from './imap-watchers.ts';
import { encryptSecret } from './secret-box.ts';
import type { ImapIntake } from './sender-watcher.ts';

/*
 * The IMAP watcher against a real Dovecot (scripts/services starts it: 127.0.0.1:14143, users
 * <name>@campaign.test, password imap-test-password) and the real service on Postgres. Each test has a
 * mailbox of its own, emptied first. Conditions are polled with a deadline; nothing sleeps for a result.
 */

const IMAP_PORT = Number(process.env.IMAP_TEST_PORT ?? 14143);
const IMAP_DIR = process.env.IMAP_TEST_DIR ?? '/var/tmp/campaign-engine-dovecot';
const PASSWORD = 'imap-test-password';
const KEY_HEX = 'a1'.repeat(32);
const KEY = Buffer.from(KEY_HEX, 'hex');
const ENV = { IMAP_SECRET_KEY: KEY_HEX };
const T0 = new Date('2026-03-02T10:00:00.000Z');
const FAST: ImapWatchersOptions = {
  leaseMs: 1_500,
  renewMs: 250,
  pollIntervalMs: 300,
  backoffBaseMs: 100,
  backoffMaxMs: 400,
};
const logger = pino({ level: 'silent' });

const plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hello',
      body: '<p>Hi</p>',
      transitions: [{ on: 'no_reply', to: 'nudge', after: 'P3D' }],
    },
    { id: 'nudge', action: 'send', subject: 'Again', body: '<p>Again</p>', transitions: [] },
  ],
} as Plan;

async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function imapClient(user: string, password = PASSWORD): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: IMAP_PORT,
    secure: false,
    auth: { user, pass: password },
    logger: false,
  });
}

/** Empties `user`'s INBOX. */
async function emptyMailbox(user: string): Promise<void> {
  const client = imapClient(user);
  await client.connect();
  const box = await client.mailboxOpen('INBOX');
  if (box.exists > 0) await client.messageDelete('1:*');
  await client.logout();
}

/** Appends `raw` to `user`'s INBOX; its UID (UIDs keep growing across runs: never 1, 2, ...). */
async function append(user: string, raw: string): Promise<number> {
  const client = imapClient(user);
  await client.connect();
  const answer = await client.append('INBOX', raw);
  await client.logout();
  if (!answer || answer.uid === undefined) throw new Error('append answered no UID');
  return answer.uid;
}

function mail(opts: {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  inReplyTo?: string;
  date: Date;
}) {
  return [
    `Message-ID: <${opts.messageId}>`,
    `From: ${opts.from}`,
    `To: ${opts.to}`,
    `Subject: ${opts.subject}`,
    `Date: ${opts.date.toUTCString()}`,
    ...(opts.inReplyTo ? [`In-Reply-To: ${opts.inReplyTo}`, `References: ${opts.inReplyTo}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Thanks, that sounds interesting.',
    '',
  ].join('\r\n');
}

function dovecot(...args: string[]): void {
  execFileSync('dovecot', ['-c', `${IMAP_DIR}/dovecot.conf`, ...args], { stdio: 'ignore' });
}

/** Stops Dovecot, first dropping `user`'s sessions (its imap processes can outlive the master). */
function stopDovecot(user: string): void {
  execFileSync('doveadm', ['-c', `${IMAP_DIR}/dovecot.conf`, 'kick', user], { stdio: 'ignore' });
  dovecot('stop');
}

async function imapUp(): Promise<boolean> {
  const client = imapClient('replies@campaign.test');
  try {
    await client.connect();
    await client.logout();
    return true;
  } catch {
    return false;
  }
}

describe('IMAP watcher against Dovecot and Postgres', () => {
  let database: TestDatabase;
  let repository: KyselySenderImapRepository;
  let service: CampaignPlanExecutionService;
  let clock: ManualClock;
  let scheduler: InMemoryScheduler;
  let transport: RecordingTransport;
  const running: RunningImapWatchers[] = [];
  const senders: string[] = [];

  beforeAll(async () => {
    execFileSync('scripts/services', {
      cwd: new URL('../../../..', import.meta.url).pathname,
      stdio: 'ignore',
    });
    database = await createTestDatabase('postgres');
    repository = new KyselySenderImapRepository(database.db);
    const store = new KyselyCampaignStore(database.db);
    clock = new ManualClock(T0);
    scheduler = new InMemoryScheduler(clock);
    transport = new RecordingTransport();
    service = new CampaignPlanExecutionService({
      store,
      scheduler,
      transport,
      clock,
      mailFrom: 'Acme <outreach@acme.example>',
    });
    await scheduler.start(async (id) => {
      await service.executeAction(id);
    });
  }, 60_000);
  afterEach(async () => {
    for (const watchers of running.splice(0)) await watchers.stop();
    // The next test's watchers see only its own sender.
    for (const id of senders.splice(0)) await repository.remove(id);
  });
  afterAll(async () => database?.dispose());

  const intake: ImapIntake = (parsed) => service.recordInbound(parsed, 'imap');

  async function start(intakeFn: ImapIntake = intake, options: ImapWatchersOptions = {}) {
    const registry = new Registry();
    const watchers = await startImapWatchers({
      db: database.db,
      intake: intakeFn,
      logger,
      registry,
      env: ENV,
      options: { ...FAST, ...options },
    });
    running.push(watchers);
    const count = async (name: string, label: string) =>
      (await registry.getSingleMetric(name)?.get())?.values.find((v) =>
        Object.values(v.labels).includes(label),
      )?.value ?? 0;
    return { watchers, registry, count };
  }

  /** A sender watching `user`'s mailbox (emptied), and its id. */
  async function senderFor(user: string, password = PASSWORD): Promise<string> {
    await emptyMailbox(user);
    const id = `imap-${randomUUID().slice(0, 8)}`;
    senders.push(id);
    await database.db
      .insertInto('senders')
      .values({
        id,
        channel: 'email',
        from_address: user,
        timezone: 'UTC',
        daily_cap: 1000,
        enabled: false,
        created_at: T0,
        updated_at: T0,
      } as never)
      .execute();
    await repository.put(
      id,
      { host: '127.0.0.1', port: IMAP_PORT, tls: false, user, passwordEnc: encryptSecret(KEY, password) },
      T0,
    );
    return id;
  }

  /** A campaign whose intro was sent; its Message-ID header and a state reader. */
  async function sentCampaign() {
    const email = `ada.${randomUUID()}@prospect.example`;
    const { campaign } = await service.persistPlan({ contact: { email, name: 'Ada' }, plan });
    const before = transport.sent.length;
    await scheduler.runDue();
    const sent = transport.sent.slice(before).find((m) => m.to === email) ?? transport.sent[before];
    if (!sent) throw new Error('intro not sent');
    const state = async () => (await service.getCampaign(campaign.id)).campaign.state;
    return { email, campaign, messageIdHeader: sent.messageIdHeader, state };
  }

  const eventCount = async (providerEventId: string) =>
    Number(
      (
        await database.db
          .selectFrom('message_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('provider_event_id', '=', providerEventId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const unmatchedCount = async (messageId: string) => {
    // biome-ignore lint/suspicious/noExplicitAny: the inbound table (I2's migration), read untyped here
    const db = database.db as any;
    const row = await db
      .selectFrom('inbound_unmatched')
      .select(db.fn.countAll().as('n'))
      .where('message_id', '=', messageId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const position = async (senderId: string) => (await repository.get(senderId))?.lastUid ?? -1;

  it('a reply appended to the mailbox stops the campaign, once', async () => {
    const user = 'watcher-a@campaign.test';
    const senderId = await senderFor(user);
    const { watchers } = await start();
    expect(watchers.senderIds()).toEqual([senderId]);
    const { email, messageIdHeader, state } = await sentCampaign();
    const replyId = `${randomUUID()}@client.example`;
    const uid = await append(
      user,
      mail({
        messageId: replyId,
        from: email,
        to: user,
        subject: 'Re: Hello',
        inReplyTo: messageIdHeader,
        date: new Date(T0.getTime() - 60_000),
      }),
    );
    const stopped = await until('the campaign to stop', async () => {
      const s = await state();
      return s.status === 'stopped' && s;
    });
    expect(stopped.stopReason).toBe('replied');
    expect(await eventCount(replyId)).toBe(1);
    await until('the position to be saved', async () => (await position(senderId)) === uid);
  }, 30_000);

  it('Dovecot restarted mid-watch and a worker killed mid-fetch: no message lost, none counted twice', async () => {
    const user = 'watcher-b@campaign.test';
    const senderId = await senderFor(user);
    const ids = Array.from({ length: 4 }, (_, i) => `m${i}-${randomUUID()}@elsewhere.example`);
    const raw = (i: number) =>
      mail({
        messageId: ids[i] as string,
        from: `someone${i}@elsewhere.example`,
        to: user,
        subject: `note ${i}`,
        date: T0,
      });

    // Worker A: the third message is recorded, then the process freezes before saving its position.
    let hung = false;
    const a = await start(async (parsed) => {
      const answer = await intake(parsed);
      if (parsed.messageId === ids[2]) {
        hung = true;
        return new Promise<never>(() => {});
      }
      return answer;
    });
    const uids: number[] = [];
    uids.push(await append(user, raw(0)));
    await until('m0 recorded', async () => (await unmatchedCount(ids[0] as string)) === 1);

    stopDovecot(user);
    await until('Dovecot down', async () => !(await imapUp()));
    dovecot();
    await until('Dovecot up', imapUp);
    uids.push(await append(user, raw(1)));
    await until('m1 recorded after the restart', async () => (await unmatchedCount(ids[1] as string)) === 1);
    // The lost connection was seen (by a command that failed, or by its close) and the watcher reconnected.
    const lost =
      (await a.count('campaign_imap_errors_total', 'connect')) +
      (await a.count('campaign_imap_errors_total', 'fetch'));
    expect(lost).toBeGreaterThanOrEqual(1);

    uids.push(await append(user, raw(2)));
    await until('m2 handed to the intake', async () => hung);
    a.watchers.kill();
    expect(await position(senderId)).toBe(uids[1]);

    // Worker B takes over once A's lease expired, reads m2 again (counted once) and goes on.
    const b = await start();
    uids.push(await append(user, raw(3)));
    await until('B took the sender over', async () => {
      await b.watchers.tick();
      return b.watchers.senderIds().includes(senderId);
    });
    await until('m3 recorded', async () => (await unmatchedCount(ids[3] as string)) === 1);
    await until('the position at m3', async () => (await position(senderId)) === uids[3]);
    for (const id of ids) expect(await unmatchedCount(id)).toBe(1);
    expect(await b.count('campaign_imap_messages_total', 'duplicate')).toBe(0);
    // m2 was stored as unmatched by A: B's second reading is the intake's duplicate unmatched answer.
    expect(await b.count('campaign_imap_messages_total', 'unmatched')).toBe(2);
  }, 60_000);

  it('a refused login disables the watcher with the reason on the sender, until its settings change', async () => {
    const user = 'watcher-c@campaign.test';
    const senderId = await senderFor(user, 'not-the-password');
    const { watchers, count } = await start();
    const refused = await until('the watcher disabled', async () => {
      const stored = await repository.get(senderId);
      return stored?.error ? stored : undefined;
    });
    expect(refused.error).toMatch(/^imap login refused: /);
    expect(refused.error).not.toContain('not-the-password');
    expect(await count('campaign_imap_errors_total', 'auth')).toBe(1);
    await watchers.tick();
    expect(watchers.senderIds()).toEqual([]);

    // Still off: no retry until the settings are updated.
    await watchers.tick();
    expect(await count('campaign_imap_errors_total', 'auth')).toBe(1);

    await repository.put(
      senderId,
      { host: '127.0.0.1', port: IMAP_PORT, tls: false, user, passwordEnc: encryptSecret(KEY, PASSWORD) },
      new Date(),
    );
    await watchers.tick();
    expect(watchers.senderIds()).toEqual([senderId]);
    const id = `${randomUUID()}@elsewhere.example`;
    await append(
      user,
      mail({ messageId: id, from: 'x@elsewhere.example', to: user, subject: 'hi', date: T0 }),
    );
    await until('the message recorded', async () => (await unmatchedCount(id)) === 1);
    expect((await repository.get(senderId))?.error).toBeNull();
  }, 30_000);
});
