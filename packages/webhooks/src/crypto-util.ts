import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets-derived byte strings in time independent of where they differ.
 * Hashing first gives `timingSafeEqual` equal lengths, so a length mismatch leaks no early exit either.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  const sameDigest = timingSafeEqual(sha256(a), sha256(b));
  return sameDigest && a.length === b.length;
}

/** SHA-256 of bytes. */
export function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes canonical padded base64, or returns null. `Buffer.from(s, 'base64')` silently skips
 * garbage, which would let a mangled signature decode to something; refusing it keeps errors honest.
 */
export function decodeBase64Strict(value: string): Buffer | null {
  if (value.length === 0 || !BASE64.test(value)) return null;
  return Buffer.from(value, 'base64');
}

/** Decodes lower- or upper-case hex of an even length, or returns null. */
export function decodeHexStrict(value: string): Buffer | null {
  if (value.length === 0 || value.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(value)) return null;
  return Buffer.from(value, 'hex');
}
