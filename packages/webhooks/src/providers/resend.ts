import { createHmac } from 'node:crypto';
import { constantTimeEqual, decodeBase64Strict } from '../crypto-util.ts';
import { ItemError, malformed, unauthorized, WebhookConfigurationError } from '../errors.ts';
import type { JsonObject } from '../fields.ts';
import { firstString, isObject, optionalObject, optionalString, requiredString } from '../fields.ts';
import { collect, normalizeMessageId } from '../normalize.ts';
import { parseJsonBody, singleHeader } from '../request.ts';
import { assertFresh, parseEpochSecondsText, parseIsoDateTime } from '../time.ts';
import type { NormalizedEvent, NormalizedEventType } from '../types.ts';
import type { ProviderHandler } from './provider.ts';

/** Svix's message id header: the same on every redelivery of one event. */
export const SVIX_ID_HEADER = 'svix-id';
/** Svix's epoch-seconds timestamp header, part of the signed content. */
export const SVIX_TIMESTAMP_HEADER = 'svix-timestamp';
/** Space-separated `v1,<base64>` signatures; several during a secret rotation. */
export const SVIX_SIGNATURE_HEADER = 'svix-signature';

/**
 * Decodes a Svix secret: base64 after the `whsec_` prefix (Svix's libraries also take the bare
 * base64, and so does this).
 */
export function decodeSvixSecret(secret: string): Buffer {
  const trimmed = secret.trim();
  const encoded = trimmed.startsWith('whsec_') ? trimmed.slice('whsec_'.length) : trimmed;
  const key = decodeBase64Strict(encoded);
  if (key === null || key.length === 0) {
    throw new WebhookConfigurationError('resendSecret must be whsec_ followed by base64');
  }
  return key;
}

/**
 * Builds the Resend handler (Resend delivers through Svix). The id is not put in the replay cache:
 * Svix retries a failed delivery with the same id, which must get through; the caller dedupes on
 * `providerEventId` (the svix-id) instead, and the timestamp bounds how long a capture is usable.
 */
export function createResendHandler(secret: string, toleranceSeconds: number): ProviderHandler {
  const key = decodeSvixSecret(secret);
  return async (request, now) => {
    const id = singleHeader(request, SVIX_ID_HEADER);
    const timestamp = singleHeader(request, SVIX_TIMESTAMP_HEADER);
    const signatures = singleHeader(request, SVIX_SIGNATURE_HEADER);
    if (id === undefined) throw unauthorized('missing_signature', `${SVIX_ID_HEADER} is missing`);
    if (timestamp === undefined) {
      throw unauthorized('missing_timestamp', `${SVIX_TIMESTAMP_HEADER} is missing`);
    }
    if (signatures === undefined) {
      throw unauthorized('missing_signature', `${SVIX_SIGNATURE_HEADER} is missing`);
    }
    const signedAt = parseEpochSecondsText(timestamp);
    if (signedAt === null) throw unauthorized('invalid_timestamp', 'svix-timestamp is not epoch seconds');
    assertFresh(signedAt * 1000, now, toleranceSeconds);
    const expected = createHmac('sha256', key)
      .update(`${id}.${timestamp}.`, 'utf8')
      .update(request.rawBody)
      .digest();
    // Every v1 entry is compared (no early exit); entries of other versions are ignored, as Svix does.
    let matched = false;
    for (const entry of signatures.split(' ')) {
      const comma = entry.indexOf(',');
      if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
      const given = decodeBase64Strict(entry.slice(comma + 1));
      if (given !== null && constantTimeEqual(given, expected)) matched = true;
    }
    if (!matched) throw unauthorized('invalid_signature', 'no v1 signature matches');

    const body = parseJsonBody(request.rawBody);
    if (!isObject(body)) throw malformed('a Resend body is a JSON object');
    return { ok: true, ...collect([body], (item) => normalizeResendEvent(item, id)) };
  };
}

/**
 * Maps one Resend event. Resend sends `email.bounced` for permanent rejections only; should a
 * payload still say `bounce.type` other than `Permanent`, it is treated as soft (null). `contact.*`
 * and `domain.*` events are not about a message and come out as null.
 */
export function normalizeResendEvent(item: unknown, svixId: string): NormalizedEvent {
  if (!isObject(item)) throw new ItemError('not_an_object', 'the event is not a JSON object');
  const rawType = requiredString(item, 'type');
  const createdAt = requiredString(item, 'created_at');
  const occurredAt = parseIsoDateTime(createdAt);
  if (occurredAt === null) throw new ItemError('invalid_timestamp', `${createdAt} is not an ISO 8601 time`);
  const data = optionalObject(item, 'data');
  const isEmailEvent = rawType.startsWith('email.');
  return {
    providerEventId: svixId,
    providerMessageId: isEmailEvent ? optionalString(data, 'email_id') : null,
    messageIdHeader: normalizeMessageId(headerValue(data, 'message-id')),
    type: resendType(rawType, data),
    rawType,
    occurredAt,
    email: firstString(data, 'to') ?? optionalString(data, 'email'),
    machine: false,
    bot: false,
    autoReply: false,
    payload: item,
  };
}

/** A header from `data.headers`, given as `[{ name, value }]` or as an object. */
function headerValue(data: JsonObject | undefined, name: string): string | null {
  const headers = data?.headers;
  if (Array.isArray(headers)) {
    for (const header of headers as unknown[]) {
      if (isObject(header) && typeof header.name === 'string' && header.name.toLowerCase() === name) {
        return optionalString(header, 'value');
      }
    }
    return null;
  }
  if (isObject(headers)) {
    for (const [key, value] of Object.entries(headers)) {
      if (key.toLowerCase() === name && typeof value === 'string') return value;
    }
  }
  return null;
}

function resendType(rawType: string, data: JsonObject | undefined): NormalizedEventType | null {
  switch (rawType) {
    case 'email.delivered':
      return 'delivered';
    case 'email.opened':
      return 'opened';
    case 'email.clicked':
      return 'clicked';
    case 'email.bounced': {
      const bounceType = optionalString(optionalObject(data, 'bounce'), 'type');
      return bounceType === null || bounceType === 'Permanent' ? 'bounced' : null;
    }
    case 'email.complained':
      return 'complained';
    default:
      // email.sent, email.delivery_delayed, email.failed, email.scheduled, contact.*, domain.*, ...
      return null;
  }
}
