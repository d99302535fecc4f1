// Test helpers: real keys, real certificates, real signatures. Not part of the build (see tsconfig).
import { execFileSync } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snsStringToSign } from '../providers/ses.ts';
import type { WebhookRequest, WebhookResult } from '../types.ts';

/** A request with the given body and (lower-case) headers. */
export function webhookRequest(
  body: Buffer | string,
  headers: Record<string, string | string[] | undefined> = {},
): WebhookRequest {
  return { rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), headers };
}

/** Asserts a success and returns it typed. */
export function expectOk(result: WebhookResult): Extract<WebhookResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected ok, got ${result.status} ${result.code}: ${result.message}`);
  return result;
}

/** Asserts a refusal and returns it typed. */
export function expectRefused(result: WebhookResult): Extract<WebhookResult, { ok: false }> {
  if (result.ok) throw new Error(`expected a refusal, got ok with ${result.events.length} events`);
  return result;
}

/** Epoch seconds of a Date, as the text a timestamp header carries. */
export function epochSeconds(date: Date): string {
  return String(Math.floor(date.getTime() / 1000));
}

// ---------------------------------------------------------------- SendGrid

/** A fresh ECDSA P-256 key pair, the public key in the base64 DER form SendGrid's settings show. */
export function sendgridKeys(): { privateKey: KeyObject; publicKeyBase64: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKey,
    publicKeyBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Signs `timestamp + body` the way SendGrid does (ECDSA P-256, SHA-256, DER, base64). */
export function signSendgrid(privateKey: KeyObject, timestamp: string, body: Buffer): string {
  return sign('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), {
    key: privateKey,
    dsaEncoding: 'der',
  }).toString('base64');
}

// ---------------------------------------------------------------- Mailgun

/** Mailgun's signature object for a timestamp, signed with `key`. */
export function mailgunSignature(
  key: string,
  timestamp: string,
  token = randomBytes(25).toString('hex'),
): { timestamp: string; token: string; signature: string } {
  const signature = createHmac('sha256', key).update(`${timestamp}${token}`).digest('hex');
  return { timestamp, token, signature };
}

// ---------------------------------------------------------------- Resend (Svix)

/** A random Svix secret in `whsec_` form. */
export function svixSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The base64 v1 signature of `${id}.${timestamp}.${body}`. */
export function svixSignature(secret: string, id: string, timestamp: string, body: Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

// ---------------------------------------------------------------- SES through SNS

/** A self-signed RSA certificate made by the openssl CLI, with its private key. */
export interface TestCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

/** Makes a 2048-bit RSA key and a self-signed certificate valid for `days` days from the real now. */
export function makeSnsCertificate(days = 2): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'webhooks-sns-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        String(days),
        '-subj',
        '/CN=sns.amazonaws.com',
      ],
      { stdio: 'pipe' },
    );
    return { certificatePem: readFileSync(certPath, 'utf8'), privateKeyPem: readFileSync(keyPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The certificate URL SNS uses in us-east-1. */
export const SNS_CERT_URL =
  'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem';
/** The topic the tests allow. */
export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:ses-engagement';

/** Signs an SNS message (SignatureVersion 2, SHA256withRSA) over the AWS string to sign. */
export function signSns(message: Record<string, unknown>, privateKeyPem: string): Record<string, unknown> {
  const signature = sign('sha256', Buffer.from(snsStringToSign(message), 'utf8'), privateKeyPem).toString(
    'base64',
  );
  return { ...message, Signature: signature };
}

/** An SNS Notification carrying `sesEvent`, signed. */
export function snsNotification(
  sesEvent: unknown,
  privateKeyPem: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const message: Record<string, unknown> = {
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: TOPIC_ARN,
    Message: JSON.stringify(sesEvent),
    Timestamp: '2026-01-01T00:00:00.000Z',
    SignatureVersion: '2',
    SigningCertURL: SNS_CERT_URL,
    UnsubscribeURL:
      'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:ses-engagement:c9135db0-26c4-47ec-8998-413945fb5a96',
    ...overrides,
  };
  return signSns(message, privateKeyPem);
}
