import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type Plan, parseRoutedId } from '@campaign/core';
import { openOrTimeoutPlan } from '@campaign/core/testing';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { createRuntime, loadConfig, type RunningWorker, type Runtime, startWorker } from '@campaign/runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  mailgunOpened,
  postmarkOpen,
  resendOpened,
  sendgridOpen,
  sesOpen,
} from '../../../packages/webhooks/src/test-support/documented-samples.ts';
import {
  epochSeconds,
  mailgunSignature,
  makeSnsCertificate,
  SNS_CERT_URL,
  sendgridKeys,
  signSendgrid,
  snsNotification,
  svixSecret,
  svixSignature,
  TOPIC_ARN,
} from '../../../packages/webhooks/src/test-support/fixtures.ts';
import { type ReceivedMail, SmtpSink } from '../../../test-e2e/src/support/smtp-sink.ts';
import { createApp } from '../../nest-service/dist/app.js';

/*
 * Events that find their message whatever the provider: a campaign's message goes out through the real
 * SMTP transport to a local SMTP server; the provider's own documented sample event, with the echo
 * field filled in from the headers that server received (nothing from our database), signed the way
 * the provider signs, is posted to POST /v1/webhooks/:provider of the real API (in this process, on
 * real HTTP) and moves the campaign. The samples carry the providers' own message ids and no
 * Message-ID of ours: before the echo fields, every one of them was `unknown_message`.
 */

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field in the tests
type Json = any;

const API_KEY = 'echo-e2e-api-key-0123456789abcdef';
/** Our Message-IDs end in this domain; no payload posted here may contain it. */
const DOMAIN = 'echo-e2e.invalid';
// Real keys and signatures, from the webhooks package's test support (the one copy of each scheme).
const sendgrid = sendgridKeys();
const MAILGUN_KEY = 'echo-mailgun-signing-key-0123456789';
const POSTMARK = { user: 'echo-postmark', password: 'echo-postmark-password-123' };
const RESEND_SECRET = svixSecret();

const plan: Plan = openOrTimeoutPlan();

/** A header the SMTP server received, unfolded, as text. */
function received(mail: ReceivedMail, name: string): string {
  const line = mail.raw.headerLines.find((h) => h.key === name.toLowerCase());
  if (!line) throw new Error(`the message arrived without ${name}`);
  return line.line
    .slice(line.line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]/g, ' ')
    .trim();
}

