import { constantTimeEqual, decodeBase64Strict, sha256 } from '../crypto-util.ts';
import { ItemError, malformed, unauthorized, WebhookConfigurationError } from '../errors.ts';
import type { JsonObject } from '../fields.ts';
import { isObject, optionalObject, optionalString, requiredString } from '../fields.ts';
import { collect, ECHO_FIELD, echoedMessageId } from '../normalize.ts';
import { parseJsonBody, singleHeader } from '../request.ts';
import { parseIsoDateTime } from '../time.ts';
import type { NormalizedEvent, NormalizedEventType } from '../types.ts';
import type { ProviderHandler } from './provider.ts';

/**
 * Builds the Postmark handler. Postmark signs nothing: the webhook URL is configured with HTTP basic
 * auth credentials, checked here in constant time. There is no timestamp or nonce to refuse a
 * replay with; a replayed record yields the same derived `providerEventId`, so the caller's dedupe
 * makes it harmless.
 */
export function createPostmarkHandler(credentials: { username: string; password: string }): ProviderHandler {
  if (credentials.username === '' || credentials.password === '') {
    throw new WebhookConfigurationError('postmark username and password must both be set');
  }
  // RFC 7617: the user-id cannot contain a colon, which keeps "user:password" unambiguous.
  if (credentials.username.includes(':')) {
    throw new WebhookConfigurationError('the postmark username cannot contain ":"');
  }
  const expected = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8');
  return async (request) => {
    const authorization = singleHeader(request, 'authorization');
    if (authorization === undefined) {
      throw unauthorized('missing_authorization', 'the Authorization header is missing');
    }
    const match = /^Basic\s+(\S+)$/i.exec(authorization);
    const decoded = match?.[1] === undefined ? null : decodeBase64Strict(match[1]);
    if (decoded === null) {
      throw unauthorized('invalid_credentials', 'the Authorization header is not Basic auth');
    }
    if (!constantTimeEqual(decoded, expected)) {
      throw unauthorized('invalid_credentials', 'wrong Postmark credentials');
    }

    const body = parseJsonBody(request.rawBody);
    // Postmark posts one record per request; an array is accepted too, item by item.
    if (Array.isArray(body)) return { ok: true, ...collect(body, normalizePostmarkRecord) };
    if (!isObject(body)) throw malformed('a Postmark body is a JSON object');
    return { ok: true, ...collect([body], normalizePostmarkRecord) };
  };
}

// The field that dates each record type; other types fall back to the first one present.
const TIMESTAMP_FIELD: Readonly<Record<string, string>> = {
  Delivery: 'DeliveredAt',
  Bounce: 'BouncedAt',
  SpamComplaint: 'BouncedAt',
  Open: 'ReceivedAt',
  Click: 'ReceivedAt',
  SubscriptionChange: 'ChangedAt',
};
const ANY_TIMESTAMP_FIELDS = ['ReceivedAt', 'DeliveredAt', 'BouncedAt', 'ChangedAt'];

/**
 * Postmark's records have no event id, so one is derived: the hex SHA-256 of the JSON array
 * `["postmark", RecordType, MessageID, <timestamp text>, <ID or null>, <recipient or null>]`.
 * Every part is fixed for a given record, so a redelivery gives the same id; the recipient and the
 * bounce `ID` keep two records of one message at the same instant apart.
 */
export function postmarkEventId(
  recordType: string,
  messageId: string | null,
  timestampText: string,
  id: string | number | null,
  recipient: string | null,
): string {
  const parts = ['postmark', recordType, messageId, timestampText, id, recipient];
  return sha256(JSON.stringify(parts)).toString('hex');
}

/**
 * Maps one Postmark record. A Bounce is a hard bounce only for `HardBounce` and `BadEmailAddress`
 * (both permanent); a Bounce of type `Unsubscribe` (TypeCode 16: the recipient asked by mail to be
 * removed) is an unsubscribe; `SoftBounce`, `Transient`, `DnsError` and the rest are null, and an
 * `AutoResponder` "bounce" is an auto-reply. A SubscriptionChange that suppresses sending is an
 * unsubscribe whatever its `SuppressionReason`: sending to that address has stopped. Such a change
 * made by hand or by import names no message (no MessageID): `email` carries the address, by which
 * the caller suppresses the contact.
 */
export function normalizePostmarkRecord(item: unknown): NormalizedEvent {
  if (!isObject(item)) throw new ItemError('not_an_object', 'the record is not a JSON object');
  const rawType = requiredString(item, 'RecordType');
  const timestampText = recordTimestamp(item, rawType);
  const occurredAt = parseIsoDateTime(timestampText);
  if (occurredAt === null) {
    throw new ItemError('invalid_timestamp', `${timestampText} is not an ISO 8601 time`);
  }
  // The Delivery payload has been documented both as MessageID and as MessageId.
  const messageId = optionalString(item, 'MessageID') ?? optionalString(item, 'MessageId');
  const email = optionalString(item, 'Recipient') ?? optionalString(item, 'Email');
  const id = typeof item.ID === 'number' || typeof item.ID === 'string' ? item.ID : null;
  return {
    providerEventId: postmarkEventId(rawType, messageId, timestampText, id, email),
    // X-PM-Metadata-* headers come back as `Metadata`.
    echoedMessageId: echoedMessageId(optionalObject(item, 'Metadata')?.[ECHO_FIELD]),
    providerMessageId: messageId,
    messageIdHeader: null,
    type: postmarkType(rawType, item),
    rawType,
    occurredAt,
    email,
    machine: false,
    bot: false,
    autoReply: rawType === 'Bounce' && item.Type === 'AutoResponder',
    payload: item,
  };
}

function recordTimestamp(item: JsonObject, rawType: string): string {
  const field = TIMESTAMP_FIELD[rawType];
  if (field !== undefined) return requiredString(item, field);
  for (const candidate of ANY_TIMESTAMP_FIELDS) {
    const value = optionalString(item, candidate);
    if (value !== null) return value;
  }
  throw new ItemError('missing_field', `no timestamp field on a ${rawType} record`);
}

function postmarkType(rawType: string, item: JsonObject): NormalizedEventType | null {
  switch (rawType) {
    case 'Delivery':
      return 'delivered';
    case 'Open':
      return 'opened';
    case 'Click':
      return 'clicked';
    case 'Bounce':
      if (item.Type === 'Unsubscribe') return 'unsubscribed';
      return item.Type === 'HardBounce' || item.Type === 'BadEmailAddress' ? 'bounced' : null;
    case 'SpamComplaint':
      return 'complained';
    case 'SubscriptionChange':
      return item.SuppressSending === true ? 'unsubscribed' : null;
    default:
      return null;
  }
}
