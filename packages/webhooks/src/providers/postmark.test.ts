import { describe, expect, it } from 'vitest';
import { WebhookConfigurationError } from '../errors.ts';
import { expectOk, expectRefused, webhookRequest } from '../test-support/fixtures.ts';
import { createWebhookVerifier } from '../verifier.ts';
import { postmarkEventId } from './postmark.ts';

const NOW = new Date('2026-03-06T17:00:00.000Z');
const CREDENTIALS = { username: 'postmark-hook', password: 'c0rrect horse battery staple' };
const verifier = createWebhookVerifier({ postmark: CREDENTIALS });

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function authorized(record: unknown) {
  return webhookRequest(JSON.stringify(record), {
    authorization: basic(CREDENTIALS.username, CREDENTIALS.password),
    'content-type': 'application/json',
  });
}

// Shaped after Postmark's webhook documentation examples.
const MESSAGE_ID = '883953f4-6105-42a2-a16a-77a8eac79483';
const DELIVERY = {
  RecordType: 'Delivery',
  ServerID: 23,
  MessageStream: 'outbound',
  MessageID: MESSAGE_ID,
  Recipient: 'john@example.com',
  Tag: 'welcome-email',
  DeliveredAt: '2026-03-06T16:33:54.9070259Z',
  Details: 'Test delivery webhook details',
  Metadata: { campaign: 'c-42' },
};
const HARD_BOUNCE = {
  RecordType: 'Bounce',
  ID: 692560173,
  Type: 'HardBounce',
  TypeCode: 1,
  Name: 'Hard bounce',
  Tag: 'Test',
  MessageID: MESSAGE_ID,
  ServerID: 23,
  MessageStream: 'outbound',
  Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
  Details: 'Test bounce details',
  Email: 'john@example.com',
  From: 'sender@example.com',
  BouncedAt: '2026-03-06T13:28:10.2735393-04:00',
  DumpAvailable: true,
  Inactive: true,
  CanActivate: true,
  Subject: 'Test subject',
};
const OPEN = {
  RecordType: 'Open',
  MessageStream: 'outbound',
  FirstOpen: true,
  Client: { Name: 'Chrome 35.0.1916.153', Company: 'Google', Family: 'Chrome' },
  OS: { Name: 'OS X 10.7 Lion', Company: 'Apple Computer, Inc.', Family: 'OS X 10' },
  Platform: 'WebMail',
  UserAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_5)',
  ReadSeconds: 5,
  Geo: { CountryISOCode: 'RS', Country: 'Serbia', City: 'Novi Sad' },
  MessageID: MESSAGE_ID,
  Metadata: {},
  ReceivedAt: '2026-03-06T16:40:10.1234567Z',
  Tag: 'welcome-email',
  Recipient: 'john@example.com',
};
const CLICK = {
  ...OPEN,
  RecordType: 'Click',
  FirstOpen: undefined,
  ClickLocation: 'HTML',
  OriginalLink: 'https://example.com/pricing',
  ReceivedAt: '2026-03-06T16:41:00Z',
};
const SPAM = { ...HARD_BOUNCE, RecordType: 'SpamComplaint', ID: 42, Type: 'SpamComplaint', TypeCode: 512 };
const SUBSCRIPTION_CHANGE = {
  RecordType: 'SubscriptionChange',
  MessageID: MESSAGE_ID,
  ServerID: 23,
  MessageStream: 'outbound',
  ChangedAt: '2026-03-06T16:50:00Z',
  Recipient: 'john@example.com',
  Origin: 'Recipient',
  SuppressSending: true,
  SuppressionReason: 'ManualSuppression',
  Tag: 'welcome-email',
  Metadata: {},
};

