import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * The token in a message's List-Unsubscribe URL: the message id and an HMAC-SHA256 of it under a
 * server secret, base64url. Whoever holds the email can unsubscribe its recipient, and nobody can forge
 * a token for another message (RFC 8058 one-click).
 */

function mac(secret: string, messageId: string): Buffer {
  return createHmac('sha256', secret).update(`unsubscribe:${messageId}`).digest();
}

/** The signed token for `messageId`. `secret` MUST be at least 16 characters. */
export function signUnsubscribeToken(messageId: string, secret: string): string {
  if (secret.length < 16) throw new Error('the unsubscribe secret must be at least 16 characters');
  return `${Buffer.from(messageId).toString('base64url')}.${mac(secret, messageId).toString('base64url')}`;
}

/** The message id a token was signed for, or null when it is malformed or its signature does not match. */
export function verifyUnsubscribeToken(token: string, secret: string): string | null {
  const [id, signature, extra] = token.split('.');
  if (!id || !signature || extra !== undefined) return null;
  const messageId = Buffer.from(id, 'base64url').toString();
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, messageId);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return messageId;
}

/** RFC 2369 + RFC 8058 headers for a message: one-click unsubscribe by POST to the signed URL. */
export function listUnsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
