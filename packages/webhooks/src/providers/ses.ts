import type { KeyObject } from 'node:crypto';
import { verify, X509Certificate } from 'node:crypto';
import { decodeBase64Strict } from '../crypto-util.ts';
import { ItemError, malformed, unauthorized, WebhookConfigurationError } from '../errors.ts';
import type { JsonObject } from '../fields.ts';
import { firstOf, firstString, isObject, optionalObject, optionalString, requiredString } from '../fields.ts';
import { collect, ECHO_FIELD, echoedMessageId, normalizeMessageId } from '../normalize.ts';
import { parseJsonBody, singleHeader } from '../request.ts';
import { assertFresh, parseIsoDateTime } from '../time.ts';
import type { NormalizedEvent, NormalizedEventType, ProviderSecrets } from '../types.ts';
import type { ProviderHandler, WebhookSuccess } from './provider.ts';

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/**
 * True only for `https://sns.<region>.amazonaws.com[.cn]/....pem` with no credentials or port.
 * Anything else is never fetched: the certificate decides what "signed by AWS" means, so an
 * attacker-chosen URL would let the attacker sign.
 */
export function isTrustedSnsCertificateUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' &&
    url.username === '' &&
    url.password === '' &&
    url.port === '' &&
    SNS_HOST.test(url.hostname) &&
    url.pathname.endsWith('.pem')
  );
}

const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_FIELDS = [
  'Message',
  'MessageId',
  'SubscribeURL',
  'Timestamp',
  'Token',
  'TopicArn',
  'Type',
] as const;

/**
 * The string SNS signs, as AWS documents it: for each field in this byte order, the name, a
 * newline, the value, a newline. Subject takes part only when the message has one.
 */
export function snsStringToSign(message: JsonObject): string {
  const fields = message.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  let text = '';
  for (const field of fields) {
    const value = message[field];
    if (field === 'Subject' && value === undefined) continue;
    if (typeof value !== 'string') throw malformed(`the SNS message has no string ${field}`);
    text += `${field}\n${value}\n`;
  }
  return text;
}