describe('Postmark webhooks', () => {
  it('accepts the right basic credentials and normalizes a Delivery', async () => {
    const result = expectOk(await verifier.handle('postmark', authorized(DELIVERY), NOW));
    expect(result.rejected).toEqual([]);
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({
      providerMessageId: MESSAGE_ID,
      messageIdHeader: null,
      type: 'delivered',
      rawType: 'Delivery',
      email: 'john@example.com',
      machine: false,
      bot: false,
      autoReply: false,
      payload: DELIVERY,
    });
    // Seven fractional digits are read down to the millisecond.
    expect(result.events[0]?.occurredAt.toISOString()).toBe('2026-03-06T16:33:54.907Z');
  });

  it('derives a stable event id from RecordType, MessageID, the timestamp and ID', async () => {
    const first = expectOk(await verifier.handle('postmark', authorized(HARD_BOUNCE), NOW)).events[0];
    const again = expectOk(await verifier.handle('postmark', authorized(HARD_BOUNCE), NOW)).events[0];
    expect(first?.providerEventId).toMatch(/^[0-9a-f]{64}$/);
    expect(again?.providerEventId).toBe(first?.providerEventId);
    expect(first?.providerEventId).toBe(
      postmarkEventId('Bounce', MESSAGE_ID, HARD_BOUNCE.BouncedAt, HARD_BOUNCE.ID, 'john@example.com'),
    );
    const otherBounce = { ...HARD_BOUNCE, ID: 692560174 };
    const laterOpen = { ...OPEN, ReceivedAt: '2026-03-06T16:45:10Z' };
    const ids = new Set([
      first?.providerEventId,
      expectOk(await verifier.handle('postmark', authorized(otherBounce), NOW)).events[0]?.providerEventId,
      expectOk(await verifier.handle('postmark', authorized(OPEN), NOW)).events[0]?.providerEventId,
      expectOk(await verifier.handle('postmark', authorized(laterOpen), NOW)).events[0]?.providerEventId,
    ]);
    expect(ids.size).toBe(4);
  });

  it('maps every record type', async () => {
    const records = [DELIVERY, HARD_BOUNCE, OPEN, CLICK, SPAM, SUBSCRIPTION_CHANGE];
    const events = [];
    for (const record of records) {
      events.push(expectOk(await verifier.handle('postmark', authorized(record), NOW)).events[0]);
    }
    expect(events.map((e) => [e?.rawType, e?.type, e?.email])).toEqual([
      ['Delivery', 'delivered', 'john@example.com'],
      ['Bounce', 'bounced', 'john@example.com'],
      ['Open', 'opened', 'john@example.com'],
      ['Click', 'clicked', 'john@example.com'],
      ['SpamComplaint', 'complained', 'john@example.com'],
      ['SubscriptionChange', 'unsubscribed', 'john@example.com'],
    ]);
    expect(events[1]?.occurredAt.toISOString()).toBe('2026-03-06T17:28:10.273Z');
    expect(events[5]?.occurredAt.toISOString()).toBe('2026-03-06T16:50:00.000Z');
  });

  it('keeps soft bounces, transients, reactivations and unknown records with type null', async () => {
    const records = [
      { ...HARD_BOUNCE, ID: 1, Type: 'SoftBounce', TypeCode: 4096 },
      { ...HARD_BOUNCE, ID: 2, Type: 'Transient', TypeCode: 2 },
      { ...SUBSCRIPTION_CHANGE, SuppressSending: false },
      { RecordType: 'SomethingNew', MessageID: MESSAGE_ID, ReceivedAt: '2026-03-06T16:00:00Z' },
    ];
    const types = [];
    for (const record of records) {
      types.push(expectOk(await verifier.handle('postmark', authorized(record), NOW)).events[0]?.type);
    }
    expect(types).toEqual([null, null, null, null]);
  });

  it('reads an AutoResponder bounce as an auto-reply, not a bounce', async () => {
    const record = { ...HARD_BOUNCE, ID: 3, Type: 'AutoResponder', TypeCode: 64 };
    const event = expectOk(await verifier.handle('postmark', authorized(record), NOW)).events[0];
    expect(event).toMatchObject({ type: null, autoReply: true });
  });

  it('refuses wrong, missing or malformed credentials with 401', async () => {
    const body = JSON.stringify(DELIVERY);
    const cases: Array<[string | undefined, string]> = [
      [basic(CREDENTIALS.username, 'wrong'), 'invalid_credentials'],
      [basic('someone', CREDENTIALS.password), 'invalid_credentials'],
      [basic(CREDENTIALS.username, `${CREDENTIALS.password}x`), 'invalid_credentials'],
      [basic(CREDENTIALS.username, CREDENTIALS.password.slice(0, -1)), 'invalid_credentials'],
      [
        `Bearer ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`,
        'invalid_credentials',
      ],
      ['Basic %%%', 'invalid_credentials'],
      [undefined, 'missing_authorization'],
    ];
    for (const [authorization, code] of cases) {
      const result = await verifier.handle('postmark', webhookRequest(body, { authorization }), NOW);
      expect(expectRefused(result), authorization).toMatchObject({ status: 401, code });
    }
  });

  it('accepts a lower-case scheme name', async () => {
    const header = basic(CREDENTIALS.username, CREDENTIALS.password).replace('Basic', 'basic');
    expectOk(
      await verifier.handle(
        'postmark',
        webhookRequest(JSON.stringify(DELIVERY), { authorization: header }),
        NOW,
      ),
    );
  });

  it('checks credentials before reading the body', async () => {
    const result = await verifier.handle(
      'postmark',
      webhookRequest('{not json', { authorization: 'Basic eDp5' }),
      NOW,
    );
    expect(expectRefused(result)).toMatchObject({ status: 401, code: 'invalid_credentials' });
  });

  it('answers 400 to malformed JSON from an authenticated sender', async () => {
    for (const text of ['{"RecordType":', '"Delivery"', '42']) {
      const request = webhookRequest(text, {
        authorization: basic(CREDENTIALS.username, CREDENTIALS.password),
      });
      const result = await verifier.handle('postmark', request, NOW);
      expect(expectRefused(result), text).toMatchObject({ status: 400, code: 'malformed_body' });
    }
  });

  it('lists unusable records as rejected, by index, in an array body', async () => {
    const batch = [
      DELIVERY,
      { ...DELIVERY, DeliveredAt: 'yesterday' },
      { ...OPEN, RecordType: undefined },
      7,
    ];
    const result = expectOk(await verifier.handle('postmark', authorized(batch), NOW));
    expect(result.events.map((e) => e.rawType)).toEqual(['Delivery']);
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'invalid_timestamp'],
      [2, 'missing_field'],
      [3, 'not_an_object'],
    ]);
  });

  it('refuses unusable credentials at construction', () => {
    expect(() => createWebhookVerifier({ postmark: { username: '', password: 'x' } })).toThrow(
      WebhookConfigurationError,
    );
    expect(() => createWebhookVerifier({ postmark: { username: 'a:b', password: 'x' } })).toThrow(
      /colon|":"/,
    );
  });
});

