import { randomUUID } from 'node:crypto';
import { type Plan, signUnsubscribeToken } from '@campaign/core';
import { describe, expect, it } from 'vitest';
import { apiCaller, sentMessage, useApi } from '../support/api.ts';

/*
 * Unsubscribe links over real HTTP (issue 9 item 8). A person opening the link from an email gets HTML
 * pages; only a mail client's RFC 8058 one-click POST gets JSON. 6996e46 answered a person with raw
 * JSON (a problem document for a bad link) and showed the confirmation page for any token.
 */

const API_KEY = 'test-api-key-0123456789abcdef';
const SECRET = 'unsubscribe-pages-secret-0123456789';

// Inline on purpose: a no_click timeout days away keeps the campaign active while the links are tried.
const plan: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hello',
      body: '<p>Hi</p>',
      transitions: [{ on: 'no_click', to: 'done', after: 'P3D' }],
    },
    { id: 'done', action: 'end' },
  ],
};

describe('unsubscribe links', { timeout: 60_000 }, () => {
  const api = useApi('unsubscribe', {
    API_KEY,
    UNSUBSCRIBE_SECRET: SECRET,
    RUN_WORKERS: '1',
    QUEUE_POLL_SECONDS: '0.5',
  });
  const call = apiCaller(api, API_KEY);

  /** A fresh contact's campaign whose first message went out, and that message's unsubscribe token. */
  async function sentCampaign(): Promise<{ id: string; email: string; token: string }> {
    const email = `${randomUUID()}@example.com`;
    const { json: created } = await call('POST', '/v1/campaigns', { contact: { email }, plan });
    const token = signUnsubscribeToken(await sentMessage(call, created.id), SECRET);
    return { id: created.id, email, token };
  }

  const open = (token: string) => fetch(`${api.base}/v1/unsubscribe/${token}`);
  /** What the confirmation page's button sends: a form post with no fields, to `?confirm=1`. */
  const confirm = (token: string) =>
    fetch(`${api.base}/v1/unsubscribe/${token}?confirm=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
  /** A mail client's RFC 8058 one-click request. */
  const oneClick = (token: string) =>
    fetch(`${api.base}/v1/unsubscribe/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });

  const campaign = async (id: string) => (await call('GET', `/v1/campaigns/${id}`)).json;

  /** A page for a person: HTML that leaks the token nowhere and loads nothing. */
  function expectPersonPage(res: Response, status: number): void {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
  }

  /** Text with nothing loaded from elsewhere: no script, stylesheet, image or absolute URL. */
  function expectSelfContained(html: string): void {
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toMatch(/<script|<link|<img|src=|https?:\/\//i);
  }

  it('regression: GET shows an HTML confirmation page whose button posts with ?confirm=1, and changes nothing', async () => {
    const { id, email, token } = await sentCampaign();
    for (let i = 0; i < 2; i += 1) {
      const page = await open(token);
      expectPersonPage(page, 200);
      const html = await page.text();
      expectSelfContained(html);
      expect(html).toContain(`<form method="post" action="${token}?confirm=1">`);
    }
    // Link scanners fetch GET links: the contact is still subscribed and the campaign runs on.
    const view = await campaign(id);
    expect(view).toMatchObject({ status: 'active', stopReason: null });
    expect(view.contact.suppressed).toBe(false);
    const another = await call('POST', '/v1/campaigns', { contact: { email }, plan });
    expect(another.status).toBe(201);
  });

  it('regression: the confirmation button answers an HTML page, not JSON, and unsubscribes', async () => {
    const { id, email, token } = await sentCampaign();
    const res = await confirm(token);
    expectPersonPage(res, 200);
    const html = await res.text();
    expectSelfContained(html);
    expect(html).toContain('You are unsubscribed');
    expect(() => JSON.parse(html)).toThrow();
    const view = await campaign(id);
    expect(view).toMatchObject({ status: 'stopped', stopReason: 'unsubscribed' });
    expect(view.contact.suppressed).toBe(true);
    expect((await call('POST', '/v1/campaigns', { contact: { email }, plan })).json).toMatchObject({
      status: 409,
      code: 'contact_suppressed',
    });
    // Pressed twice (a reload): the same page, nothing new.
    expectPersonPage(await confirm(token), 200);
  });

  it("regression: a bad link (forged, truncated, another secret's, an unknown message, garbage) is a 404 HTML page on GET and on the button's POST", async () => {
    const { id, token } = await sentCampaign();
    const [messagePart, signature = ''] = token.split('.');
    const bad = [
      `${token.slice(0, -4)}`, // cut short when copied
      `${messagePart}.`, // the signature lost
      `${messagePart}.${signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`, // forged
      signUnsubscribeToken(await sentMessage(call, id), 'another-secret-0123456789abcdef'),
      signUnsubscribeToken(randomUUID(), SECRET), // signed, but no such message
      encodeURIComponent('"><script>alert(1)</script>'),
    ];
    for (const t of bad) {
      for (const res of [await open(t), await confirm(t)]) {
        expectPersonPage(res, 404);
        const html = await res.text();
        expectSelfContained(html);
        expect(html).toContain('This link is not valid');
        expect(html).not.toContain('<script>alert');
        expect(res.headers.get('content-type')).not.toContain('json');
      }
    }
    // Nothing happened to the campaign whose link was tampered with.
    expect(await campaign(id)).toMatchObject({ status: 'active', stopReason: null });
  });

  it("a mail client's one-click POST keeps its JSON answer; a bad link is a problem document for it", async () => {
    const { id, token } = await sentCampaign();
    const res = await oneClick(token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ unsubscribed: true });
    expect(await campaign(id)).toMatchObject({ status: 'stopped', stopReason: 'unsubscribed' });
    const again = await oneClick(token);
    expect(again.status).toBe(200);
    const refused = await oneClick(token.slice(0, -4));
    expect(refused.status).toBe(404);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await refused.json()).toMatchObject({ status: 404, code: 'invalid_token' });
  });
});
