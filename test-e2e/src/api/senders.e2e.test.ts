import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, pgbossEnv, startApi } from '../support/api.ts';
import { answer, type CampaignView, firstSend, ok, typedClient, waitForView } from '../support/client.ts';
import { type ReceivedMail, SmtpSink } from '../support/smtp-sink.ts';

/*
 * Senders end to end (issue 12): the compiled API process with its in-process workers, real Postgres
 * and a real SMTP server. A campaign created before any sender exists goes out as before, from
 * MAIL_FROM; once a sender exists a new campaign gets it, its email goes `From:` that sender, and the
 * sender's usage counts it. A bad sender body is refused by the running process too. Every call goes
 * through @campaign/client, typed from the OpenAPI document.
 */

const API_KEY = 'senders-e2e-api-key-0123456789abcdef';
const MAIL_FROM = 'Engine Default <default@engine.example>';

const plan: Plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'hello',
  nodes: [{ id: 'hello', action: 'send', subject: 'Hello {{name}}', body: '<p>Hi</p>', transitions: [] }],
};

function fromOf(mail: ReceivedMail): { name: string; address: string }[] {
  return (mail.raw.from?.value ?? []).map((a) => ({ name: a.name, address: a.address ?? '' }));
}

describe('senders end to end', { timeout: 90_000 }, () => {
  const sink = new SmtpSink();
  let database: TestDatabase;
  let api: ApiProcess;
  const client = typedClient(
    {
      get base() {
        return api.base;
      },
    },
    API_KEY,
  );

  beforeAll(async () => {
    const smtpUrl = await sink.listen();
    database = await createTestDatabase('postgres');
    api = await startApi({
      ...pgbossEnv(database, 'senders'),
      API_KEY,
      UNSUBSCRIBE_SECRET: 'senders-e2e-unsubscribe-secret-0123456789',
      RUN_WORKERS: '1',
      QUEUE_POLL_SECONDS: '0.5',
      SMTP_URL: smtpUrl,
      MAIL_FROM,
    });
  }, 60_000);
  afterAll(async () => {
    await api?.stop();
    await database?.dispose();
    await sink.close();
  });

  async function sendAndReceive(): Promise<{ view: CampaignView; mail: ReceivedMail }> {
    const email = `${randomUUID()}@example.com`;
    const created = await answer(
      client.POST('/v1/campaigns', { body: { contact: { email, name: 'Ada' }, plan } }),
    );
    expect(created.status).toBe(201);
    const view = await waitForView(client, created.data?.id ?? '', (v) => firstSend(v) !== undefined);
    const [mail] = await sink.waitFor((m) => m.to === email);
    if (!mail) throw new Error('no mail arrived');
    return { view, mail };
  }

  it('without senders, a campaign runs as before and its email goes from MAIL_FROM', async () => {
    const { view, mail } = await sendAndReceive();
    expect(view.senderIds).toEqual({ email: null, sms: null });
    expect(fromOf(mail)).toEqual([{ name: 'Engine Default', address: 'default@engine.example' }]);
  });

  it('with a sender, a new campaign gets it, sends from it, and the sender counts the send', async () => {
    const created = await answer(
      client.POST('/v1/senders', {
        body: {
          id: 'ada',
          channel: 'email',
          from: 'Ada Lovelace <ada@acme.example>',
          timezone: 'UTC',
          caps: { daily: 50 },
        },
      }),
    );
    expect(created.status).toBe(201);
    const { view, mail } = await sendAndReceive();
    expect(view.senderIds).toEqual({ email: 'ada', sms: null });
    expect(fromOf(mail)).toEqual([{ name: 'Ada Lovelace', address: 'ada@acme.example' }]);
    const sender = await ok(client.GET('/v1/senders/{id}', { params: { path: { id: 'ada' } } }));
    expect(sender.usage).toEqual({ today: 1, lastHour: 1 });
    expect(sender.effectiveDailyCap).toBe(50);
  });

  it('the running API refuses a bad sender with 400 invalid_sender', async () => {
    const res = await answer(
      client.POST('/v1/senders', {
        body: { channel: 'email', from: 'ada@acme.example', timezone: 'UTC', caps: { daily: 0 } },
      }),
    );
    expect(res).toMatchObject({
      status: 400,
      type: expect.stringContaining('application/problem+json'),
      error: { code: 'invalid_sender', issues: [{ path: '/caps/daily', message: expect.any(String) }] },
    });
  });
});
