import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  clearedSessionCookie,
  cookieValues,
  SESSION_TTL_MS,
  sameSitePath,
  secretEquals,
  sessionCookie,
  sessionKey,
  signSession,
  verifySession,
} from './session.ts';

const KEY = 'test-api-key-0123456789abcdef';
const NOW = Date.parse('2025-03-01T12:00:00Z');

describe('session tokens', () => {
  it('are keyed by HMAC-SHA256(API key, "campaign-engine session v1"), so any process with the key verifies them', () => {
    const derived = createHmac('sha256', KEY).update('campaign-engine session v1').digest();
    expect(sessionKey(KEY).equals(derived)).toBe(true);
    const token = signSession(sessionKey(KEY), NOW + SESSION_TTL_MS);
    expect(verifySession(token, [derived], NOW)).toBe(true);
    expect(token).not.toContain(KEY);
  });

  it('expire at their expiry, and a later expiry cannot be forged', () => {
    const key = sessionKey(KEY);
    const token = signSession(key, NOW + SESSION_TTL_MS);
    expect(verifySession(token, [key], NOW + SESSION_TTL_MS - 1000)).toBe(true);
    expect(verifySession(token, [key], NOW + SESSION_TTL_MS)).toBe(false);
    const [, , mac] = token.split('.');
    const extended = `v1.${Math.floor((NOW + 10 * SESSION_TTL_MS) / 1000)}.${mac}`;
    expect(verifySession(extended, [key], NOW + SESSION_TTL_MS)).toBe(false);
  });

  it('verify with any of the keys given (API_KEY_PREVIOUS during a rotation) and no other', () => {
    const previous = sessionKey('previous-api-key-0123456789');
    const token = signSession(previous, NOW + 1000);
    expect(verifySession(token, [sessionKey(KEY), previous], NOW)).toBe(true);
    expect(verifySession(token, [sessionKey(KEY)], NOW)).toBe(false);
    expect(verifySession(`${token}x`, [previous], NOW)).toBe(false);
    expect(verifySession(KEY, [sessionKey(KEY)], NOW)).toBe(false);
  });
});

describe('sameSitePath', () => {
  it('keeps paths of this site', () => {
    expect(sameSitePath('/admin/queues/queue/x?status=failed#a', '/f')).toBe(
      '/admin/queues/queue/x?status=failed#a',
    );
  });

  it('regression: never an open redirect (other hosts, protocol-relative, backslash, schemes)', () => {
    for (const next of [
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example/',
      '\\\\evil.example',
      '/\t/evil.example',
      'javascript:alert(1)',
      'admin/queues',
      '',
      undefined,
      ['/a'],
    ])
      expect(sameSitePath(next, '/fallback')).toBe('/fallback');
  });
});

describe('cookies', () => {
  it('the session cookie is HttpOnly, SameSite=Strict, Path=/, 12 hours, Secure only when asked', () => {
    const plain = sessionCookie('v1.1.x', false);
    expect(plain).toBe('campaign_session=v1.1.x; Max-Age=43200; Path=/; HttpOnly; SameSite=Strict');
    expect(sessionCookie('v1.1.x', true)).toBe(`${plain}; Secure`);
    expect(clearedSessionCookie(false)).toContain('Max-Age=0');
  });

  it('reads every value of a name from a Cookie header', () => {
    expect(cookieValues('a=1; campaign_session=x; b=2;campaign_session=y', 'campaign_session')).toEqual([
      'x',
      'y',
    ]);
    expect(cookieValues(undefined, 'campaign_session')).toEqual([]);
  });

  it('secretEquals compares whole strings', () => {
    expect(secretEquals(KEY, KEY)).toBe(true);
    expect(secretEquals(KEY.slice(0, -1), KEY)).toBe(false);
    expect(secretEquals(`${KEY}x`, KEY)).toBe(false);
  });
});
