import { createHmac, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { openThenClickPlan } from '@campaign/core/testing';
import { describe, expect, it } from 'vitest';
import { mailgunOpened } from '../../../packages/webhooks/src/test-support/documented-samples.ts';
import { apiCaller, campaignUuid, type Json, sentMessage, useApi } from '../support/api.ts';

/*
 * Provider webhooks over real HTTP against the real API process: each provider's scheme with keys and
 * secrets made here, forged and stale requests refused with nothing stored, duplicates counted once.
 */

const API_KEY = 'test-api-key-0123456789abcdef';

const sendgrid = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const SENDGRID_PUBLIC = sendgrid.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const MAILGUN_KEY = 'mailgun-signing-key-0123456789';
const POSTMARK = { user: 'postmark-hook', password: 'postmark-password-123' };
const RESEND_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-engagement';

const plan: Plan = openThenClickPlan({
  window: 'PT1H',
  clickAfter: 'PT1H',
  body: '<p>Hi</p>',
  endOnClick: true,
});

describe('provider webhooks over HTTP', { timeout: 60_000 }, () => {
  const api = useApi('hooks', {
    API_KEY,
    UNSUBSCRIBE_SECRET: 'hooks-unsubscribe-secret-0123456789',
    RUN_WORKERS: '1',
    MESSAGE_ID_DOMAIN: 'hooks.test',
    SENDGRID_WEBHOOK_PUBLIC_KEY: SENDGRID_PUBLIC,
    MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_KEY,
    POSTMARK_WEBHOOK_USER: POSTMARK.user,
    POSTMARK_WEBHOOK_PASSWORD: POSTMARK.password,
    RESEND_WEBHOOK_SECRET: RESEND_SECRET,
    SES_SNS_TOPIC_ARNS: TOPIC,
  });
  const call = apiCaller(api, API_KEY);

  /** A campaign whose intro has been sent: its message id and Message-ID header. */
  async function sentCampaign() {
    const created = await call('POST', '/v1/campaigns', {
      contact: { email: `${randomUUID()}@example.com` },
      plan,
    });
    const message = await sentMessage(call, created.json.id);
    return { id: created.json.id as string, message, header: `<${message}@hooks.test>` };
  }

  const state = async (id: string) => (await call('GET', `/v1/campaigns/${id}`)).json;
  const post = (provider: string, body: string, headers: Record<string, string>) =>
    fetch(`${api.base}/v1/webhooks/${provider}`, { method: 'POST', body, headers }).then(async (r) => ({
      status: r.status,
      type: r.headers.get('content-type') ?? '',
      json: (await r.json()) as Json,
    }));

  it('SendGrid: a signed batch moves the campaign; a forged or stale one is refused and stores nothing', async () => {
    const c = await sentCampaign();
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify([
      {
        event: 'delivered',
        email: 'x@example.com',
        timestamp: now,
        sg_event_id: `d-${c.id}`,
        sg_message_id: 'sg.1',
        'smtp-id': c.header,
      },
      {
        event: 'open',
        email: 'x@example.com',
        timestamp: now,
        sg_event_id: `o-${c.id}`,
        sg_message_id: 'sg.1',
        'smtp-id': c.header,
        sg_machine_open: false,
      },
      {
        event: 'deferred',
        email: 'x@example.com',
        timestamp: now,
        sg_event_id: `df-${c.id}`,
        sg_message_id: 'sg.1',
        'smtp-id': c.header,
      },
    ]);
    const signed = (timestamp: string, payload: string) => ({
      'content-type': 'application/json',
      'x-twilio-email-event-webhook-timestamp': timestamp,
      'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(timestamp + payload), {
        key: sendgrid.privateKey,
        dsaEncoding: 'der',
      }).toString('base64'),
    });
    const forged = await post('sendgrid', body.replace('delivered', 'bounce'), signed(String(now), body));
    expect(forged.status).toBe(401);
    expect(forged.type).toContain('application/problem+json');
    const stale = await post('sendgrid', body, signed(String(now - 3600), body));
    expect(stale.status).toBe(401);
    expect((await state(c.id)).timeline.filter((e: { kind: string }) => e.kind === 'event')).toEqual([]);

    const ok = await post('sendgrid', body, signed(String(now), body));
    expect(ok).toMatchObject({ status: 200, json: { accepted: 2, duplicates: 0, ignored: 1, rejected: [] } });
    const again = await post('sendgrid', body, signed(String(now), body));
    expect(again.json).toMatchObject({ accepted: 0, duplicates: 3, ignored: 0 });
    // the deferral is stored for the record, under the provider's own name, and applied to nothing
    const deferral = await api.database.db
      .selectFrom('message_events')
      .select(['type', 'raw_type', 'effect'])
      .where('provider_event_id', '=', `df-${c.id}`)
      .executeTakeFirstOrThrow();
    expect(deferral).toEqual({ type: 'unknown', raw_type: 'deferred', effect: 'ignored' });
    expect(await state(c.id)).toMatchObject({ currentNodeId: 'wait' });
  });

  it('Mailgun: HMAC of timestamp + token; a replayed token is refused; a soft bounce does not stop the campaign', async () => {
    const c = await sentCampaign();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const request = (token: string, eventData: Record<string, unknown>, key = MAILGUN_KEY) =>
      JSON.stringify({
        signature: {
          timestamp,
          token,
          signature: createHmac('sha256', key)
            .update(timestamp + token)
            .digest('hex'),
        },
        'event-data': eventData,
      });
    const softBounce = {
      event: 'failed',
      severity: 'temporary',
      id: `mg-soft-${c.id}`,
      timestamp: Date.now() / 1000,
      recipient: 'x@example.com',
      message: { headers: { 'message-id': `${c.message}@hooks.test` } },
    };
    const headers = { 'content-type': 'application/json' };
    expect((await post('mailgun', request(randomUUID(), softBounce, 'wrong-key'), headers)).status).toBe(401);
    const token = randomUUID();
    expect((await post('mailgun', request(token, softBounce), headers)).json).toMatchObject({
      accepted: 0,
      ignored: 1,
    });
    expect((await post('mailgun', request(token, softBounce), headers)).json).toMatchObject({
      status: 401,
      code: expect.any(String),
    });
    expect(await state(c.id)).toMatchObject({ status: 'active' });
    const complaint = { ...softBounce, event: 'complained', severity: undefined, id: `mg-c-${c.id}` };
    expect((await post('mailgun', request(randomUUID(), complaint), headers)).json).toMatchObject({
      accepted: 1,
    });
    expect(await state(c.id)).toMatchObject({ status: 'stopped', stopReason: 'complained' });
  });

  it('Postmark: basic auth; a wrong password is refused; a message we do not know is reported', async () => {
    const body = JSON.stringify({
      RecordType: 'Open',
      MessageID: randomUUID(),
      Recipient: 'x@example.com',
      ReceivedAt: new Date().toISOString(),
      FirstOpen: true,
    });
    const auth = (password: string) =>
      `Basic ${Buffer.from(`${POSTMARK.user}:${password}`).toString('base64')}`;
    expect(
      (await post('postmark', body, { 'content-type': 'application/json', authorization: auth('nope') }))
        .status,
    ).toBe(401);
    expect((await post('postmark', body, { 'content-type': 'application/json' })).status).toBe(401);
    const ok = await post('postmark', body, {
      'content-type': 'application/json',
      authorization: auth(POSTMARK.password),
    });
    expect(ok).toMatchObject({ status: 200, json: { accepted: 0, rejected: [{ code: 'unknown_message' }] } });
  });

  it('Resend (Svix): a signed event is applied once; a bad signature is refused', async () => {
    const c = await sentCampaign();
    const body = JSON.stringify({
      type: 'email.opened',
      created_at: new Date().toISOString(),
      data: {
        email_id: randomUUID(),
        to: ['x@example.com'],
        headers: [{ name: 'Message-ID', value: c.header }],
      },
    });
    const id = `msg_${randomUUID()}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const key = Buffer.from(RESEND_SECRET.slice('whsec_'.length), 'base64');
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
    const headers = (sig: string) => ({
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': timestamp,
      'svix-signature': `v1,${sig}`,
    });
    expect(
      (await post('resend', body, headers(signature.replace(/^./, signature[0] === 'A' ? 'B' : 'A')))).status,
    ).toBe(401);
    expect((await post('resend', body, headers(signature))).json).toMatchObject({ accepted: 1 });
    expect((await post('resend', body, headers(signature))).json).toMatchObject({
      accepted: 0,
      duplicates: 1,
    });
    expect(await state(c.id)).toMatchObject({ currentNodeId: 'wait' });
  });

  it('SES via SNS: a certificate URL off the SNS hosts or an unknown topic is refused before any fetch', async () => {
    const base64 = Buffer.from('x').toString('base64');
    const message = (over: Record<string, string>) =>
      JSON.stringify({
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: TOPIC,
        Message: '{}',
        Timestamp: new Date().toISOString(),
        SignatureVersion: '2',
        Signature: base64,
        SigningCertURL: 'https://sns.us-east-1.amazonaws.com.evil.test/cert.pem',
        ...over,
      });
    const headers = { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' };
    expect((await post('ses', message({}), headers)).status).toBe(401);
    expect(
      (
        await post(
          'ses',
          message({
            SigningCertURL: 'https://sns.us-east-1.amazonaws.com/c.pem',
            TopicArn: 'arn:aws:sns:us-east-1:1:other',
          }),
          headers,
        )
      ).status,
    ).toBe(401);
    expect((await post('ses', message({ SignatureVersion: '1' }), headers)).status).toBe(401);
    expect((await post('ses', 'not json', headers)).status).toBe(400);
  });

  it('an unknown provider is a 404 counted nowhere, and webhooks are counted in the metrics', async () => {
    expect((await post('acme', '{}', { 'content-type': 'application/json' })).status).toBe(404);
    const metrics = await fetch(`${api.base}/metrics`).then((r) => r.text());
    expect(metrics).not.toContain('acme');
    expect(metrics).toMatch(/campaign_webhook_events_total\{provider="sendgrid",result="accepted"\} 2/);
    expect(metrics).toMatch(/campaign_webhook_events_total\{provider="sendgrid",result="unauthorized"\} 2/);
  });

  it('regression: an event dated before its message was sent answers 200, counts as implausible_time and is stored nowhere', async () => {
    const c = await sentCampaign();
    // Mailgun's documented `opened` sample with our message id in its user-variables
    // (X-Mailgun-Variables), dated 2000-01-01: a default date.
    const eventData = mailgunOpened(Date.parse('2000-01-01T00:00:00Z') / 1000, {
      campaign_message_id: c.message,
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = randomUUID();
    const body = JSON.stringify({
      signature: {
        timestamp,
        token,
        signature: createHmac('sha256', MAILGUN_KEY)
          .update(timestamp + token)
          .digest('hex'),
      },
      'event-data': eventData,
    });
    // A 4xx would make Mailgun retry the event for days: the answer is a 200 that reports it.
    const res = await post('mailgun', body, { 'content-type': 'application/json' });
    expect(res).toMatchObject({
      status: 200,
      json: { accepted: 0, rejected: [{ id: 'Ase7i2zsRYeDXztHGENqRA', code: 'implausible_time' }] },
    });
    const stored = await api.database.db
      .selectFrom('message_events')
      .select('id')
      .where('campaign_id', '=', campaignUuid(c.id))
      .execute();
    expect(stored).toEqual([]);
    expect(await state(c.id)).toMatchObject({ status: 'active', currentNodeId: 'intro' });
    const metrics = await fetch(`${api.base}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      /campaign_webhook_events_total\{provider="mailgun",result="implausible_time"\} 1\n/,
    );
  });
});
