import { createHmac } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, pgbossEnv, startApi } from '../support/api.ts';

/*
 * Who may call the API, on real API processes: the browser sign-in and its session cookie, the Origin
 * rule for cookie-authenticated writes, API_KEY_PREVIOUS. (Deny by default, on an app in this process:
 * apps/nest-service/test/auth.integration.test.ts.)
 */

const KEY = 'auth-test-api-key-0123456789abcdef';
const NEXT_KEY = 'auth-test-next-api-key-0123456789abcdef';
const SECRET = 'auth-test-unsubscribe-secret-0123456789';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const HOUR = 60 * 60 * 1000;

/** A session token as the README documents it, signed here without the app's code. */
function forgeSession(apiKey: string, expiresAtMs: number): string {
  const key = createHmac('sha256', apiKey).update('campaign-engine session v1').digest();
  const payload = `v1.${Math.floor(expiresAtMs / 1000)}`;
  return `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
}

const cookieOf = (res: Response): string | undefined =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith('campaign_session='))
    ?.split(';')[0];

describe('browser sign-in and API_KEY_PREVIOUS (real API processes)', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  /** BullMQ (so Bull Board is there), API_KEY = KEY. */
  let board: ApiProcess;
  /** Another process with the same API_KEY. */
  let sibling: ApiProcess;
  /** Rotated: API_KEY = NEXT_KEY, API_KEY_PREVIOUS = KEY, https PUBLIC_URL. */
  let rotated: ApiProcess;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const common = () => ({ ...pgbossEnv(database, 'auth'), UNSUBSCRIBE_SECRET: SECRET, RUN_WORKERS: '0' });
    [board, sibling, rotated] = await Promise.all([
      startApi({ ...common(), REDIS_URL, QUEUE_BACKEND: 'bullmq', API_KEY: KEY }),
      startApi({ ...common(), API_KEY: KEY }),
      startApi({
        ...common(),
        API_KEY: NEXT_KEY,
        API_KEY_PREVIOUS: KEY,
        PUBLIC_URL: 'https://campaigns.example.test',
      }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([board?.stop(), sibling?.stop(), rotated?.stop()]);
    await database?.dispose();
  });

  async function signIn(api: ApiProcess, body: string, contentType: string, query = '') {
    return fetch(`${api.base}/auth/sign-in${query}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
      redirect: 'manual',
    });
  }

  async function sessionFrom(api: ApiProcess, key = KEY): Promise<string> {
    const res = await signIn(api, JSON.stringify({ apiKey: key }), 'application/json');
    expect(res.status).toBe(303);
    const cookie = cookieOf(res);
    if (!cookie) throw new Error('no session cookie');
    return cookie;
  }

  it('GET /auth/sign-in is a form with a password field that keeps a same-site next, and nothing else', async () => {
    const res = await fetch(
      `${board.base}/auth/sign-in?next=${encodeURIComponent('/admin/queues/queue/x?a=1&b=2')}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).toContain('type="password" name="apiKey"');
    expect(html).toContain('name="next" value="/admin/queues/queue/x?a=1&amp;b=2"');
    for (const evil of [
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example/',
      '"><script>x</script>',
    ]) {
      const page = await (await fetch(`${board.base}/auth/sign-in?next=${encodeURIComponent(evil)}`)).text();
      expect(page).toContain('name="next" value="/admin/queues"');
      expect(page).not.toContain('evil.example');
      expect(page).not.toContain('<script>');
    }
  });

  it('POST /auth/sign-in with the key sets a signed 12-hour session cookie and 303s to next (form or JSON)', async () => {
    const before = Date.now();
    const form = await signIn(
      board,
      new URLSearchParams({ apiKey: KEY, next: '/admin/queues/queue/x' }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('/admin/queues/queue/x');
    const setCookie = form.headers.getSetCookie().find((c) => c.startsWith('campaign_session=')) ?? '';
    expect(setCookie.split('; ').slice(1).sort()).toEqual(
      ['HttpOnly', 'Max-Age=43200', 'Path=/', 'SameSite=Strict'].sort(),
    );
    // A signed, expiring token, never the key itself.
    const token = setCookie.split(';')[0]?.slice('campaign_session='.length) ?? '';
    expect(token).not.toContain(KEY);
    const [, expiry] = /^v1\.(\d+)\.[A-Za-z0-9_-]{43}$/.exec(token) ?? [];
    expect(Number(expiry) * 1000).toBeGreaterThanOrEqual(before + 12 * HOUR - 2000);
    expect(Number(expiry) * 1000).toBeLessThanOrEqual(Date.now() + 12 * HOUR);

    const json = await signIn(board, JSON.stringify({ apiKey: KEY }), 'application/json');
    expect(json.status).toBe(303);
    expect(json.headers.get('location')).toBe('/admin/queues');
    expect(cookieOf(json)).toMatch(/^campaign_session=v1\./);
  });

  it('regression: the sign-in never redirects off the site (open redirect)', async () => {
    for (const next of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      const res = await signIn(board, JSON.stringify({ apiKey: KEY, next }), 'application/json');
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/admin/queues');
      const viaQuery = await signIn(
        board,
        new URLSearchParams({ apiKey: KEY }).toString(),
        'application/x-www-form-urlencoded',
        `?next=${encodeURIComponent(next)}`,
      );
      expect(viaQuery.headers.get('location')).toBe('/admin/queues');
    }
  });

  it('a wrong key is a 401 with the form again (or a problem for JSON) and no cookie', async () => {
    const form = await signIn(
      board,
      new URLSearchParams({ apiKey: `${KEY}x`, next: '/admin/queues' }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(form.status).toBe(401);
    expect(form.headers.getSetCookie()).toEqual([]);
    expect(await form.text()).toContain('type="password"');
    for (const body of [{ apiKey: NEXT_KEY }, { apiKey: KEY.slice(0, -1) }, {}, { apiKey: [KEY] }]) {
      const json = await signIn(board, JSON.stringify(body), 'application/json');
      expect(json.status).toBe(401);
      expect(json.headers.getSetCookie()).toEqual([]);
      expect(await json.json()).toMatchObject({ status: 401, code: 'unauthorized' });
    }
  });

  it('regression: Bull Board opens in a browser with the cookie (it took only a Bearer header)', async () => {
    const cookie = await sessionFrom(board);
    const withCookie = await fetch(`${board.base}/admin/queues`, { headers: { cookie } });
    expect(withCookie.status).toBe(200);
    expect(await withCookie.text()).toContain('<html');
    const bearer = await fetch(`${board.base}/admin/queues`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(bearer.status).toBe(200);
    // A browser without a session is sent to the sign-in; anything else gets a 401.
    const browser = await fetch(`${board.base}/admin/queues`, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
      redirect: 'manual',
    });
    expect(browser.status).toBe(303);
    expect(browser.headers.get('location')).toBe('/auth/sign-in?next=%2Fadmin%2Fqueues');
    expect((await fetch(`${board.base}/admin/queues`)).status).toBe(401);
  });

  it('the cookie authenticates the API; forged, expired or other-key cookies do not', async () => {
    const cookie = await sessionFrom(board);
    expect((await fetch(`${board.base}/v1/plans/schema`, { headers: { cookie } })).status).toBe(200);
    for (const bad of [
      `campaign_session=${forgeSession(KEY, Date.now() - 1000)}`,
      `campaign_session=${forgeSession('some-other-api-key-0123456789', Date.now() + HOUR)}`,
      `campaign_session=${KEY}`,
      `${cookie}x`,
    ]) {
      const res = await fetch(`${board.base}/v1/plans/schema`, { headers: { cookie: bad } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'unauthorized' });
    }
    // A token made by the documented derivation is accepted: nothing is kept in the process.
    const documented = `campaign_session=${forgeSession(KEY, Date.now() + HOUR)}`;
    expect((await fetch(`${board.base}/v1/plans/schema`, { headers: { cookie: documented } })).status).toBe(
      200,
    );
  });

  it('a cookie-authenticated write needs a same-origin Origin header (403 otherwise); Bearer needs none', async () => {
    const cookie = await sessionFrom(board);
    const validate = (headers: Record<string, string>) =>
      fetch(`${board.base}/v1/plans/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ plan: {} }),
      });
    for (const origin of [undefined, 'https://evil.example', 'null', `${board.base}.evil.example`]) {
      const res = await validate({ cookie, ...(origin ? { origin } : {}) });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ status: 403, code: 'origin_refused' });
    }
    // The request's own origin, and PUBLIC_URL's (it follows PORT: http://localhost:<port>).
    expect((await validate({ cookie, origin: board.base })).status).toBe(200);
    const port = new URL(board.base).port;
    expect((await validate({ cookie, origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await validate({ authorization: `Bearer ${KEY}` })).status).toBe(200);
    // Bull Board's own actions too.
    const pause = await fetch(`${board.base}/admin/queues/api/queues/nowhere/pause`, {
      method: 'PUT',
      headers: { cookie },
    });
    expect(pause.status).toBe(403);
  });

  it('every process with the same API_KEY accepts the cookie (nothing is per process)', async () => {
    const cookie = await sessionFrom(board);
    expect((await fetch(`${sibling.base}/v1/plans/schema`, { headers: { cookie } })).status).toBe(200);
  });

  it('regression: API_KEY_PREVIOUS is accepted to authenticate (Bearer and old cookies), not to sign in', async () => {
    const oldCookie = await sessionFrom(board);
    const schema = (headers: Record<string, string>) => fetch(`${rotated.base}/v1/plans/schema`, { headers });
    expect((await schema({ authorization: `Bearer ${KEY}` })).status).toBe(200);
    expect((await schema({ authorization: `Bearer ${NEXT_KEY}` })).status).toBe(200);
    expect((await schema({ cookie: oldCookie })).status).toBe(200);
    expect((await schema({ authorization: `Bearer ${KEY}x` })).status).toBe(401);
    const withPrevious = await signIn(rotated, JSON.stringify({ apiKey: KEY }), 'application/json');
    expect(withPrevious.status).toBe(401);
    expect(withPrevious.headers.getSetCookie()).toEqual([]);
    // The process that has only the old key does not accept a session of the new one.
    const newCookie = await sessionFrom(rotated, NEXT_KEY);
    expect((await fetch(`${board.base}/v1/plans/schema`, { headers: { cookie: newCookie } })).status).toBe(
      401,
    );
  });

  it('the cookie is Secure when PUBLIC_URL is https, and PUBLIC_URL is an accepted Origin', async () => {
    const res = await signIn(rotated, JSON.stringify({ apiKey: NEXT_KEY }), 'application/json');
    expect(res.headers.getSetCookie().find((c) => c.startsWith('campaign_session='))).toMatch(/; Secure$/);
    const cookie = cookieOf(res) ?? '';
    const write = await fetch(`${rotated.base}/v1/plans/validate`, {
      method: 'POST',
      headers: { cookie, origin: 'https://campaigns.example.test', 'content-type': 'application/json' },
      body: JSON.stringify({ plan: {} }),
    });
    expect(write.status).toBe(200);
  });

  it('POST /auth/sign-out clears the cookie', async () => {
    const res = await fetch(`${board.base}/auth/sign-out`, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/auth/sign-in');
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith('campaign_session=')) ?? '';
    expect(cleared).toMatch(/^campaign_session=; /);
    expect(cleared).toContain('Max-Age=0');
  });

  it('regression: no X-Powered-By: Express', async () => {
    for (const path of ['/health/live', '/auth/sign-in', '/v1/plans/schema', '/nowhere', '/admin/queues']) {
      const res = await fetch(`${board.base}${path}`);
      expect(res.status).toBeGreaterThan(0);
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });
});
