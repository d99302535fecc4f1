import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookConfigurationError } from '../errors.ts';
import {
  expectOk,
  expectRefused,
  makeSnsCertificate,
  SNS_CERT_URL,
  signSns,
  snsNotification,
  TOPIC_ARN,
  webhookRequest,
} from '../test-support/fixtures.ts';
import type { ProviderSecrets } from '../types.ts';
import { createWebhookVerifier } from '../verifier.ts';
import { isTrustedSnsCertificateUrl, snsStringToSign } from './ses.ts';

// Real RSA keys and self-signed X.509 certificates, made by the openssl CLI (a child process: hence the
// integration tier).
const AWS = makeSnsCertificate();
const ATTACKER = makeSnsCertificate();
// After the certificates exist, so "now" is inside their validity.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000 + 60_000);
const SENT_AT = new Date(NOW.getTime() - 10 * 60_000).toISOString();

function fakeFetcher(pem = AWS.certificatePem) {
  const calls: string[] = [];
  const fetchCertificate = async (url: string) => {
    calls.push(url);
    return pem;
  };
  return { calls, fetchCertificate };
}

function sesVerifier(fetcher = fakeFetcher(), extra: Partial<NonNullable<ProviderSecrets['ses']>> = {}) {
  const verifier = createWebhookVerifier({
    ses: { topicArns: [TOPIC_ARN], fetchCertificate: fetcher.fetchCertificate, ...extra },
  });
  return { verifier, calls: fetcher.calls };
}

function post(message: Record<string, unknown>, headers: Record<string, string> = {}) {
  return webhookRequest(JSON.stringify(message), {
    'content-type': 'text/plain; charset=UTF-8',
    'x-amz-sns-message-type': String(message.Type),
    'x-amz-sns-topic-arn': String(message.TopicArn),
    ...headers,
  });
}

const SES_MESSAGE_ID = '010001918bb5f0a7-7d7a2d23-1d2c-4d6e-a37c-0c5f3f1b6d0e-000000';
const OUR_MESSAGE_ID = '<6a1c3b1e-1f7e-4a77-9c43-2f1a3c0e9b10@mail.example.org>';

// The `mail` object of SES event publishing, after the AWS examples.
const MAIL = {
  timestamp: '2026-03-06T16:40:02.012Z',
  source: 'Campaigns <campaigns@mail.example.org>',
  sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/mail.example.org',
  sendingAccountId: '123456789012',
  messageId: SES_MESSAGE_ID,
  destination: ['ada@example.com'],
  headersTruncated: false,
  headers: [
    { name: 'From', value: 'Campaigns <campaigns@mail.example.org>' },
    { name: 'To', value: 'ada@example.com' },
    { name: 'Subject', value: 'Your trial ends soon' },
    { name: 'Message-ID', value: OUR_MESSAGE_ID },
  ],
  commonHeaders: {
    from: ['Campaigns <campaigns@mail.example.org>'],
    to: ['ada@example.com'],
    messageId: OUR_MESSAGE_ID,
    subject: 'Your trial ends soon',
  },
  tags: { 'ses:configuration-set': ['campaigns'] },
};

