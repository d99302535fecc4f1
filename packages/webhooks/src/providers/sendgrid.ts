import type { KeyObject } from 'node:crypto';
import { createPublicKey, verify } from 'node:crypto';
import { decodeBase64Strict } from '../crypto-util.ts';
import { ItemError, malformed, unauthorized, WebhookConfigurationError } from '../errors.ts';
import type { JsonObject } from '../fields.ts';
import { isObject, optionalString, requiredString } from '../fields.ts';
import { collect, ECHO_FIELD, echoedMessageId, normalizeMessageId } from '../normalize.ts';
import { parseJsonBody, singleHeader } from '../request.ts';
import { assertFresh, dateFromEpochSeconds, parseEpochSecondsText } from '../time.ts';
import type { NormalizedEvent, NormalizedEventType } from '../types.ts';
import type { ProviderHandler } from './provider.ts';

/** Header carrying the base64 DER ECDSA signature of `timestamp + rawBody`. */
export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
/** Header carrying the epoch-seconds timestamp that is signed with the body. */
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/**
 * Reads the verification key as SendGrid's settings page shows it (base64 of the DER
 * SubjectPublicKeyInfo, no PEM armour) or as PEM, and insists on ECDSA P-256: a key of another
 * type would make `verify` check a different algorithm than SendGrid signs with.
 */
export function parseSendgridPublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    if (trimmed.includes('-----BEGIN')) {
      key = createPublicKey(trimmed);
    } else {
      const der = decodeBase64Strict(trimmed.replace(/\s+/g, ''));
      if (der === null) throw new Error('not base64');
      key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    }
  } catch (error) {
    throw new WebhookConfigurationError(
      `sendgridPublicKey is neither PEM nor base64 DER SubjectPublicKeyInfo: ${(error as Error).message}`,
    );
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new WebhookConfigurationError('sendgridPublicKey must be an ECDSA P-256 (prime256v1) public key');
  }
  return key;
}

/** Builds the SendGrid Signed Event Webhook handler. */
export function createSendgridHandler(publicKeyText: string, toleranceSeconds: number): ProviderHandler {
  const publicKey = parseSendgridPublicKey(publicKeyText);
  return async (request, now) => {
    const signature = singleHeader(request, SENDGRID_SIGNATURE_HEADER);
    const timestamp = singleHeader(request, SENDGRID_TIMESTAMP_HEADER);
    if (signature === undefined) {
      throw unauthorized('missing_signature', `${SENDGRID_SIGNATURE_HEADER} is missing`);
    }
    if (timestamp === undefined) {
      throw unauthorized('missing_timestamp', `${SENDGRID_TIMESTAMP_HEADER} is missing`);
    }
    const signedAt = parseEpochSecondsText(timestamp);
    if (signedAt === null) throw unauthorized('invalid_timestamp', 'the timestamp is not epoch seconds');
    assertFresh(signedAt * 1000, now, toleranceSeconds);
    const signatureBytes = decodeBase64Strict(signature);
    if (signatureBytes === null) throw unauthorized('invalid_signature', 'the signature is not base64');
    // The timestamp header's exact text is what SendGrid signed, prepended to the untouched body bytes.
    const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), request.rawBody]);
    let valid = false;
    try {
      valid = verify('sha256', signed, { key: publicKey, dsaEncoding: 'der' }, signatureBytes);
    } catch {
      // A signature that is not a DER ECDSA structure makes OpenSSL throw: it is as forged as a wrong one.
      valid = false;
    }
    if (!valid) throw unauthorized('invalid_signature', 'the SendGrid signature does not match');

    const body = parseJsonBody(request.rawBody);
    if (!Array.isArray(body)) throw malformed('a SendGrid body is a JSON array of events');
    return { ok: true, ...collect(body, normalizeSendgridEvent) };
  };
}

/**
 * Maps one SendGrid event. `bounce` is a hard bounce unless its `type` says `blocked` (SendGrid's
 * name for a temporary or policy refusal). `providerMessageId` is `sg_message_id` up to its first
 * dot: the part SendGrid returned in `X-Message-Id` when the message was sent; the suffix names the
 * internal hop that produced the event.
 */
export function normalizeSendgridEvent(item: unknown): NormalizedEvent {
  if (!isObject(item)) throw new ItemError('not_an_object', 'the event is not a JSON object');
  const rawType = requiredString(item, 'event');
  const providerEventId = requiredString(item, 'sg_event_id');
  const occurredAt = dateFromEpochSeconds(item.timestamp);
  if (occurredAt === null) throw new ItemError('invalid_timestamp', 'timestamp is not epoch seconds');
  const sgMessageId = optionalString(item, 'sg_message_id');
  return {
    providerEventId,
    // Unique args (X-SMTPAPI) and custom args come back as top-level keys of each event.
    echoedMessageId: echoedMessageId(item[ECHO_FIELD]),
    providerMessageId: sgMessageId === null ? null : (sgMessageId.split('.')[0] ?? sgMessageId),
    messageIdHeader: normalizeMessageId(optionalString(item, 'smtp-id')),
    type: sendgridType(rawType, item),
    rawType,
    occurredAt,
    email: optionalString(item, 'email'),
    machine: rawType === 'open' && item.sg_machine_open === true,
    bot: false,
    autoReply: false,
    payload: item,
  };
}

function sendgridType(rawType: string, item: JsonObject): NormalizedEventType | null {
  switch (rawType) {
    case 'delivered':
      return 'delivered';
    case 'open':
      return 'opened';
    case 'click':
      return 'clicked';
    case 'bounce':
      return item.type === 'blocked' ? null : 'bounced';
    case 'spamreport':
      return 'complained';
    case 'unsubscribe':
    case 'group_unsubscribe':
      return 'unsubscribed';
    default:
      // processed, deferred, dropped, group_resubscribe and anything SendGrid adds later.
      return null;
  }
}
