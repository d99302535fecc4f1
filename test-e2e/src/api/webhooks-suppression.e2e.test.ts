import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { noOpenBumpPlan } from '@campaign/core/testing';
import { describe, expect, it } from 'vitest';
import { type Json, useApi } from '../support/api.ts';
import { answer, getCampaign, ok, sentMessageOf, typedClient } from '../support/client.ts';

/*
 * Provider webhooks that act on an address, and the SNS signature-version setting, over real HTTP
 * against the real API process. The webhook requests are raw bytes with the provider's headers; the
 * /v1 JSON calls go through @campaign/client.
 */

const API_KEY = 'test-api-key-0123456789abcdef';
const POSTMARK = { user: 'postmark-hook', password: 'postmark-password-123' };
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-engagement';

const plan: Plan = noOpenBumpPlan({ after: 'PT1H', body: '<p>Hi</p>', bumpBody: '<p>Still there?</p>' });

/** An SNS notification signed (badly) with SignatureVersion 1, its certificate URL off the SNS hosts. */
function postSnsVersion1(base: string) {
  const body = JSON.stringify({
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: TOPIC,
    Message: '{}',
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
    Signature: Buffer.from('x').toString('base64'),
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com.evil.test/cert.pem',
  });
  return fetch(`${base}/v1/webhooks/ses`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
  }).then(async (r) => ({ status: r.status, json: (await r.json()) as Json }));
}

describe('Postmark suppressions by address over HTTP', { timeout: 60_000 }, () => {
  const api = useApi('hooks-address', {
    API_KEY,
    UNSUBSCRIBE_SECRET: 'hooks-unsubscribe-secret-0123456789',
    RUN_WORKERS: '1',
    POSTMARK_WEBHOOK_USER: POSTMARK.user,
    POSTMARK_WEBHOOK_PASSWORD: POSTMARK.password,
    SES_SNS_TOPIC_ARNS: TOPIC,
  });
  const client = typedClient(api, API_KEY);
  const headers = {
    'content-type': 'application/json',
    authorization: `Basic ${Buffer.from(`${POSTMARK.user}:${POSTMARK.password}`).toString('base64')}`,
  };
  const post = (body: string) =>
    fetch(`${api.base}/v1/webhooks/postmark`, { method: 'POST', body, headers }).then(async (r) => ({
      status: r.status,
      json: (await r.json()) as Json,
    }));

  // Postmark's documented Subscription Change example (https://postmarkapp.com/developer/webhooks/
  // subscription-change-webhook) as that page says a manual suppression arrives: "MessageID is null
  // for Manual Suppressions with Origin value of Customer or Admin"; the recipient is our contact.
  const manualSuppression = (recipient: string, changedAt: Date) =>
    JSON.stringify({
      RecordType: 'SubscriptionChange',
      MessageID: null,
      ServerID: 123456,
      MessageStream: 'outbound',
      ChangedAt: changedAt.toISOString(),
      Recipient: recipient,
      Origin: 'Customer',
      SuppressSending: true,
      SuppressionReason: 'ManualSuppression',
      Tag: 'my-tag',
      Metadata: { example: 'value', example_2: 'value' },
    });

  it('regression: a SubscriptionChange without MessageID stops the campaigns of its address and suppresses it', async () => {
    // 6996e46 answered it with rejected: unknown_message, and the contact kept being mailed.
    const email = `${randomUUID()}@example.com`;
    const created = await ok(client.POST('/v1/campaigns', { body: { contact: { email }, plan } }));
    await sentMessageOf(client, created.id);
    const body = manualSuppression(email.toUpperCase(), new Date());
    expect(await post(body)).toMatchObject({
      status: 200,
      json: { accepted: 1, duplicates: 0, rejected: [] },
    });
    const view = await getCampaign(client, created.id);
    expect(view).toMatchObject({ status: 'stopped', stopReason: 'unsubscribed', pendingActions: [] });
    // A redelivery is a duplicate; no new campaign may start for the address.
    expect(await post(body)).toMatchObject({ status: 200, json: { accepted: 0, duplicates: 1 } });
    const again = await answer(client.POST('/v1/campaigns', { body: { contact: { email }, plan } }));
    expect(again).toMatchObject({ status: 409, error: { code: 'contact_suppressed' } });
  });

  it('an address no contact has creates nothing and is reported', async () => {
    const email = `${randomUUID()}@example.com`;
    expect(await post(manualSuppression(email, new Date()))).toMatchObject({
      status: 200,
      json: { accepted: 0, rejected: [{ code: 'unknown_message' }] },
    });
    const contacts = await api.database.db
      .selectFrom('contacts')
      .select('id')
      .where('email', '=', email)
      .execute();
    expect(contacts).toEqual([]);
    // The address stays free: a campaign for it starts.
    expect((await answer(client.POST('/v1/campaigns', { body: { contact: { email }, plan } }))).status).toBe(
      201,
    );
  });

  it('SES without SES_SNS_REQUIRE_SIGNATURE_V2: SignatureVersion 1 passes the version check (refused for its certificate URL)', async () => {
    expect(await postSnsVersion1(api.base)).toMatchObject({
      status: 401,
      json: { code: 'untrusted_certificate_url' },
    });
  });
});

describe('SES_SNS_REQUIRE_SIGNATURE_V2 over HTTP', { timeout: 60_000 }, () => {
  const api = useApi('hooks-sns-v2', {
    API_KEY,
    UNSUBSCRIBE_SECRET: 'hooks-unsubscribe-secret-0123456789',
    SES_SNS_TOPIC_ARNS: TOPIC,
    SES_SNS_REQUIRE_SIGNATURE_V2: '1',
  });

  it('reaches the verifier: SignatureVersion 1 is refused for its version, before its certificate is looked at', async () => {
    // The same request that the API without the setting refuses for its certificate URL (above).
    expect(await postSnsVersion1(api.base)).toMatchObject({
      status: 401,
      json: { code: 'unsupported_signature_version' },
    });
  });
});