// Postmark's documented Subscription Change example, verbatim
// (https://postmarkapp.com/developer/webhooks/subscription-change-webhook, "Example JSON webhook data").
const SUBSCRIPTION_CHANGE_EXAMPLE = {
  RecordType: 'SubscriptionChange',
  MessageID: '883953f4-6105-42a2-a16a-77a8eac79483',
  ServerID: 123456,
  MessageStream: 'outbound',
  ChangedAt: '2020-02-01T10:53:34.416071Z',
  Recipient: 'bounced-address@wildbit.com',
  Origin: 'Recipient',
  SuppressSending: true,
  SuppressionReason: 'HardBounce',
  Tag: 'my-tag',
  Metadata: { example: 'value', example_2: 'value' },
};
// The same page: "MessageID is null for Manual Suppressions with Origin value of Customer or Admin and
// Reactivations", and on a reactivation SuppressionReason and Tag are null and Metadata is empty.
const MANUAL_SUPPRESSION = {
  ...SUBSCRIPTION_CHANGE_EXAMPLE,
  MessageID: null,
  Origin: 'Customer',
  SuppressionReason: 'ManualSuppression',
};
const REACTIVATION = {
  ...MANUAL_SUPPRESSION,
  SuppressSending: false,
  SuppressionReason: null,
  Tag: null,
  Metadata: {},
};
// The page's earlier example carried no MessageID field at all.
const { MessageID: _unused, SuppressionReason: _reason, ...EARLIER_EXAMPLE } = SUBSCRIPTION_CHANGE_EXAMPLE;
const CHANGE_AT = new Date('2020-02-01T10:54:00Z');

describe('Postmark subscription changes and unsubscribe bounces', () => {
  it("reads Postmark's documented SubscriptionChange example as an unsubscribe of that message and recipient", async () => {
    const event = expectOk(
      await verifier.handle('postmark', authorized(SUBSCRIPTION_CHANGE_EXAMPLE), CHANGE_AT),
    ).events[0];
    expect(event).toMatchObject({
      type: 'unsubscribed',
      rawType: 'SubscriptionChange',
      providerMessageId: '883953f4-6105-42a2-a16a-77a8eac79483',
      email: 'bounced-address@wildbit.com',
      occurredAt: new Date('2020-02-01T10:53:34.416Z'),
    });
  });

  it('keeps a suppression that names no message (manual, by import, the earlier example) as an unsubscribe of the recipient address', async () => {
    for (const record of [MANUAL_SUPPRESSION, EARLIER_EXAMPLE]) {
      const result = expectOk(await verifier.handle('postmark', authorized(record), CHANGE_AT));
      expect(result.rejected, record.Origin).toEqual([]);
      expect(result.events[0], record.Origin).toMatchObject({
        type: 'unsubscribed',
        providerMessageId: null,
        echoedMessageId: null,
        messageIdHeader: null,
        email: 'bounced-address@wildbit.com',
      });
    }
    // Two manual suppressions of one address at different times are two events, not one deduped.
    const later = { ...MANUAL_SUPPRESSION, ChangedAt: '2020-02-01T11:00:00Z' };
    const ids = new Set<string | undefined>();
    for (const record of [MANUAL_SUPPRESSION, later]) {
      ids.add(
        expectOk(await verifier.handle('postmark', authorized(record), CHANGE_AT)).events[0]?.providerEventId,
      );
    }
    expect(ids.size).toBe(2);
  });

  it('ignores a reactivation (SuppressSending false)', async () => {
    const event = expectOk(await verifier.handle('postmark', authorized(REACTIVATION), CHANGE_AT)).events[0];
    expect(event).toMatchObject({ type: null, rawType: 'SubscriptionChange' });
  });

  it('regression: a Bounce of type Unsubscribe (TypeCode 16) is an unsubscribe, not an ignored soft bounce', async () => {
    // 6996e46 mapped every Bounce other than HardBounce / BadEmailAddress to null, so a recipient who
    // asked by mail to be removed kept getting the campaign. Type and code as in Postmark's bounce
    // types table and the postmark.js SDK's BounceType / BounceTypeCode (Unsubscribe = 16).
    const record = { ...HARD_BOUNCE, ID: 16, Type: 'Unsubscribe', TypeCode: 16, Name: 'Unsubscribe request' };
    const event = expectOk(await verifier.handle('postmark', authorized(record), NOW)).events[0];
    expect(event).toMatchObject({
      type: 'unsubscribed',
      rawType: 'Bounce',
      providerMessageId: MESSAGE_ID,
      email: 'john@example.com',
      autoReply: false,
    });
  });
});