describe('echo fields: each provider’s documented event finds a message sent over SMTP', {
  timeout: 60_000,
}, () => {
  const sink = new SmtpSink();
  const sns = makeSnsCertificate();
  let database: TestDatabase;
  let runtime: Runtime;
  let worker: RunningWorker;
  let app: Awaited<ReturnType<typeof createApp>>;
  let base = '';

  beforeAll(async () => {
    const smtpUrl = await sink.listen();
    database = await createTestDatabase('postgres');
    runtime = await createRuntime(
      loadConfig({
        DATABASE_URL: database.url,
        QUEUE_BACKEND: 'pgboss',
        QUEUE_NAME: `echo-${randomUUID()}`,
        QUEUE_POLL_SECONDS: '0.2',
        API_KEY,
        UNSUBSCRIBE_SECRET: 'echo-unsubscribe-secret-0123456789',
        SMTP_URL: smtpUrl,
        MESSAGE_ID_DOMAIN: DOMAIN,
        SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid.publicKeyBase64,
        MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_KEY,
        POSTMARK_WEBHOOK_USER: POSTMARK.user,
        POSTMARK_WEBHOOK_PASSWORD: POSTMARK.password,
        RESEND_WEBHOOK_SECRET: RESEND_SECRET,
        SES_SNS_TOPIC_ARNS: TOPIC_ARN,
        LOG_LEVEL: 'silent',
      }),
    );
    worker = await startWorker(runtime);
    app = await createApp(runtime, API_KEY);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    // AWS's certificate host is the one thing not run here: the API's fetch of it gets our certificate.
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) =>
      String(input) === SNS_CERT_URL
        ? Promise.resolve(new Response(sns.certificatePem))
        : realFetch(input, init),
    );
  }, 60_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    await app?.close();
    await worker?.stop();
    await runtime?.close();
    await sink.close();
    await database?.dispose();
  });

  const api = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.json();
  };

  /**
   * A campaign whose first message the SMTP server has received and the worker has recorded as sent. The
   * SMTP server has the mail a moment before the worker commits the send: an event posted in between is
   * stored and applied later, so the campaign read right after it would not have moved yet.
   */
  async function sentOverSmtp(): Promise<{ id: string; mail: ReceivedMail }> {
    const email = `${randomUUID()}@example.com`;
    const created = await api('POST', '/v1/campaigns', { contact: { email }, plan });
    const [mail] = await sink.waitFor((m) => m.to === email);
    if (!mail) throw new Error('nothing arrived');
    const deadline = Date.now() + 10_000;
    while (!(await api('GET', `/v1/campaigns/${created.id}`)).timeline.some((e: Json) => e.kind === 'send')) {
      if (Date.now() > deadline) throw new Error(`campaign ${created.id}: the send was never recorded`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { id: created.id, mail };
  }

  /** Posts `body` as the provider would, then checks it was matched and the campaign took `opened`. */
  async function postAndExpectOpened(
    provider: string,
    campaignId: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<void> {
    // Nothing of ours but the echo: neither our Message-ID nor the id our transport stored.
    expect(body).not.toContain(DOMAIN);
    const res = await fetch(`${base}/v1/webhooks/${provider}`, { method: 'POST', body, headers });
    expect({ status: res.status, body: await res.json() }).toMatchObject({
      status: 200,
      body: { accepted: 1, rejected: [] },
    });
    const view = await api('GET', `/v1/campaigns/${campaignId}`);
    expect(view).toMatchObject({ status: 'completed', currentNodeId: 'done' });
    const sent = view.timeline.find((e: Json) => e.kind === 'send');
    expect(view.timeline).toContainEqual(
      expect.objectContaining({ kind: 'event', type: 'opened', message: sent.message, effect: 'transition' }),
    );
  }

  const nowIso = () => new Date().toISOString();

  it('regression: SendGrid (X-SMTPAPI unique args) — its sample open matched nothing; it moves the campaign', async () => {
    const { id, mail } = await sentOverSmtp();
    const smtpApi = JSON.parse(received(mail, 'X-SMTPAPI')) as { unique_args: Record<string, string> };
    const timestamp = epochSeconds(new Date());
    const body = JSON.stringify([sendgridOpen(Number(timestamp), smtpApi.unique_args)]);
    const signature = signSendgrid(sendgrid.privateKey, timestamp, Buffer.from(body));
    await postAndExpectOpened('sendgrid', id, body, {
      'content-type': 'application/json',
      'x-twilio-email-event-webhook-timestamp': timestamp,
      'x-twilio-email-event-webhook-signature': signature,
    });
  });

  it('regression: Mailgun (X-Mailgun-Variables) — its sample open matched nothing; it moves the campaign', async () => {
    const { id, mail } = await sentOverSmtp();
    const variables = JSON.parse(received(mail, 'X-Mailgun-Variables')) as Record<string, string>;
    const body = JSON.stringify({
      signature: mailgunSignature(MAILGUN_KEY, epochSeconds(new Date())),
      'event-data': mailgunOpened(Date.now() / 1000, variables),
    });
    await postAndExpectOpened('mailgun', id, body, { 'content-type': 'application/json' });
  });

  it('regression: Postmark (X-PM-Metadata-*) — its sample open was unknown_message; it moves the campaign', async () => {
    const { id, mail } = await sentOverSmtp();
    const prefix = 'x-pm-metadata-';
    const metadata = Object.fromEntries(
      mail.raw.headerLines
        .filter((h) => h.key.startsWith(prefix))
        .map((h) => [h.key.slice(prefix.length), received(mail, h.key)]),
    );
    const body = JSON.stringify(postmarkOpen(nowIso(), metadata));
    const auth = Buffer.from(`${POSTMARK.user}:${POSTMARK.password}`).toString('base64');
    await postAndExpectOpened('postmark', id, body, {
      'content-type': 'application/json',
      authorization: `Basic ${auth}`,
    });
  });

  it('regression: SES (X-SES-MESSAGE-TAGS) — its sample open matched nothing; it moves the campaign', async () => {
    const { id, mail } = await sentOverSmtp();
    // "name1=value1, name2=value2"; SES publishes each tag as an array of values.
    const tags = Object.fromEntries(
      received(mail, 'X-SES-MESSAGE-TAGS')
        .split(',')
        .map((pair) => pair.trim().split('='))
        .map(([name = '', value = '']) => [name, [value]]),
    );
    const notification = snsNotification(sesOpen(nowIso(), tags), sns.privateKeyPem, {
      MessageId: randomUUID(),
      Timestamp: nowIso(),
    });
    await postAndExpectOpened('ses', id, JSON.stringify(notification), {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
    });
  });

  it('regression: Resend (a tag) — its sample open was unknown_message; with our tag it moves the campaign', async () => {
    const { id, mail } = await sentOverSmtp();
    // Resend's SMTP relay documents no header for tags, and this repository has no transport on
    // Resend's send API (which takes `tags`); the tag such a transport would send is the message id the
    // echo headers carry, without the contact id (its tags allow only letters, digits, `_` and `-`).
    const routed = JSON.parse(received(mail, 'X-Mailgun-Variables')).campaign_message_id as string;
    const ourId = parseRoutedId(routed)?.id ?? '';
    expect(ourId).toMatch(/^[0-9a-f-]{36}$/);
    const body = JSON.stringify(resendOpened(nowIso(), { campaign_message_id: ourId }));
    const svixId = `msg_${randomUUID()}`;
    const timestamp = epochSeconds(new Date());
    const signature = svixSignature(RESEND_SECRET, svixId, timestamp, Buffer.from(body));
    await postAndExpectOpened('resend', id, body, {
      'content-type': 'application/json',
      'svix-id': svixId,
      'svix-timestamp': timestamp,
      'svix-signature': `v1,${signature}`,
    });
  });

  it('every echo header the SMTP server received names the same message, and only that one', async () => {
    const { id, mail } = await sentOverSmtp();
    // The message id with its contact's (DESIGN section 9); SES tags allow no `.`: the message id alone.
    const ours = JSON.parse(received(mail, 'X-Mailgun-Variables')).campaign_message_id as string;
    const view = await api('GET', `/v1/campaigns/${id}`);
    const message = parseRoutedId(ours);
    expect(message).toEqual({ id: expect.any(String), contactId: view.contact.id });
    expect(mail.messageId).toBe(`<${ours}@${DOMAIN}>`);
    expect(JSON.parse(received(mail, 'X-SMTPAPI'))).toEqual({ unique_args: { campaign_message_id: ours } });
    expect(received(mail, 'X-PM-Metadata-campaign_message_id')).toBe(ours);
    expect(received(mail, 'X-SES-MESSAGE-TAGS')).toBe(`campaign_message_id=${message?.id}`);
    expect(view.timeline).toContainEqual(expect.objectContaining({ kind: 'send', message: message?.id }));
  });
});
