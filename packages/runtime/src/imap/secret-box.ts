import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/*
 * IMAP passwords at rest: AES-256-GCM under IMAP_SECRET_KEY (32 bytes, as 64 hex digits or base64),
 * stored as `v1:<base64 of iv (12) | tag (16) | ciphertext>`. A wrong key or a changed byte fails the
 * tag check: an error, never a wrong password.
 */

export class ImapSecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImapSecretKeyError';
  }
}

/** IMAP_SECRET_KEY decoded; undefined when unset; a malformed one throws naming the variable. */
export function imapSecretKey(env: Readonly<Record<string, string | undefined>>): Buffer | undefined {
  const value = env.IMAP_SECRET_KEY?.trim();
  if (!value) return undefined;
  const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (
    key.length !== 32 ||
    (!/^[0-9a-f]{64}$/i.test(value) && key.toString('base64') !== value.replace(/=*$/, '').padEnd(44, '='))
  )
    throw new ImapSecretKeyError(
      'IMAP_SECRET_KEY must be 32 bytes: 64 hex digits or 44 characters of base64',
    );
  return key;
}

export function encryptSecret(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

export function decryptSecret(key: Buffer, stored: string): string {
  if (!stored.startsWith('v1:')) throw new ImapSecretKeyError('stored IMAP password: unknown format');
  const raw = Buffer.from(stored.slice(3), 'base64');
  if (raw.length < 28) throw new ImapSecretKeyError('stored IMAP password: truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new ImapSecretKeyError(
      'stored IMAP password does not decrypt under IMAP_SECRET_KEY (another key?)',
    );
  }
}
