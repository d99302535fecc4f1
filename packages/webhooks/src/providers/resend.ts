import { createHmac } from 'node:crypto';
import { constantTimeEqual, decodeBase64Strict } from '../crypto-util.ts';
import { ItemError, malformed, unauthorized, WebhookConfigurationError } from '../errors.ts';
import type { JsonObject } from '../fields.ts';
import { firstString, isObject, optionalObject, optionalString, requiredString } from '../fields.ts';
import { collect, ECHO_FIELD, echoedMessageId, normalizeMessageId } from '../normalize.ts';
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
 * The same three headers as Svix sends them unbranded (the Standard Webhooks names): `webhook-id`,
 * `webhook-timestamp`, `webhook-signature`, with the same meaning and signature scheme.
 */
export const UNBRANDED_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;
const SVIX_HEADERS = {
  id: SVIX_ID_HEADER,
  timestamp: SVIX_TIMESTAMP_HEADER,
  signature: SVIX_SIGNATURE_HEADER,
} as const;

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
 * The `svix-*` headers are read when any of them is present, else the unbranded `webhook-*` ones:
 * one set, never a mix.
 */
export function createResendHandler(secret: string, toleranceSeconds: number): ProviderHandler {
  const key = decodeSvixSecret(secret);
  return async (request, now) => {
    const branded = Object.values(SVIX_HEADERS).some((name) => request.headers[name] !== undefined);
    const names = branded ? SVIX_HEADERS : UNBRANDED_HEADERS;
    const id = singleHeader(request, names.id);
    const timestamp = singleHeader(request, names.timestamp);
    const signatures = singleHeader(request, names.signature);
    if (id === undefined) throw unauthorized('missing_signature', `${names.id} is missing`);
    if (timestamp === undefined) {
      throw unauthorized('missing_timestamp', `${names.timestamp} is missing`);
    }
    if (signatures === undefined) {
      throw unauthorized('missing_signature', `${names.signature} is missing`);
    }
    const signedAt = parseEpochSecondsText(timestamp);
    if (signedAt === null) throw unauthorized('invalid_timestamp', `${names.timestamp} is not epoch seconds`);
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
 * Maps one Resend event. Resend sends `email.bounced` for permanent rejections; `bounce.type` carries
 * SES's classification (`Permanent`, `Transient`, `Undetermined`). Only an explicit transient or
 * undetermined bounce is soft (null); anything else, a missing or unfamiliar type included, is a hard
 * bounce. Our echoed message id is read from `data.tags` (an object of names to values, or a list of
 * `{ name, value }`). `contact.*` and `domain.*` events are not about a message and come out as null.
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
    echoedMessageId: isEmailEvent ? echoedMessageId(tagValue(data, ECHO_FIELD)) : null,
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

/** A tag from `data.tags`, given as an object or as `[{ name, value }]`. */
function tagValue(data: JsonObject | undefined, name: string): unknown {
  const tags = data?.tags;
  if (Array.isArray(tags)) {
    for (const tag of tags as unknown[]) {
      if (isObject(tag) && tag.name === name) return tag.value;
    }
    return undefined;
  }
  return isObject(tags) && Object.hasOwn(tags, name) ? tags[name] : undefined;
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

/** The `bounce.type` values (lower-cased) that say the failure may pass: everything else is hard. */
const SOFT_BOUNCE_TYPES = new Set(['transient', 'undetermined']);

function resendType(rawType: string, data: JsonObject | undefined): NormalizedEventType | null {
  switch (rawType) {
    case 'email.delivered':
      return 'delivered';
    case 'email.opened':
      return 'opened';
    case 'email.clicked':
      return 'clicked';
    case 'email.bounced': {
      const bounceType = optionalString(optionalObject(data, 'bounce'), 'type')?.trim().toLowerCase();
      return bounceType !== undefined && SOFT_BOUNCE_TYPES.has(bounceType) ? null : 'bounced';
    }
    case 'email.complained':
      return 'complained';
    default:
      // email.sent, email.delivery_delayed, email.failed, email.scheduled, contact.*, domain.*, ...
      return null;
  }
}
