import { type CampaignClient, createCampaignClient, type operations, type Schema } from '@campaign/client';

export { ApiError, ok } from './answer.ts';

/*
 * The API as the console calls it: @campaign/client (openapi-fetch, every request and answer typed from the
 * OpenAPI document), same origin, the session cookie (HttpOnly, set by /auth/sign-in) and never the key
 * itself. The browser adds the Origin header to every POST and PATCH, which the API checks.
 */

export type { Schema };

/** The JSON body of an operation's 200 answer, e.g. `Answer<'getSending'>`. */
export type Answer<Op extends keyof operations> = operations[Op]['responses'] extends {
  200: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

/** The typed client of this origin's API, sending the session cookie. */
export const client: CampaignClient = createCampaignClient({
  baseUrl: window.location.origin,
  credentials: 'same-origin',
});

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