const SES_EVENTS = {
  delivery: {
    eventType: 'Delivery',
    mail: MAIL,
    delivery: {
      timestamp: '2026-03-06T16:40:04.421Z',
      processingTimeMillis: 2409,
      recipients: ['ada@example.com'],
      smtpResponse: '250 2.6.0 Message received',
      reportingMTA: 'a8-70.smtp-out.amazonses.com',
    },
  },
  open: {
    eventType: 'Open',
    mail: MAIL,
    open: { ipAddress: '192.0.2.1', timestamp: '2026-03-06T16:45:00.000Z', userAgent: 'Mozilla/5.0' },
  },
  click: {
    eventType: 'Click',
    mail: MAIL,
    click: {
      ipAddress: '192.0.2.1',
      link: 'https://example.org/pricing',
      linkTags: { samplekey0: ['samplevalue0'] },
      timestamp: '2026-03-06T16:46:00.000Z',
      userAgent: 'Mozilla/5.0',
    },
  },
  hardBounce: {
    eventType: 'Bounce',
    mail: MAIL,
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [
        {
          emailAddress: 'ada@example.com',
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        },
      ],
      timestamp: '2026-03-06T16:41:02.669Z',
      feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
      reportingMTA: 'dsn; mta.example.com',
    },
  },
  softBounce: {
    eventType: 'Bounce',
    mail: MAIL,
    bounce: {
      bounceType: 'Transient',
      bounceSubType: 'MailboxFull',
      bouncedRecipients: [{ emailAddress: 'ada@example.com', status: '4.2.2' }],
      timestamp: '2026-03-06T16:41:02.669Z',
      feedbackId: 'f1',
    },
  },
  undeterminedBounce: {
    eventType: 'Bounce',
    mail: MAIL,
    bounce: {
      bounceType: 'Undetermined',
      bounceSubType: 'Undetermined',
      bouncedRecipients: [],
      timestamp: '2026-03-06T16:41:02.669Z',
    },
  },
  complaint: {
    eventType: 'Complaint',
    mail: MAIL,
    complaint: {
      complainedRecipients: [{ emailAddress: 'ada@example.com' }],
      timestamp: '2026-03-06T17:01:02.000Z',
      feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
      userAgent: 'Mozilla/5.0',
      complaintFeedbackType: 'abuse',
      arrivalDate: '2026-03-06T17:00:58.000Z',
    },
  },
  reject: { eventType: 'Reject', mail: MAIL, reject: { reason: 'Bad content' } },
  deliveryDelay: {
    eventType: 'DeliveryDelay',
    mail: MAIL,
    deliveryDelay: {
      timestamp: '2026-03-06T16:50:00.000Z',
      delayType: 'TransientCommunicationFailure',
      expirationTime: '2026-03-07T16:40:02.012Z',
      delayedRecipients: [
        {
          emailAddress: 'ada@example.com',
          status: '4.4.1',
          diagnosticCode: 'smtp; 421 4.4.1 Unable to connect',
        },
      ],
    },
  },
  send: { eventType: 'Send', mail: MAIL, send: {} },
  unsubscribeAll: {
    eventType: 'Subscription',
    mail: MAIL,
    subscription: {
      contactList: 'campaign-contacts',
      timestamp: '2026-03-06T16:55:00.000Z',
      source: 'UnsubscribeHeader',
      newTopicPreferences: { unsubscribeAll: true, topicSubscriptionStatus: [] },
      oldTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [] },
    },
  },
  legacyNotification: {
    notificationType: 'Bounce',
    mail: { ...MAIL, headers: undefined, commonHeaders: undefined },
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: 'ada@example.com' }],
      timestamp: '2026-03-06T16:41:02.669Z',
    },
  },
};

function notification(sesEvent: unknown, overrides: Record<string, unknown> = {}) {
  return snsNotification(sesEvent, AWS.privateKeyPem, { Timestamp: SENT_AT, ...overrides });
}

const CONFIRMATION_BASE = {
  Type: 'SubscriptionConfirmation',
  MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
  Token:
    '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
  TopicArn: TOPIC_ARN,
  Message: `You have chosen to subscribe to the topic ${TOPIC_ARN}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
  SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC_ARN}&Token=2336412f37f`,
  Timestamp: SENT_AT,
  SignatureVersion: '2',
  SigningCertURL: SNS_CERT_URL,
};

