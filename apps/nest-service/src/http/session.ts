import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/*
 * The browser session: a cookie holding a signed, expiring token, never the API key. The signing key is
 * derived from the API key, so every API process with the same API_KEY accepts a cookie another one set,
 * and a restart keeps it; rotating API_KEY ends every session (API_KEY_PREVIOUS keeps them for a while).
 *
 * Token: `v1.<expiry, unix seconds>.<base64url HMAC-SHA256 over "v1.<expiry>">`.
 */

export const SESSION_COOKIE = 'campaign_session';
/** How long a session lasts, in milliseconds (12 hours). */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const TOKEN = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/** The session signing key for an API key: HMAC-SHA256(apiKey, "campaign-engine session v1"). */
export function sessionKey(apiKey: string): Buffer {
  return createHmac('sha256', apiKey).update('campaign-engine session v1').digest();
}

function mac(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/** A token valid until `expiresAtMs` (milliseconds since the epoch; rounded down to a second). */
export function signSession(key: Buffer, expiresAtMs: number): string {
  const payload = `v1.${Math.floor(expiresAtMs / 1000)}`;
  return `${payload}.${mac(key, payload)}`;
}

/** True when `token` was signed with one of `keys` and has not expired at `nowMs`. */
export function verifySession(token: string, keys: readonly Buffer[], nowMs: number): boolean {
  const match = TOKEN.exec(token);
  if (!match?.[1] || !match[2]) return false;
  if (Number(match[1]) * 1000 <= nowMs) return false;
  const given = Buffer.from(match[2]);
  const payload = `v1.${match[1]}`;
  // Every key is tried, so the time taken does not tell which one matched.
  return keys.reduce((ok, key) => timingSafeEqual(given, Buffer.from(mac(key, payload))) || ok, false);
}

/** Constant-time string equality that does not leak the length either (both sides are hashed first). */
export function secretEquals(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Every value of cookie `name` in a Cookie header (a browser may send several). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    values.push(part.slice(eq + 1).trim());
  }
  return values;
}

/** The Set-Cookie value for a session token; `secure` when the public URL is https. */
export function sessionCookie(token: string, secure: boolean): string {
  const maxAge = Math.floor(SESSION_TTL_MS / 1000);
  return `${SESSION_COOKIE}=${token}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/**
 * `next` if it is a path on this site (`/...`, not `//host` nor `/\host`, no control characters), else
 * `fallback`: the sign-in never redirects anywhere else.
 */
export function sameSitePath(next: unknown, fallback: string): string {
  if (typeof next !== 'string' || next.length > 2048) return fallback;
  // Browsers read `\` as `/` in http(s) URLs, so `/\evil.example` would be `//evil.example`.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (!next.startsWith('/') || next.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(next)) return fallback;
  const base = 'http://sign-in.invalid';
  try {
    const url = new URL(next, base);
    return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : fallback;
  } catch {
    return fallback;
  }
}