const MESSAGE_TYPES = new Set(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']);
const MAX_CACHED_CERTIFICATES = 64;

/** The digest of each SNS SignatureVersion: 1 is SHA1withRSA (a topic's default), 2 is SHA256withRSA. */
const SIGNATURE_DIGESTS: Readonly<Record<string, 'sha1' | 'sha256'>> = { '1': 'sha1', '2': 'sha256' };

/**
 * Builds the SES-through-SNS handler: SignatureVersion 1 (SHA1withRSA, what a topic uses unless its
 * `SignatureVersion` attribute is changed) and 2 (SHA256withRSA), both signed by AWS's certificate;
 * only 2 when `config.requireSignatureVersion2`. Certificate URL and topic are vetted before anything
 * is fetched; certificates are cached by URL.
 */
export function createSesHandler(
  config: NonNullable<ProviderSecrets['ses']>,
  toleranceSeconds: number,
): ProviderHandler {
  if (config.topicArns.length === 0) throw new WebhookConfigurationError('ses.topicArns is empty');
  const topics = new Set(config.topicArns);
  const certificates = new Map<string, Promise<X509Certificate>>();

  function certificateAt(url: string): Promise<X509Certificate> {
    let pending = certificates.get(url);
    if (pending === undefined) {
      pending = config.fetchCertificate(url).then((pem) => new X509Certificate(pem));
      // A failed fetch or parse is not kept: the next message tries again. Only this attempt is
      // dropped, not one a concurrent request may have stored since.
      const attempt = pending;
      attempt.catch(() => {
        if (certificates.get(url) === attempt) certificates.delete(url);
      });
      if (certificates.size >= MAX_CACHED_CERTIFICATES) {
        const oldest = certificates.keys().next();
        if (oldest.done !== true) certificates.delete(oldest.value);
      }
      certificates.set(url, pending);
    }
    return pending;
  }

  return async (request, now) => {
    const body = parseJsonBody(request.rawBody);
    if (!isObject(body)) throw malformed('an SNS body is a JSON object');
    const type = body.Type;
    if (typeof type !== 'string' || !MESSAGE_TYPES.has(type)) {
      throw malformed('Type is not an SNS message type');
    }
    const headerType = singleHeader(request, 'x-amz-sns-message-type');
    if (headerType !== undefined && headerType !== type) {
      throw malformed(`x-amz-sns-message-type says ${headerType}, the body says ${type}`);
    }
    const version = body.SignatureVersion;
    const digest =
      typeof version === 'string' && Object.hasOwn(SIGNATURE_DIGESTS, version)
        ? SIGNATURE_DIGESTS[version]
        : undefined;
    if (digest === undefined) {
      throw unauthorized(
        'unsupported_signature_version',
        'SNS SignatureVersion must be 1 (SHA1withRSA) or 2 (SHA256withRSA)',
      );
    }
    if (config.requireSignatureVersion2 === true && digest !== 'sha256') {
      throw unauthorized(
        'unsupported_signature_version',
        'only SNS SignatureVersion 2 (SHA256withRSA) is accepted here: set the topic attribute SignatureVersion to 2',
      );
    }
    const signatureText = optionalString(body, 'Signature');
    if (signatureText === null) throw unauthorized('missing_signature', 'the SNS message has no Signature');
    const certificateUrl = optionalString(body, 'SigningCertURL');
    if (certificateUrl === null || !isTrustedSnsCertificateUrl(certificateUrl)) {
      throw unauthorized('untrusted_certificate_url', 'SigningCertURL is not an https SNS certificate URL');
    }
    const topicArn = optionalString(body, 'TopicArn');
    if (topicArn === null || !topics.has(topicArn)) {
      throw unauthorized('unknown_topic', 'TopicArn is not in the allow-list');
    }
    const timestampText = optionalString(body, 'Timestamp');
    const timestamp = timestampText === null ? null : parseIsoDateTime(timestampText);
    if (timestamp === null) throw unauthorized('invalid_timestamp', 'Timestamp is missing or not ISO 8601');
    assertFresh(timestamp.getTime(), now, toleranceSeconds);
    const stringToSign = snsStringToSign(body);
    const signature = decodeBase64Strict(signatureText);
    if (signature === null) throw unauthorized('invalid_signature', 'Signature is not base64');

    let certificate: X509Certificate;
    try {
      certificate = await certificateAt(certificateUrl);
    } catch (error) {
      throw unauthorized(
        'certificate_unavailable',
        `the signing certificate could not be loaded: ${String(error)}`,
      );
    }
    assertCertificateCurrent(certificate, now);
    if (!verifiesWith(certificate.publicKey, digest, stringToSign, signature)) {
      throw unauthorized('invalid_signature', 'the SNS signature does not match');
    }
    return afterVerification(body, type);
  };
}

function assertCertificateCurrent(certificate: X509Certificate, now: Date): void {
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  if (!(from <= now.getTime() && now.getTime() <= to)) {
    throw unauthorized('certificate_invalid', 'the signing certificate is not valid at this time');
  }
}

function verifiesWith(
  key: KeyObject,
  digest: 'sha1' | 'sha256',
  stringToSign: string,
  signature: Buffer,
): boolean {
  if (key.asymmetricKeyType !== 'rsa') return false;
  try {
    return verify(digest, Buffer.from(stringToSign, 'utf8'), key, signature);
  } catch {
    return false;
  }
}

function afterVerification(body: JsonObject, type: string): WebhookSuccess {
  if (type === 'SubscriptionConfirmation') {
    const subscribeUrl = requiredSubscribeUrl(body);
    return {
      ok: true,
      events: [],
      rejected: [],
      reply: { kind: 'sns_subscription_confirmation', subscribeUrl },
    };
  }
  if (type === 'UnsubscribeConfirmation') return { ok: true, events: [], rejected: [] };
  const messageId = requiredSnsString(body, 'MessageId');
  return { ok: true, ...collect([body.Message], (message) => normalizeSesMessage(message, messageId)) };
}

function requiredSnsString(body: JsonObject, field: string): string {
  const value = optionalString(body, field);
  if (value === null) throw malformed(`the SNS message has no ${field}`);
  return value;
}

// The caller visits this URL; it is signed, but checked like the certificate URL all the same.
function requiredSubscribeUrl(body: JsonObject): string {
  const value = requiredSnsString(body, 'SubscribeURL');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw unauthorized('invalid_subscribe_url', 'SubscribeURL is not a URL');
  }
  if (url.protocol !== 'https:' || !SNS_HOST.test(url.hostname) || url.username !== '' || url.port !== '') {
    throw unauthorized('invalid_subscribe_url', 'SubscribeURL is not an https SNS URL');
  }
  return value;
}