describe('SES through SNS', () => {
  it('verifies a SignatureVersion 2 Notification with the fetched certificate and normalizes it', async () => {
    const { verifier, calls } = sesVerifier();
    const message = notification(SES_EVENTS.delivery);
    const result = expectOk(await verifier.handle('ses', post(message), NOW));
    expect(calls).toEqual([SNS_CERT_URL]);
    expect(result.rejected).toEqual([]);
    expect(result.reply).toBeUndefined();
    expect(result.events).toEqual([
      {
        providerEventId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
        echoedMessageId: null,
        providerMessageId: SES_MESSAGE_ID,
        messageIdHeader: OUR_MESSAGE_ID,
        type: 'delivered',
        rawType: 'Delivery',
        occurredAt: new Date('2026-03-06T16:40:04.421Z'),
        email: 'ada@example.com',
        machine: false,
        bot: false,
        autoReply: false,
        payload: SES_EVENTS.delivery,
      },
    ]);
  });

  it('maps every SES event type; soft bounces, delays, rejects and sends are null', async () => {
    const { verifier } = sesVerifier();
    const expected: Record<keyof typeof SES_EVENTS, [string, string | null, string]> = {
      delivery: ['Delivery', 'delivered', '2026-03-06T16:40:04.421Z'],
      open: ['Open', 'opened', '2026-03-06T16:45:00.000Z'],
      click: ['Click', 'clicked', '2026-03-06T16:46:00.000Z'],
      hardBounce: ['Bounce', 'bounced', '2026-03-06T16:41:02.669Z'],
      softBounce: ['Bounce', null, '2026-03-06T16:41:02.669Z'],
      undeterminedBounce: ['Bounce', null, '2026-03-06T16:41:02.669Z'],
      complaint: ['Complaint', 'complained', '2026-03-06T17:01:02.000Z'],
      reject: ['Reject', null, '2026-03-06T16:40:02.012Z'],
      deliveryDelay: ['DeliveryDelay', null, '2026-03-06T16:50:00.000Z'],
      send: ['Send', null, '2026-03-06T16:40:02.012Z'],
      unsubscribeAll: ['Subscription', 'unsubscribed', '2026-03-06T16:55:00.000Z'],
      legacyNotification: ['Bounce', 'bounced', '2026-03-06T16:41:02.669Z'],
    };
    for (const [name, event] of Object.entries(SES_EVENTS)) {
      const result = expectOk(
        await verifier.handle('ses', post(notification(event, { MessageId: name })), NOW),
      );
      const normalized = result.events[0];
      const [rawType, type, at] = expected[name as keyof typeof SES_EVENTS];
      expect([normalized?.rawType, normalized?.type, normalized?.occurredAt.toISOString()], name).toEqual([
        rawType,
        type,
        at,
      ]);
      expect(normalized?.providerEventId).toBe(name);
      expect(normalized?.email, name).toBe('ada@example.com');
    }
  });

  it('reads the Message-ID header only when the sender set one', async () => {
    const { verifier } = sesVerifier();
    const legacy = expectOk(
      await verifier.handle('ses', post(notification(SES_EVENTS.legacyNotification)), NOW),
    );
    expect(legacy.events[0]?.messageIdHeader).toBeNull();
    const sesOwn = {
      ...SES_EVENTS.open,
      mail: { ...MAIL, headers: [], commonHeaders: { messageId: SES_MESSAGE_ID } },
    };
    const own = expectOk(await verifier.handle('ses', post(notification(sesOwn)), NOW));
    expect(own.events[0]?.messageIdHeader).toBeNull();
  });

  it('answers a SubscriptionConfirmation with the SubscribeURL to visit and no events', async () => {
    const { verifier } = sesVerifier();
    const result = expectOk(
      await verifier.handle('ses', post(signSns(CONFIRMATION_BASE, AWS.privateKeyPem)), NOW),
    );
    expect(result).toEqual({
      ok: true,
      events: [],
      rejected: [],
      reply: { kind: 'sns_subscription_confirmation', subscribeUrl: CONFIRMATION_BASE.SubscribeURL },
    });
  });

  it('accepts an UnsubscribeConfirmation without a reply', async () => {
    const { verifier } = sesVerifier();
    const message = signSns({ ...CONFIRMATION_BASE, Type: 'UnsubscribeConfirmation' }, AWS.privateKeyPem);
    expect(expectOk(await verifier.handle('ses', post(message), NOW))).toEqual({
      ok: true,
      events: [],
      rejected: [],
    });
  });

  it('refuses a confirmation whose signed SubscribeURL leaves SNS', async () => {
    const { verifier } = sesVerifier();
    const message = signSns(
      { ...CONFIRMATION_BASE, SubscribeURL: 'https://evil.test/confirm' },
      AWS.privateKeyPem,
    );
    expect(expectRefused(await verifier.handle('ses', post(message), NOW))).toMatchObject({
      status: 401,
      code: 'invalid_subscribe_url',
    });
  });

  it('refuses a confirmation whose SubscribeURL was swapped after signing', async () => {
    const { verifier } = sesVerifier();
    const message = {
      ...signSns(CONFIRMATION_BASE, AWS.privateKeyPem),
      SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?x',
    };
    expect(expectRefused(await verifier.handle('ses', post(message), NOW)).code).toBe('invalid_signature');
  });

  // AWS's documented HTTP notification (SNS developer guide, "Amazon SNS message and JSON formats",
  // HTTP/HTTPS notification JSON format): SignatureVersion 1, the topic default. Its Signature is a
  // placeholder ("EXAMPLEw6JR..."), so it is signed here with the test certificate's key.
  const AWS_DOCUMENTED_V1 = {
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: TOPIC_ARN,
    Subject: 'My First Message',
    Message: 'Hello world!',
    Timestamp: SENT_AT,
    SignatureVersion: '1',
    SigningCertURL: SNS_CERT_URL,
    UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC_ARN}:c9135db0-26c4-47ec-8998-413945fb5a96`,
  };
  const signV1 = (message: Record<string, unknown>, key = AWS.privateKeyPem) => ({
    ...message,
    Signature: sign('sha1', Buffer.from(snsStringToSign(message), 'utf8'), key).toString('base64'),
  });

  it('regression: SignatureVersion 1 (SHA1withRSA, the SNS topic default) was refused; it is verified like 2', async () => {
    const { verifier, calls } = sesVerifier();
    const sample = signV1(AWS_DOCUMENTED_V1);
    // AWS's documented string to sign: name, newline, value, newline, in this order, Subject included.
    expect(snsStringToSign(sample)).toBe(
      `Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nMy First Message\nTimestamp\n${SENT_AT}\nTopicArn\n${TOPIC_ARN}\nType\nNotification\n`,
    );
    // "Hello world!" is not an SES event: authentic, so listed as rejected, not refused.
    const hello = expectOk(await verifier.handle('ses', post(sample), NOW));
    expect(hello.rejected.map((r) => r.code)).toEqual(['invalid_json']);
    const v1Open = signV1({
      ...AWS_DOCUMENTED_V1,
      Message: JSON.stringify(SES_EVENTS.open),
      MessageId: 'v1-open',
    });
    const opened = expectOk(await verifier.handle('ses', post(v1Open), NOW));
    expect(opened.events.map((e) => [e.type, e.providerEventId])).toEqual([['opened', 'v1-open']]);
    expect(calls).toEqual([SNS_CERT_URL]);
  });

  it('SignatureVersion 1 is verified with SHA1 and AWS’s certificate only', async () => {
    const { verifier } = sesVerifier();
    // A SHA256 signature under the version-1 label, another key, a changed Message: all forged.
    const sha256Labelled1 = signSns(AWS_DOCUMENTED_V1, AWS.privateKeyPem);
    const otherKey = signV1(AWS_DOCUMENTED_V1, ATTACKER.privateKeyPem);
    const changed = { ...signV1(AWS_DOCUMENTED_V1), Message: 'Goodbye' };
    for (const forged of [sha256Labelled1, otherKey, changed]) {
      expect(expectRefused(await verifier.handle('ses', post(forged), NOW))).toMatchObject({
        status: 401,
        code: 'invalid_signature',
      });
    }
  });

  it('requireSignatureVersion2 refuses version 1 before fetching anything; unknown versions are always refused', async () => {
    const strict = sesVerifier(fakeFetcher(), { requireSignatureVersion2: true });
    const result = await strict.verifier.handle('ses', post(signV1(AWS_DOCUMENTED_V1)), NOW);
    expect(expectRefused(result)).toMatchObject({ status: 401, code: 'unsupported_signature_version' });
    expect(expectRefused(result).message).toContain('SignatureVersion to 2');
    expectOk(await strict.verifier.handle('ses', post(notification(SES_EVENTS.open)), NOW));
    expect(strict.calls).toEqual([SNS_CERT_URL]);

    const { verifier, calls } = sesVerifier();
    const missing = { ...notification(SES_EVENTS.delivery), SignatureVersion: undefined };
    const three = { ...notification(SES_EVENTS.delivery), SignatureVersion: '3' };
    const proto = { ...notification(SES_EVENTS.delivery), SignatureVersion: 'constructor' };
    for (const message of [missing, three, proto]) {
      expect(expectRefused(await verifier.handle('ses', post(message), NOW)).code).toBe(
        'unsupported_signature_version',
      );
    }
    expect(calls).toEqual([]);
  });

  it('never fetches a certificate from anywhere but https://sns.<region>.amazonaws.com', async () => {
    const { verifier, calls } = sesVerifier();
    const urls = [
      'https://sns.us-east-1.amazonaws.com.evil.test/cert.pem',
      'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
      'https://evil.test/SimpleNotificationService-abc.pem',
      'https://sns.us-east-1.amazonaws.com@evil.test/cert.pem',
      'https://user:pw@sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
      'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc.pem',
      'https://sqs.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
      'https://sns.us-east-1.amazonaws.com/redirect?to=https://evil.test/cert.pem',
      'https://evilsns.us-east-1.amazonaws.com/cert.pem',
      'file:///etc/ssl/cert.pem',
      'not a url',
    ];
    for (const url of urls) {
      // Signed with the real key: only the URL is wrong.
      const message = notification(SES_EVENTS.delivery, { SigningCertURL: url });
      const result = await verifier.handle('ses', post(message), NOW);
      expect(expectRefused(result), url).toMatchObject({ status: 401, code: 'untrusted_certificate_url' });
    }
    const { SigningCertURL: _dropped, ...withoutUrl } = notification(SES_EVENTS.delivery);
    expect(expectRefused(await verifier.handle('ses', post(withoutUrl), NOW)).code).toBe(
      'untrusted_certificate_url',
    );
    expect(calls).toEqual([]);
  });

  it('refuses a topic outside the allow-list before fetching the certificate', async () => {
    const { verifier, calls } = sesVerifier();
    const message = notification(SES_EVENTS.delivery, {
      TopicArn: 'arn:aws:sns:us-east-1:999999999999:other',
    });
    expect(expectRefused(await verifier.handle('ses', post(message), NOW))).toMatchObject({
      status: 401,
      code: 'unknown_topic',
    });
    expect(calls).toEqual([]);
  });

  it('refuses a message signed by a key other than the certificate’s', async () => {
    const { verifier } = sesVerifier();
    const forged = snsNotification(SES_EVENTS.delivery, ATTACKER.privateKeyPem, { Timestamp: SENT_AT });
    expect(expectRefused(await verifier.handle('ses', post(forged), NOW))).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    });
  });

  it('refuses a Message, Subject or MessageId changed after signing', async () => {
    const { verifier } = sesVerifier();
    const message = notification(SES_EVENTS.softBounce);
    const variants = [
      { ...message, Message: JSON.stringify(SES_EVENTS.hardBounce) },
      { ...message, Subject: 'Amazon SES Email Event Notification' },
      { ...message, MessageId: 'another-id' },
    ];
    for (const variant of variants) {
      expect(expectRefused(await verifier.handle('ses', post(variant), NOW))).toMatchObject({
        status: 401,
        code: 'invalid_signature',
      });
    }
  });

  it('includes Subject in the signed string when the message has one', async () => {
    const { verifier } = sesVerifier();
    const withSubject = notification(SES_EVENTS.open, { Subject: 'Amazon SES Email Event Notification' });
    expectOk(await verifier.handle('ses', post(withSubject), NOW));
    expect(snsStringToSign(withSubject)).toBe(
      [
        'Message',
        withSubject.Message,
        'MessageId',
        withSubject.MessageId,
        'Subject',
        'Amazon SES Email Event Notification',
        'Timestamp',
        SENT_AT,
        'TopicArn',
        TOPIC_ARN,
        'Type',
        'Notification',
        '',
      ].join('\n'),
    );
  });

  it('allows SNS retries for an hour, not more', async () => {
    const { verifier } = sesVerifier();
    const fiftyMinutes = new Date(NOW.getTime() - 50 * 60_000).toISOString();
    expectOk(
      await verifier.handle('ses', post(notification(SES_EVENTS.open, { Timestamp: fiftyMinutes })), NOW),
    );
    const overAnHour = new Date(NOW.getTime() - 61 * 60_000).toISOString();
    const result = await verifier.handle(
      'ses',
      post(notification(SES_EVENTS.open, { Timestamp: overAnHour })),
      NOW,
    );
    expect(expectRefused(result)).toMatchObject({ status: 401, code: 'stale_timestamp' });
    const garbled = notification(SES_EVENTS.open, { Timestamp: 'yesterday' });
    expect(expectRefused(await verifier.handle('ses', post(garbled), NOW)).code).toBe('invalid_timestamp');
  });

  it('refuses a message without a Signature with 401', async () => {
    const { verifier } = sesVerifier();
    const { Signature: _dropped, ...unsigned } = notification(SES_EVENTS.delivery);
    expect(expectRefused(await verifier.handle('ses', post(unsigned), NOW))).toMatchObject({
      status: 401,
      code: 'missing_signature',
    });
  });

  it('answers 400 to malformed JSON, an unknown Type or a header contradicting the body', async () => {
    const { verifier } = sesVerifier();
    for (const text of ['{"Type": "Notification",', '[]']) {
      expect(expectRefused(await verifier.handle('ses', webhookRequest(text), NOW))).toMatchObject({
        status: 400,
        code: 'malformed_body',
      });
    }
    const odd = { ...notification(SES_EVENTS.delivery), Type: 'Telegram' };
    expect(expectRefused(await verifier.handle('ses', post(odd), NOW)).status).toBe(400);
    const mismatch = post(notification(SES_EVENTS.delivery), {
      'x-amz-sns-message-type': 'SubscriptionConfirmation',
    });
    expect(expectRefused(await verifier.handle('ses', mismatch, NOW)).status).toBe(400);
  });

  it('lists an authentic Message that is not an SES event as rejected', async () => {
    const { verifier } = sesVerifier();
    const notJson = snsNotification('ignored', AWS.privateKeyPem, {
      Timestamp: SENT_AT,
      Message: 'Hello world!',
    });
    const noType = notification({ mail: MAIL });
    const first = expectOk(await verifier.handle('ses', post(notJson), NOW));
    const second = expectOk(await verifier.handle('ses', post(noType), NOW));
    expect([first.events.length, first.rejected, second.rejected.map((r) => r.code)]).toEqual([
      0,
      [{ index: 0, code: 'invalid_json', message: expect.any(String) }],
      ['missing_field'],
    ]);
  });

  it('caches certificates by URL and retries a failed fetch', async () => {
    let failNext = true;
    const calls: string[] = [];
    const { verifier } = sesVerifier({
      calls,
      fetchCertificate: async (url: string) => {
        calls.push(url);
        if (failNext) {
          failNext = false;
          throw new Error('connection reset');
        }
        return AWS.certificatePem;
      },
    });
    const failed = await verifier.handle('ses', post(notification(SES_EVENTS.open)), NOW);
    expect(expectRefused(failed)).toMatchObject({ status: 401, code: 'certificate_unavailable' });
    expectOk(await verifier.handle('ses', post(notification(SES_EVENTS.open)), NOW));
    expectOk(await verifier.handle('ses', post(notification(SES_EVENTS.click)), NOW));
    expect(calls).toEqual([SNS_CERT_URL, SNS_CERT_URL]);
    const otherRegion = SNS_CERT_URL.replace('us-east-1', 'eu-west-1');
    expectOk(
      await verifier.handle('ses', post(notification(SES_EVENTS.open, { SigningCertURL: otherRegion })), NOW),
    );
    expect(calls).toEqual([SNS_CERT_URL, SNS_CERT_URL, otherRegion]);
  });

  it('refuses a certificate that is not a certificate, or not valid at `now`', async () => {
    const { verifier: garbage } = sesVerifier(
      fakeFetcher('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'),
    );
    expect(expectRefused(await garbage.handle('ses', post(notification(SES_EVENTS.open)), NOW)).code).toBe(
      'certificate_unavailable',
    );
    const { verifier } = sesVerifier();
    const later = new Date(NOW.getTime() + 5 * 86_400_000);
    const message = notification(SES_EVENTS.open, { Timestamp: later.toISOString() });
    expect(expectRefused(await verifier.handle('ses', post(message), later))).toMatchObject({
      status: 401,
      code: 'certificate_invalid',
    });
  });

  it('refuses an empty topic allow-list at construction', () => {
    expect(() => sesVerifier(fakeFetcher(), { topicArns: [] })).toThrow(WebhookConfigurationError);
  });
});

describe('isTrustedSnsCertificateUrl', () => {
  it('accepts the SNS hosts of every partition and nothing that merely contains them', () => {
    expect(isTrustedSnsCertificateUrl(SNS_CERT_URL)).toBe(true);
    expect(
      isTrustedSnsCertificateUrl(
        'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-3250158c6506d40628ee4b7d5d0e1f6f.pem',
      ),
    ).toBe(true);
    expect(
      isTrustedSnsCertificateUrl('https://SNS.US-EAST-1.AMAZONAWS.COM/SimpleNotificationService-a.pem'),
    ).toBe(true);
    expect(isTrustedSnsCertificateUrl('https://sns.us-east-1.amazonaws.com.cn.evil.test/a.pem')).toBe(false);
    expect(isTrustedSnsCertificateUrl('https://sns.amazonaws.com/a.pem')).toBe(false);
    expect(isTrustedSnsCertificateUrl('https://sns.us-east-1.amazonaws.com/')).toBe(false);
  });
});
