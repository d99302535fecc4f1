/*
 * The API as the console calls it: same origin, the session cookie (HttpOnly, set by /auth/sign-in) and
 * never the key itself. The browser adds the Origin header to every POST, which the API checks.
 */

export type Json = Record<string, unknown>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, detail: string) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

/** A JSON call; a non-2xx answer throws an ApiError with the problem's code and detail. */
export async function api<T = Json>(
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Json) : {};
  if (!res.ok)
    throw new ApiError(res.status, String(json.code ?? 'error'), String(json.detail ?? res.statusText));
  return json as T;
}

/** Signs in: the API answers a right key with the session cookie (and a redirect), a wrong one with 401. */
export async function signIn(apiKey: string): Promise<boolean> {
  const res = await fetch('/auth/sign-in', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey, next: '/console/' }),
  });
  return res.ok;
}

export async function signOut(): Promise<void> {
  await fetch('/auth/sign-out', { method: 'POST', credentials: 'same-origin' });
}
