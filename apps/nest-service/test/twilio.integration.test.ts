import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignUuid, eventually, useApi } from './support/start-api.ts';

/*
 * Twilio end to end through the API (issue 12 item 6): the engine sends an SMS through the Twilio SDK to a
 * local stand-in for Twilio's REST API (TWILIO_API_BASE_URL), from the campaign's SMS sender, asking
 * for the status callback; POST /v1/webhooks/twilio takes signed status callbacks and inbound messages.
 * Test signatures are computed here by Twilio's documented scheme (HMAC-SHA1 of the URL followed by
 * each parameter name and value, sorted by name, base64), independently of the SDK the service uses.
 */

const AUTH_TOKEN = 'twilio-test-auth-token';
const ACCOUNT_SID = `AC${'2'.repeat(32)}`;
const SENDER_NUMBER = '+15550001111';
const PUBLIC_URL = 'https://engine.example';
const HOOK = `${PUBLIC_URL}/v1/webhooks/twilio`;

function twilioSignature(url: string, params: Record<string, string>, token = AUTH_TOKEN): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + name + params[name], url);
  return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

/** A zone in which the current instant is around noon, so the SMS legal window [08:00, 21:00) is open. */
function noonZone(): string {
  const offset = ((12 - new Date().getUTCHours() + 36) % 24) - 12;
  return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

describe('Twilio SMS through the API', { timeout: 90_000 }, () => {
  let standIn: Server;
  let twilioBase: string;
  const received: Record<string, string>[] = [];

  beforeAll(async () => {
    standIn = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
        received.push(form);
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sid: `SM${randomUUID().replaceAll('-', '')}`, status: 'queued' }));
      });
    });
    await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
    twilioBase = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => standIn?.close(resolve)));

  const api = useApi(
    () => ({
      QUEUE_POLL_SECONDS: '0.1',
      PUBLIC_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_BASE_URL: twilioBase,
    }),
    { workers: true },
  );
  const { call } = api;

  async function hook(
    params: Record<string, string>,
    signature: string | null = twilioSignature(HOOK, params),
  ) {
    const res = await fetch(`${api.url}/v1/webhooks/twilio`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === null ? {} : { 'x-twilio-signature': signature }),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  const eventCount = async (providerEventId: string) =>
    (
      await api.database.db
        .selectFrom('message_events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('provider', '=', 'twilio')
        .where('provider_event_id', '=', providerEventId)
        .executeTakeFirstOrThrow()
    ).n;

  it('sends through the SDK from the sender number, takes signed callbacks, refuses unsigned ones, and STOP/START', async () => {
    const sender = await call('POST', '/v1/senders', {
      channel: 'sms',
      from: SENDER_NUMBER,
      timezone: 'UTC',
      caps: { daily: 100 },
      transport: 'twilio',
    });
    expect(sender.status).toBe(201);
    const phone = `+49151${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const plan = {
      version: '1.1',
      timezone: noonZone(),
      startNodeId: 'hello',
      nodes: [
        {
          id: 'hello',
          action: 'send',
          channel: 'sms',
          text: 'Hi {{name}}',
          transitions: [{ on: 'no_reply', to: 'done', after: 'P1D' }],
        },
        { id: 'done', action: 'end' },
      ],
    };
    const created = await call('POST', '/v1/campaigns', { contact: { phone, name: 'Ada' }, plan });
    expect(created.status).toBe(201);

    const sent = await eventually(async () => received[0], 'the SMS at the Twilio stand-in');
    expect(sent).toMatchObject({ To: phone, From: SENDER_NUMBER, Body: 'Hi Ada', StatusCallback: HOOK });
    const sid = await eventually(async () => {
      const row = await api.database.db
        .selectFrom('outbound_messages')
        .select(['provider_message_id', 'status'])
        .where('campaign_id', '=', campaignUuid(String(created.json.id)))
        .executeTakeFirst();
      return row?.status === 'sent' ? (row.provider_message_id ?? undefined) : undefined;
    }, 'the send recorded');
    expect(sid).toMatch(/^SM/);

    const delivered = { MessageSid: sid, MessageStatus: 'delivered', From: SENDER_NUMBER, To: phone };
    // Missing and forged signatures: 401, nothing stored.
    expect((await hook(delivered, null)).status).toBe(401);
    expect((await hook(delivered, twilioSignature(HOOK, delivered, 'not-the-token'))).json.code).toBe(
      'invalid_signature',
    );
    expect(await eventCount(`${sid}:delivered`)).toBe('0');
    const ok = await hook(delivered);
    expect(ok).toMatchObject({ status: 200, json: { accepted: 1 } });
    expect(await eventCount(`${sid}:delivered`)).toBe('1');

    const stop = {
      MessageSid: `SM${randomUUID().replaceAll('-', '')}`,
      From: phone,
      To: SENDER_NUMBER,
      Body: ' Stop ',
    };
    expect(await hook(stop)).toMatchObject({ status: 200, json: { accepted: 1 } });
    const campaign = await call('GET', `/v1/campaigns/${created.json.id}`);
    expect(campaign.json).toMatchObject({ status: 'stopped', stopReason: 'unsubscribed' });
    const suppressed = async () =>
      (
        await api.database.db
          .selectFrom('contacts')
          .select('sms_suppressed_at')
          .where('phone', '=', phone)
          .executeTakeFirstOrThrow()
      ).sms_suppressed_at;
    expect(await suppressed()).not.toBeNull();

    const start = {
      MessageSid: `SM${randomUUID().replaceAll('-', '')}`,
      From: phone,
      To: SENDER_NUMBER,
      Body: 'START',
    };
    expect((await hook(start)).status).toBe(200);
    expect(await suppressed()).toBeNull();

    // Regression (issue 12): a STOP to a number we never texted this contact from still suppresses it.
    const elsewhere = {
      MessageSid: `SM${randomUUID().replaceAll('-', '')}`,
      From: phone,
      To: '+15550009999',
      Body: 'stop',
    };
    expect(await hook(elsewhere)).toMatchObject({ status: 200, json: { accepted: 1, rejected: [] } });
    expect(await suppressed()).not.toBeNull();
  });
});
