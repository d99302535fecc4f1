import { describe, expect, it } from 'vitest';
import { listUnsubscribeHeaders, signUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token.ts';

const secret = 'a-secret-of-enough-length';
const id = '0b5f1a8e-7d2c-4a57-9f0e-2f5b6c1d9e11';

describe('unsubscribe tokens', () => {
  it('round-trips the message id', () => {
    expect(verifyUnsubscribeToken(signUnsubscribeToken(id, secret), [secret])).toBe(id);
  });

  it('refuses another secret, a changed id, a changed signature and garbage', () => {
    const token = signUnsubscribeToken(id, secret);
    const [encodedId, signature] = token.split('.');
    expect(verifyUnsubscribeToken(token, [`${secret}-other`])).toBeNull();
    expect(
      verifyUnsubscribeToken(`${Buffer.from(`${id}x`).toString('base64url')}.${signature}`, [secret]),
    ).toBeNull();
    expect(verifyUnsubscribeToken(`${encodedId}.${signature?.slice(0, -2)}AA`, [secret])).toBeNull();
    expect(verifyUnsubscribeToken('nonsense', [secret])).toBeNull();
    expect(verifyUnsubscribeToken(`${token}.extra`, [secret])).toBeNull();
  });

  // Bug pinned: tokens decoded base64url leniently, so one link had many accepted spellings.
  it('refuses every non-canonical base64url spelling of a valid token', () => {
    const token = signUnsubscribeToken(id, secret);
    const [encodedId = '', signature = ''] = token.split('.');
    // 32 signature bytes take 43 characters: the last one carries 2 unused bits, which must be zero.
    const last = signature.slice(-1);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flipped = alphabet[alphabet.indexOf(last) ^ 1];
    const sameBytes = `${encodedId}.${signature.slice(0, -1)}${flipped}`;
    expect(Buffer.from(sameBytes.split('.')[1] ?? '', 'base64url')).toEqual(
      Buffer.from(signature, 'base64url'),
    );
    expect(verifyUnsubscribeToken(sameBytes, [secret])).toBeNull();
    expect(verifyUnsubscribeToken(`${encodedId}.${signature}=`, [secret])).toBeNull();
    expect(verifyUnsubscribeToken(`${encodedId}=.${signature}`, [secret])).toBeNull();
    expect(verifyUnsubscribeToken(`${encodedId} .${signature}`, [secret])).toBeNull();
    // `+` and `/` are the base64 (not base64url) spellings of `-` and `_`.
    const ids = Array.from({ length: 64 }, (_, i) => `${id.slice(0, -2)}${i.toString(16).padStart(2, '0')}`);
    const withDash = ids.map((i) => signUnsubscribeToken(i, secret)).find((t) => /[-_]/.test(t));
    expect(withDash).toBeDefined();
    const plusSlash = (withDash ?? '').replaceAll('-', '+').replaceAll('_', '/');
    expect(verifyUnsubscribeToken(withDash ?? '', [secret])).not.toBeNull();
    expect(verifyUnsubscribeToken(plusSlash, [secret])).toBeNull();
  });

  it('accepts a token signed with any of the given secrets (rotation), and only those', () => {
    const previous = 'the-previous-secret-of-length';
    const oldToken = signUnsubscribeToken(id, previous);
    expect(verifyUnsubscribeToken(oldToken, [secret, previous])).toBe(id);
    expect(verifyUnsubscribeToken(signUnsubscribeToken(id, secret), [secret, previous])).toBe(id);
    expect(verifyUnsubscribeToken(oldToken, [secret])).toBeNull();
    expect(verifyUnsubscribeToken(oldToken, [])).toBeNull();
  });

  it('refuses a short secret', () => {
    expect(() => signUnsubscribeToken(id, 'short')).toThrow(/16 characters/);
  });

  it('builds the RFC 8058 one-click headers', () => {
    expect(listUnsubscribeHeaders('https://x.test/v1/unsubscribe/t')).toEqual({
      'List-Unsubscribe': '<https://x.test/v1/unsubscribe/t>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });
});
