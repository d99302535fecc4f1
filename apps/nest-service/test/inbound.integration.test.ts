import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { campaignUuid, eventually, useApi } from './support/start-api.ts';

/** An API answer as the assertions read it: any nested field. */
// biome-ignore lint/suspicious/noExplicitAny: the tests index into answers freely
type AnswerJson = Record<string, any>;

/*
 * Inbound mail through the API over HTTP on Postgres (issue 13, DESIGN section 14): every way in (the
 * raw MIME endpoint, SendGrid Inbound Parse, Mailgun route forwards, Postmark inbound) takes real
 * messages from public sources (packages/inbound/fixtures, origins in its README) whose addresses and
 * Message-IDs are rewritten to answer what this engine sent. A genuine reply stops the campaign; the
 * same reply by two ways in counts once; an out-of-office is recorded as an auto-reply and stops
 * nothing; a 5.1.1 DSN stops it as bounced, a 4.1.1 one does not; an unmatched message is listed and
 * counted and creates no contact; forged, oversized and malformed requests store nothing.
 */

const KEY = 'inbound-test-api-key-0123456789';
const OURS = 'outreach@acme.example';
const SENDGRID = { user: 'sg-inbound', password: 'sg-inbound-secret' };
const POSTMARK = { user: 'pm-inbound', password: 'pm-inbound-secret' };
const MAILGUN_KEY = 'mailgun-signing-key-0123456789';
const FIXTURES = new URL('../../../packages/inbound/fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'latin1');
const basic = (c: { user: string; password: string }) =>
  `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}`;

/** Thunderbird's reply (tests/messages/plain_emails/raw_email_reply.eml) as the contact's answer to `ours`. */
function thunderbirdReply(contact: string, ours: string, id = `${randomUUID()}@client.example`): string {
  return fixture('thunderbird-reply.eml')
    .replace('Message-ID: <473FFE27.20003@xxx.org>', `Message-ID: <${id}>`)
    .replace('From: Testing <xxxxxxxx@xxx.org>', `From: Ada <${contact}>`)
    .replace('To: Mikel Lindsaar <mikel@xxxx.net>', `To: Acme <${OURS}>`)
    .replace('In-Reply-To: <348F04F142D69C21-291E56D292BC@xxxx.net>', `In-Reply-To: ${ours}`);
}

describe('inbound mail through the API', { timeout: 90_000 }, () => {
  const api = useApi(
    {
      API_KEY: KEY,
      QUEUE_POLL_SECONDS: '0.1',
      MAIL_FROM: `Acme Outreach <${OURS}>`,
      MESSAGE_ID_DOMAIN: 'mail.acme.example',
      SENDGRID_INBOUND_USER: SENDGRID.user,
      SENDGRID_INBOUND_PASSWORD: SENDGRID.password,
      POSTMARK_WEBHOOK_USER: POSTMARK.user,
      POSTMARK_WEBHOOK_PASSWORD: POSTMARK.password,
      MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_KEY,
    },
    { workers: true },
  );
  const { call } = api;

  /** A campaign whose intro was sent; `ours` is the Message-ID header it went with. */
  async function sentCampaign() {
    const email = `ada.${randomUUID()}@prospect.example`;
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
    };
    const created = await call('POST', '/v1/campaigns', { contact: { email, name: 'Ada' }, plan });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const sent = await eventually(async () => {
      return api.database.db
        .selectFrom('outbound_messages')
        .select(['id', 'message_id_header'])
        .where('campaign_id', '=', campaignUuid(id))
        .where('status', '=', 'sent')
        .executeTakeFirst();
    }, 'the intro to be sent');
    // Its Message-ID as it went: the message id with its contact's (DESIGN section 9).
    expect(sent.message_id_header).toMatch(new RegExp(`^<${sent.id}\\.[^@]+@mail\\.acme\\.example>$`));
    return { id, email, messageId: sent.id, ours: sent.message_id_header ?? '' };
  }

  const campaign = async (id: string) => (await call('GET', `/v1/campaigns/${id}`)).json;

  const mime = (raw: string | Buffer, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) =>
    post('/v1/inbound/mime', raw, { 'content-type': 'message/rfc822', ...headers });

  function sendgrid(raw: string, auth = basic(SENDGRID)) {
    const form = new FormData();
    form.set('to', OURS);
    form.set('email', raw);
    return post('/v1/webhooks/sendgrid-inbound', form, { authorization: auth });
  }

  function mailgun(raw: string, key = MAILGUN_KEY) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = randomUUID().replaceAll('-', '');
    const form = new URLSearchParams({
      timestamp,
      token,
      // Mailgun's documented scheme: hex HMAC-SHA256 of timestamp + token under the signing key.
      signature: createHmac('sha256', key)
        .update(timestamp + token)
        .digest('hex'),
      'body-mime': raw,
    });
    return post('/v1/webhooks/mailgun-inbound/mime', form.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  const postmark = (raw: string, auth = basic(POSTMARK)) =>
    post('/v1/webhooks/postmark-inbound', JSON.stringify({ From: 'x', RawEmail: raw }), {
      'content-type': 'application/json',
      authorization: auth,
    });

  async function post(path: string, body: RequestInit['body'], headers: Record<string, string>) {
    const res = await fetch(`${api.url}${path}`, { method: 'POST', headers, body });
    return { status: res.status, json: (await res.json()) as AnswerJson };
  }

  const counts = async () => {
    const n = async (table: 'message_events' | 'inbound_unmatched' | 'contacts') =>
      Number(
        (
          await api.database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      events: await n('message_events'),
      unmatched: await n('inbound_unmatched'),
      contacts: await n('contacts'),
    };
  };

  it.each([
    ['the MIME endpoint', (raw: string) => mime(raw)],
    ['SendGrid Inbound Parse', (raw: string) => sendgrid(raw)],
    ['a Mailgun route forward', (raw: string) => mailgun(raw)],
    ['Postmark inbound', (raw: string) => postmark(raw)],
  ])('a genuine reply through %s stops the campaign, and the timeline shows why', async (_way, send) => {
    const { id, email, messageId, ours } = await sentCampaign();
    const answer = await send(thunderbirdReply(email, ours));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ result: 'accepted', effect: 'exit', kind: 'reply' });
    const view = await campaign(id);
    expect([view.status, view.stopReason]).toEqual(['stopped', 'replied']);
    const entry = view.timeline.find((e: { kind: string }) => e.kind === 'event');
    expect(entry).toMatchObject({
      type: 'replied',
      message: messageId,
      effect: 'exit',
      inbound: { kind: 'reply', decidedBy: 'no automatic marker' },
    });
  });

  it('the same reply by the MIME endpoint and by SendGrid counts once', async () => {
    const { id, email, ours } = await sentCampaign();
    const raw = thunderbirdReply(email, ours);
    expect((await mime(raw)).json.result).toBe('accepted');
    expect((await sendgrid(raw)).json.result).toBe('duplicate');
    const rows = await api.database.db
      .selectFrom('message_events')
      .select('type')
      .where('campaign_id', '=', campaignUuid(id))
      .execute();
    expect(rows).toEqual([{ type: 'replied' }]);
  });

  it('an out-of-office (Auto-Submitted: auto-replied) is recorded as an auto-reply and does not stop the campaign', async () => {
    const { id, email } = await sentCampaign();
    const ooo = fixture('autoreply-auto-submitted.eml')
      .replace(
        'Message-Id: <200503142138.j3QNaaaa222222@neko.example.org>',
        `Message-Id: <${randomUUID()}@ooo.example>`,
      )
      .replace('To: neko@libsisimai.org', `To: ${OURS}`)
      .replace('From: kijitora@example.net', `From: ${email}`);
    const answer = await mime(ooo);
    expect(answer.json).toMatchObject({ result: 'accepted', effect: 'ignored', kind: 'auto_reply' });
    const view = await campaign(id);
    expect(view.status).toBe('active');
    expect(view.timeline.find((e: { kind: string }) => e.kind === 'event')).toMatchObject({
      type: 'replied',
      inbound: { kind: 'auto_reply', decidedBy: 'Auto-Submitted: auto-replied' },
    });
    const rows = await api.database.db
      .selectFrom('message_events')
      .select('auto_reply')
      .where('campaign_id', '=', campaignUuid(id))
      .execute();
    expect(rows).toEqual([{ auto_reply: true }]);
  });

  it('a Postfix 5.1.1 DSN stops the campaign as bounced; a 4.1.1 one does not', async () => {
    const hard = await sentCampaign();
    const dsn511 = fixture('postfix-dsn-5.1.1.eml')
      .replace(
        'Message-Id: <20130429234532.00000000000@p351355.pool.example.ne.jp>',
        `Message-Id: <${randomUUID()}@mx.example>`,
      )
      // The header, not Delivered-To: which comes first.
      .replace(/^To: shironeko@mx\.example\.jp$/m, `To: ${OURS}`)
      .replace(
        'Final-Recipient: rfc822; r@p351355.pool.example.ne.jp',
        `Final-Recipient: rfc822; ${hard.email}`,
      )
      .replace('Original-Recipient: rfc822;kijitora@example.org', `Original-Recipient: rfc822;${hard.email}`);
    expect((await mime(dsn511)).json).toMatchObject({
      result: 'accepted',
      effect: 'exit',
      kind: 'hard_bounce',
    });
    const stopped = await campaign(hard.id);
    expect([stopped.status, stopped.stopReason]).toEqual(['stopped', 'bounced']);
    expect(stopped.timeline.find((e: { kind: string }) => e.kind === 'event')?.inbound.decidedBy).toContain(
      '5.1.1',
    );

    const soft = await sentCampaign();
    const dsn411 = fixture('postfix-dsn-4.1.1.eml')
      .replace(
        'Message-Id: <00000000000000.FFFFFFFFFFF@v1.example.com>',
        `Message-Id: <${randomUUID()}@mx.example>`,
      )
      .replace(/^To: shironeko@example\.co\.jp$/m, `To: ${OURS}`)
      .replace('Message-ID: <FFFFFFFF.0000000@example.co.jp>', `Message-ID: ${soft.ours}`);
    expect((await mime(dsn411)).json).toMatchObject({
      result: 'accepted',
      effect: 'ignored',
      kind: 'soft_bounce',
    });
    expect((await campaign(soft.id)).status).toBe('active');
  });

  it('an unmatched message is listed and counted, creates no contact, and counts once', async () => {
    const before = await counts();
    const stranger = `${randomUUID()}@stranger.example`;
    const raw = thunderbirdReply(stranger, `<${randomUUID()}@mail.acme.example>`);
    expect((await mime(raw)).json).toMatchObject({ result: 'unmatched', kind: 'reply' });
    expect((await postmark(raw)).json.result).toBe('unmatched');
    const after = await counts();
    expect(after).toEqual({ ...before, unmatched: before.unmatched + 1 });
    const list = await call('GET', '/v1/inbound/unmatched?limit=1');
    expect(list.status).toBe(200);
    expect(list.json.items[0]).toMatchObject({ from: stranger, source: 'mime', kind: 'reply', to: [OURS] });
    expect((await call('GET', '/v1/inbound/unmatched?limit=0')).json.code).toBe('invalid_limit');
    const metrics = await (
      await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })
    ).text();
    expect(metrics).toMatch(/campaign_inbound_unmatched_total\{source="mime"\} [1-9]/);
  });

  it('forged, oversized and malformed requests are refused with a stable code and store nothing', async () => {
    const { email, ours } = await sentCampaign();
    const raw = thunderbirdReply(email, ours);
    const before = await counts();
    const refusals = [
      [await sendgrid(raw, basic({ ...SENDGRID, password: 'wrong' })), 401, 'invalid_credentials'],
      [await sendgrid(raw, ''), 401, 'missing_credentials'],
      [await postmark(raw, basic({ ...POSTMARK, user: 'someone' })), 401, 'invalid_credentials'],
      [await mailgun(raw, 'not-the-signing-key'), 401, 'invalid_signature'],
      [await mime(raw, {}), 401, undefined],
      [await mime('this is not a message'), 400, 'malformed_mime'],
      [await mime(Buffer.alloc(26 * 1024 * 1024 + 1, 'a')), 413, 'message_too_large'],
    ] as const;
    for (const [answer, status, code] of refusals) {
      expect(answer.status).toBe(status);
      if (code) expect(answer.json.code).toBe(code);
    }
    expect(await counts()).toEqual(before);
  });
});
