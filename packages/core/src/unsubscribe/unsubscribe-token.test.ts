import { describe, expect, it } from 'vitest';
import { listUnsubscribeHeaders, signUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token.ts';

const secret = 'a-secret-of-enough-length';
const id = '0b5f1a8e-7d2c-4a57-9f0e-2f5b6c1d9e11';

describe('unsubscribe tokens', () => {
  it('round-trips the message id', () => {
    expect(verifyUnsubscribeToken(signUnsubscribeToken(id, secret), secret)).toBe(id);
  });

  it('refuses another secret, a changed id, a changed signature and garbage', () => {
    const token = signUnsubscribeToken(id, secret);
    const [encodedId, signature] = token.split('.');
    expect(verifyUnsubscribeToken(token, `${secret}-other`)).toBeNull();
    expect(
      verifyUnsubscribeToken(`${Buffer.from(`${id}x`).toString('base64url')}.${signature}`, secret),
    ).toBeNull();
    expect(verifyUnsubscribeToken(`${encodedId}.${signature?.slice(0, -2)}AA`, secret)).toBeNull();
    expect(verifyUnsubscribeToken('nonsense', secret)).toBeNull();
    expect(verifyUnsubscribeToken(`${token}.extra`, secret)).toBeNull();
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
