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

/**
 * Decodes base64url strictly: only the canonical spelling Node's encoder produces (alphabet `A-Z a-z 0-9
 * - _`, no `=` padding, unused trailing bits zero). Null for anything else, so one token has one spelling.
 */
function decodeBase64url(text: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}

/**
 * The message id a token was signed for, or null when it is malformed (including a non-canonical
 * base64url spelling) or its signature matches none of `secrets`. Pass the current secret first and
 * the previous one (UNSUBSCRIBE_SECRET_PREVIOUS) after it, so links signed before a rotation still work.
 */
export function verifyUnsubscribeToken(token: string, secrets: readonly string[]): string | null {
  const [id, signature, extra] = token.split('.');
  if (!id || !signature || extra !== undefined) return null;
  const idBytes = decodeBase64url(id);
  const given = decodeBase64url(signature);
  if (!idBytes || !given) return null;
  const messageId = idBytes.toString();
  // Bytes that are not UTF-8 would decode to a different id than the one signed.
  if (!Buffer.from(messageId).equals(idBytes)) return null;
  for (const secret of secrets) {
    const expected = mac(secret, messageId);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return messageId;
  }
  return null;
}

/** RFC 2369 + RFC 8058 headers for a message: one-click unsubscribe by POST to the signed URL. */
export function listUnsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