/**
 * Maps the SES event carried in an SNS `Message` (event publishing's `eventType` or the older
 * feedback notifications' `notificationType`). A Bounce is a bounce only when `bounceType` is
 * `Permanent`; Transient and Undetermined are null, as are DeliveryDelay, Send, Reject and
 * Rendering Failure. The address is the affected recipient when the type names one, else the
 * first destination. `providerEventId` is the SNS MessageId, constant across SNS retries.
 */
export function normalizeSesMessage(message: unknown, snsMessageId: string): NormalizedEvent {
  if (typeof message !== 'string') throw new ItemError('not_a_string', 'Message is not a string');
  let event: unknown;
  try {
    event = JSON.parse(message) as unknown;
  } catch {
    throw new ItemError('invalid_json', 'Message is not a JSON SES event');
  }
  if (!isObject(event)) throw new ItemError('not_an_object', 'the SES event is not a JSON object');
  const rawType = optionalString(event, 'eventType') ?? optionalString(event, 'notificationType');
  if (rawType === null) {
    throw new ItemError('missing_field', 'the SES event has no eventType or notificationType');
  }
  const mail = optionalObject(event, 'mail');
  if (mail === undefined) throw new ItemError('missing_field', 'the SES event has no mail object');
  const detail = optionalObject(event, detailKey(rawType));
  const timestampText = optionalString(detail, 'timestamp') ?? requiredString(mail, 'timestamp', 'mail.');
  const occurredAt = parseIsoDateTime(timestampText);
  if (occurredAt === null) {
    throw new ItemError('invalid_timestamp', `${timestampText} is not an ISO 8601 time`);
  }
  const sesMessageId = optionalString(mail, 'messageId');
  return {
    providerEventId: snsMessageId,
    // X-SES-MESSAGE-TAGS come back in `mail.tags`, each value an array.
    echoedMessageId: echoedMessageId(optionalObject(mail, 'tags')?.[ECHO_FIELD]),
    providerMessageId: sesMessageId,
    messageIdHeader: normalizeMessageId(sesMessageIdHeader(mail, sesMessageId)),
    type: sesType(rawType, event, detail),
    rawType,
    occurredAt,
    email: affectedRecipient(rawType, detail) ?? firstString(mail, 'destination'),
    machine: false,
    bot: false,
    autoReply: false,
    payload: event,
  };
}

// The object holding the type's details: "Rendering Failure" keeps them in `failure`.
function detailKey(rawType: string): string {
  if (rawType === 'Rendering Failure') return 'failure';
  return rawType.charAt(0).toLowerCase() + rawType.slice(1);
}

function affectedRecipient(rawType: string, detail: JsonObject | undefined): string | null {
  const listKey: Record<string, string> = {
    Bounce: 'bouncedRecipients',
    Complaint: 'complainedRecipients',
    DeliveryDelay: 'delayedRecipients',
  };
  const key = listKey[rawType];
  if (key !== undefined) {
    const first = firstOf(detail, key);
    return isObject(first) ? optionalString(first, 'emailAddress') : null;
  }
  if (rawType === 'Delivery') return firstString(detail, 'recipients');
  return null;
}

/**
 * The Message-ID header from `mail.headers`; failing that `commonHeaders.messageId`, unless it is
 * merely SES's own id (what SES shows when the sender set none).
 */
function sesMessageIdHeader(mail: JsonObject, sesMessageId: string | null): string | null {
  const headers = mail.headers;
  if (Array.isArray(headers)) {
    for (const header of headers as unknown[]) {
      if (isObject(header) && typeof header.name === 'string' && header.name.toLowerCase() === 'message-id') {
        return optionalString(header, 'value');
      }
    }
  }
  const common = optionalString(optionalObject(mail, 'commonHeaders'), 'messageId');
  return common !== null && common !== sesMessageId ? common : null;
}

function sesType(
  rawType: string,
  event: JsonObject,
  detail: JsonObject | undefined,
): NormalizedEventType | null {
  switch (rawType) {
    case 'Delivery':
      return 'delivered';
    case 'Open':
      return 'opened';
    case 'Click':
      return 'clicked';
    case 'Bounce':
      return detail?.bounceType === 'Permanent' ? 'bounced' : null;
    case 'Complaint':
      return 'complained';
    case 'Subscription': {
      // SES list management: an unsubscribe from every topic stops mail to this contact.
      const preferences = optionalObject(optionalObject(event, 'subscription'), 'newTopicPreferences');
      return preferences?.unsubscribeAll === true ? 'unsubscribed' : null;
    }
    default:
      return null;
  }
}
