import { createHmac } from 'node:crypto';
import { constantTimeEqual, decodeHexStrict } from '../crypto-util.ts';
import { ItemError, malformed, unauthorized, WebhookConfigurationError } from '../errors.ts';
import type { JsonObject } from '../fields.ts';
import { isObject, optionalObject, optionalString, requiredString } from '../fields.ts';
import { collect, ECHO_FIELD, echoedMessageId, normalizeMessageId } from '../normalize.ts';
import { parseJsonBody } from '../request.ts';
import { assertFresh, dateFromEpochSeconds, parseEpochSecondsText } from '../time.ts';
import type { NormalizedEvent, NormalizedEventType, ReplayCache } from '../types.ts';
import type { ProviderHandler } from './provider.ts';

/**
 * Builds the Mailgun handler. Mailgun signs only `timestamp + token` (hex HMAC-SHA256 with the
 * webhook signing key), not `event-data`: the body's integrity rests on TLS, and replay is stopped
 * by the freshness window plus a one-time use of each token.
 */
export function createMailgunHandler(
  signingKey: string,
  toleranceSeconds: number,
  replayCache: ReplayCache,
): ProviderHandler {
  if (signingKey.trim() === '') throw new WebhookConfigurationError('mailgunSigningKey is empty');
  const check = createMailgunSignatureCheck(signingKey, toleranceSeconds, replayCache);
  return async (request, now) => {
    const body = parseJsonBody(request.rawBody);
    if (!isObject(body)) throw malformed('a Mailgun body is a JSON object');
    const signature = optionalObject(body, 'signature');
    if (signature === undefined) throw unauthorized('missing_signature', 'the body has no signature object');
    check(signature, now);
    return { ok: true, ...collect([body['event-data']], normalizeMailgunEvent) };
  };
}

/**
 * Mailgun's signature check, as its events and its routes' forwards (inbound mail) both carry it:
 * `signature` (and `parent-signature`) is the hex HMAC-SHA256 of `timestamp + token` under the signing
 * key, the timestamp within `toleranceSeconds` of now, each token used once. Throws a 401
 * WebhookVerificationError (missing_signature, missing_timestamp, invalid_signature, stale, replayed).
 */
export function createMailgunSignatureCheck(
  signingKey: string,
  toleranceSeconds: number,
  replayCache: ReplayCache,
): (signature: JsonObject, now: Date) => void {
  if (signingKey.trim() === '') throw new WebhookConfigurationError('mailgunSigningKey is empty');
  const key = Buffer.from(signingKey, 'utf8');
  return (signature, now) => {
    const timestamp = signatureTimestamp(signature.timestamp);
    const token = optionalString(signature, 'token');
    const given = optionalString(signature, 'signature');
    const parentGiven = optionalString(signature, 'parent-signature');
    if (timestamp === null) {
      throw unauthorized('missing_timestamp', 'signature.timestamp is missing or invalid');
    }
    if (token === null) throw unauthorized('missing_signature', 'signature.token is missing');
    if (given === null && parentGiven === null) {
      throw unauthorized('missing_signature', 'signature.signature is missing');
    }
    const expected = createHmac('sha256', key).update(`${timestamp.text}${token}`, 'utf8').digest();
    // A subaccount's event carries the primary account's signature in parent-signature: a verifier
    // configured with the primary key accepts either. Both are compared, with no early exit.
    const matchesOwn = matchesHex(given, expected);
    const matchesParent = matchesHex(parentGiven, expected);
    if (!(matchesOwn || matchesParent)) {
      throw unauthorized('invalid_signature', 'the Mailgun signature does not match');
    }
    assertFresh(timestamp.seconds * 1000, now, toleranceSeconds);
    // Recorded only once authentic, so forged tokens cannot fill the cache. Kept twice the window:
    // a token stays refused for as long as its timestamp could still pass the freshness check.
    if (replayCache.seen(`mailgun:${token}`, now, toleranceSeconds * 2)) {
      throw unauthorized('replayed', 'this Mailgun token was already used');
    }
  };
}

function signatureTimestamp(value: unknown): { text: string; seconds: number } | null {
  // Mailgun documents a string but the JSON has carried a number too; the signed text is the digits.
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  if (typeof text !== 'string') return null;
  const seconds = parseEpochSecondsText(text);
  return seconds === null ? null : { text, seconds };
}

function matchesHex(given: string | null, expected: Buffer): boolean {
  if (given === null) return false;
  const bytes = decodeHexStrict(given);
  return bytes !== null && constantTimeEqual(bytes, expected);
}

/**
 * Maps Mailgun's `event-data`. `failed` is a bounce only with `severity: permanent`; a temporary
 * failure is retried by Mailgun and must not stop a campaign. `client-info.bot` (Mailgun's bot
 * detection: `apple`, `gmail`, `generic`, empty for none) marks an Apple MPP open as a machine
 * open and every other detected bot as a bot.
 */
export function normalizeMailgunEvent(item: unknown): NormalizedEvent {
  if (!isObject(item)) throw new ItemError('not_an_object', 'event-data is missing or not a JSON object');
  const rawType = requiredString(item, 'event', 'event-data.');
  const providerEventId = requiredString(item, 'id', 'event-data.');
  const occurredAt = dateFromEpochSeconds(item.timestamp);
  if (occurredAt === null) {
    throw new ItemError('invalid_timestamp', 'event-data.timestamp is not epoch seconds');
  }
  const headers = optionalObject(optionalObject(item, 'message'), 'headers');
  const messageId = normalizeMessageId(optionalString(headers, 'message-id'));
  const botName = optionalString(optionalObject(item, 'client-info'), 'bot');
  const machine = rawType === 'opened' && botName === 'apple';
  return {
    providerEventId,
    // X-Mailgun-Variables come back as `user-variables`.
    echoedMessageId: echoedMessageId(optionalObject(item, 'user-variables')?.[ECHO_FIELD]),
    // The send API answers `id: "<...@domain>"`, the same Message-ID the events repeat.
    providerMessageId: messageId,
    messageIdHeader: messageId,
    type: mailgunType(rawType, item),
    rawType,
    occurredAt,
    email: optionalString(item, 'recipient'),
    machine,
    bot: botName !== null && !machine,
    autoReply: false,
    payload: item,
  };
}

function mailgunType(rawType: string, item: JsonObject): NormalizedEventType | null {
  switch (rawType) {
    case 'delivered':
      return 'delivered';
    case 'opened':
      return 'opened';
    case 'clicked':
      return 'clicked';
    case 'failed':
      return item.severity === 'permanent' ? 'bounced' : null;
    case 'complained':
      return 'complained';
    case 'unsubscribed':
      return 'unsubscribed';
    default:
      // accepted, rejected, stored, list events and anything Mailgun adds later.
      return null;
  }
}
