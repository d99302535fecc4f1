import { randomUUID } from 'node:crypto';
import { ManualClock } from '@campaign/core/testing';
import { KyselySenderImapRepository } from '@campaign/db';
import { decryptSecret } from '@campaign/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useApi } from './support/start-api.ts';

/*
 * The senders API's `imap` field (issue 13) over HTTP on Postgres: stored with the password encrypted
 * under IMAP_SECRET_KEY (AES-256-GCM), answered as {host, port, tls, user, mailbox, hasPassword, error,
 * errorAt} and never with the password; bad settings are 400 invalid_sender naming /imap/...; an
 * update without a password keeps the stored one; `imap: null` removes them.
 */

const IMAP_KEY_HEX = '5c'.repeat(32);
const PASSWORD = 'mailbox-password-do-not-show';

describe('/v1/senders imap settings', { timeout: 60_000 }, () => {
  let previousKey: string | undefined;

  beforeAll(() => {
    previousKey = process.env.IMAP_SECRET_KEY;
    process.env.IMAP_SECRET_KEY = IMAP_KEY_HEX;
  });
  afterAll(() => {
    if (previousKey === undefined) delete process.env.IMAP_SECRET_KEY;
    else process.env.IMAP_SECRET_KEY = previousKey;
  });
  const api = useApi({}, { clock: new ManualClock(new Date('2026-03-02T10:00:00.000Z')) });
  const { call } = api;

  const imap = {
    host: 'imap.acme.example',
    port: 993,
    tls: true,
    user: 'outreach@acme.example',
    password: PASSWORD,
  };
  const emailSender = (id: string) => ({
    id,
    channel: 'email',
    from: 'outreach@acme.example',
    timezone: 'UTC',
    caps: { daily: 100 },
  });

  it('stores the password encrypted and never answers it', async () => {
    const created = await call('POST', '/v1/senders', { ...emailSender('mail-1'), imap });
    expect(created.status).toBe(201);
    const expected = {
      host: 'imap.acme.example',
      port: 993,
      tls: true,
      user: 'outreach@acme.example',
      mailbox: 'INBOX',
      hasPassword: true,
      error: null,
      errorAt: null,
    };
    expect(created.json.imap).toEqual(expected);
    expect(created.text).not.toContain(PASSWORD);
    for (const answer of [await call('GET', '/v1/senders/mail-1'), await call('GET', '/v1/senders')]) {
      expect(answer.text).not.toContain(PASSWORD);
      expect(answer.text).toContain('"hasPassword":true');
    }
    const stored = await new KyselySenderImapRepository(api.database.db).get('mail-1');
    expect(stored?.passwordEnc).not.toContain(PASSWORD);
    expect(decryptSecret(Buffer.from(IMAP_KEY_HEX, 'hex'), stored?.passwordEnc ?? '')).toBe(PASSWORD);
    // Another key does not decrypt it (an error, not a wrong password).
    expect(() => decryptSecret(Buffer.from('5d'.repeat(32), 'hex'), stored?.passwordEnc ?? '')).toThrow(
      /does not decrypt/,
    );
  });

  it('an update without a password keeps the stored one; null removes the settings', async () => {
    await call('POST', '/v1/senders', { ...emailSender('mail-2'), imap });
    const repo = new KyselySenderImapRepository(api.database.db);
    const before = (await repo.get('mail-2'))?.passwordEnc;
    const patched = await call('PATCH', '/v1/senders/mail-2', {
      imap: { ...imap, password: undefined, port: 1993 },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.imap.port).toBe(1993);
    expect((await repo.get('mail-2'))?.passwordEnc).toBe(before);
    const removed = await call('PATCH', '/v1/senders/mail-2', { imap: null });
    expect(removed.status).toBe(200);
    expect(removed.json.imap).toBeUndefined();
    expect(await repo.get('mail-2')).toBeNull();
  });

  it('bad settings are 400 invalid_sender naming the field, storing nothing', async () => {
    const cases: [unknown, string][] = [
      [{ ...imap, port: 0 }, '/imap/port'],
      [{ ...imap, host: '' }, '/imap/host'],
      [{ ...imap, tls: 'yes' }, '/imap/tls'],
      [{ ...imap, password: undefined }, '/imap/password'],
      [{ ...imap, extra: 1 }, '/imap'],
    ];
    for (const [bad, path] of cases) {
      const id = `bad-${randomUUID().slice(0, 8)}`;
      const answer = await call('POST', '/v1/senders', { ...emailSender(id), imap: bad });
      expect(answer.status, JSON.stringify(bad)).toBe(400);
      expect(answer.json.code).toBe('invalid_sender');
      expect(JSON.stringify(answer.json)).toContain(path);
      expect((await call('GET', `/v1/senders/${id}`)).status).toBe(404);
    }
    const sms = await call('POST', '/v1/senders', {
      id: 'sms-imap',
      channel: 'sms',
      from: '+14155550100',
      timezone: 'UTC',
      caps: { daily: 10 },
      imap,
    });
    expect(sms.status).toBe(400);
    expect(sms.text).toContain('only an email sender has imap settings');
  });
});
