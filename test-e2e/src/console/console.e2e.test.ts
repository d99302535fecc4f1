import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, pgbossEnv, startApi } from '../support/api.ts';
import { type Browser, buildConsole, openBrowser, screenshot } from '../support/browser.ts';
import {
  answer,
  firstSend,
  getCampaign,
  ok,
  sentMessageOf,
  type TimelineEntry,
  typedClient,
  waitForView,
} from '../support/client.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

/*
 * The operators' console in a real browser (DESIGN section 12): the console as built, served by the
 * compiled API at /console, the API's in-process workers sending through a real SMTP server, Postgres.
 * The browser signs in with the key and from then on holds only the HttpOnly session cookie. Every wait
 * is for a selector or a condition, with a deadline; each test leaves a screenshot in test-e2e/artifacts/.
 * The test itself speaks to the API through @campaign/client, as the console does.
 */

const API_KEY = 'console-e2e-api-key-0123456789abcdef';
const WAIT = { timeout: 20_000 };

const plan: Plan = {
  version: '1.1',
  timezone: 'America/New_York',
  startNodeId: 'hello',
  nodes: [
    {
      id: 'hello',
      action: 'send',
      subject: 'Hello {{name}}',
      body: '<p>Hi</p>',
      transitions: [
        { on: 'opened', to: 'later' },
        { on: 'no_open', after: 'P3D', to: 'done' },
      ],
    },
    {
      id: 'later',
      action: 'send',
      schedule: { delay: 'P1D' },
      subject: 'Again',
      body: '<p>Again</p>',
      transitions: [],
    },
    { id: 'done', action: 'end' },
  ],
};

describe('operators console in a browser', { timeout: 120_000 }, () => {
  const sink = new SmtpSink();
  let database: TestDatabase;
  let api: ApiProcess;
  let browser: Browser;
  let campaignId = '';
  const email = `${randomUUID()}@example.com`;
  const client = typedClient(
    {
      get base() {
        return api.base;
      },
    },
    API_KEY,
  );
  const page = () => browser.page;
  const saved = async (name: string) => {
    const shot = await screenshot(page(), name);
    expect(shot.bytes).toBeGreaterThan(1000);
  };

  beforeAll(async () => {
    buildConsole();
    const smtpUrl = await sink.listen();
    database = await createTestDatabase('postgres');
    api = await startApi({
      ...pgbossEnv(database, 'console'),
      API_KEY,
      UNSUBSCRIBE_SECRET: 'console-e2e-unsubscribe-secret-0123456789',
      RUN_WORKERS: '1',
      QUEUE_POLL_SECONDS: '0.5',
      SMTP_URL: smtpUrl,
    });
    const created = await answer(
      client.POST('/v1/campaigns', { body: { contact: { email, name: 'Ada' }, plan } }),
    );
    expect(created).toMatchObject({ status: 201 });
    campaignId = created.data?.id ?? '';
    // Another contact's campaign, which the email filter must leave out.
    const other = await answer(
      client.POST('/v1/campaigns', {
        body: { contact: { email: `${randomUUID()}@example.com`, name: 'Bob' }, plan },
      }),
    );
    expect(other).toMatchObject({ status: 201 });
    browser = await openBrowser();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await database?.dispose();
    await sink.close();
  });

  it('refuses a bad key: no cookie, the form again with the refusal', async () => {
    await page().goto(`${api.base}/console`);
    // /console is sent to /console/, the page's base.
    expect(new URL(page().url()).pathname).toBe('/console/');
    await page().getByLabel('API key').fill('not-the-key-0123456789');
    await page().getByRole('button', { name: 'Sign in' }).click();
    await page().getByRole('alert').filter({ hasText: 'That is not the API key.' }).waitFor(WAIT);
    expect(await browser.context.cookies()).toEqual([]);
    expect(await page().getByRole('link', { name: 'Campaigns' }).count()).toBe(0);
    await saved('console-bad-key');
  });

  it('signs in: an HttpOnly session cookie, and the key nowhere in the page, its URL or its storage', async () => {
    await page().getByLabel('API key').fill(API_KEY);
    await page().getByRole('button', { name: 'Sign in' }).click();
    await page().getByRole('heading', { name: 'Campaigns' }).waitFor(WAIT);
    const cookies = await browser.context.cookies();
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([
      ['campaign_session', true, 'Strict'],
    ]);
    expect(cookies[0]?.value).not.toContain(API_KEY);
    expect(page().url()).not.toContain(API_KEY);
    expect(await page().content()).not.toContain(API_KEY);
    const storage = await page().evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }]));
    expect(storage).toBe('[{},{}]');
    // The cookie alone opens /v1 to this browser (no Authorization header).
    const sending = await page().evaluate(async () => (await fetch('/v1/admin/sending')).status);
    expect(sending).toBe(200);
    await saved('console-signed-in');
  });

  it('finds the campaign by its email, and shows its graph, pending action and timeline', async () => {
    await sentMessageOf(client, campaignId);
    await page().goto(`${api.base}/console/#/campaigns`);
    // Unfiltered, both campaigns are listed.
    await page().locator('tr[data-campaign]').nth(1).waitFor(WAIT);
    await page().getByLabel('email').fill(email);
    await page().getByRole('button', { name: 'Filter' }).click();
    const rows = page().locator('tr[data-campaign]');
    // Polled from here: the page's CSP rightly refuses the string evaluation waitForFunction would need.
    await expect
      .poll(
        async () =>
          (await rows.count()) === 1 && (await rows.first().getAttribute('data-campaign')) === campaignId,
        WAIT,
      )
      .toBe(true);
    expect(await rows.count()).toBe(1);
    await page().getByRole('link', { name: campaignId }).click();

    await page().getByTestId('plan-graph').waitFor(WAIT);
    await page().locator('.react-flow__node').nth(2).waitFor(WAIT);
    expect(await page().locator('.react-flow__node').count()).toBe(3);
    // hello -> later (opened) and hello -> done (no_open); edges are drawn once the nodes are measured.
    await page().locator('.react-flow__edge').nth(1).waitFor(WAIT);
    expect(await page().locator('.react-flow__edge').count()).toBe(2);
    await page().locator('.react-flow__node.current[data-id="hello"]').waitFor(WAIT);
    // Sent, waiting for an open: the no_open timer is the pending action, due 3 days after the send.
    const view = await getCampaign(client, campaignId);
    const timer = view.pendingActions.find((a) => a.kind === 'timeout');
    if (!timer) throw new Error('no timeout pending');
    await page()
      .getByTestId('pending-actions')
      .getByText(`${timer.runAt.slice(0, 10)} ${timer.runAt.slice(11, 19)} UTC`)
      .waitFor(WAIT);
    // The timeline, in New York time and UTC: the send row shows both clocks of its `at`.
    const send = firstSend(view);
    if (!send) throw new Error('not sent');
    const row = page().locator('[data-testid="timeline"] tr[data-kind="send"]');
    await row.waitFor(WAIT);
    const utc = `${send.at.slice(0, 10)} ${send.at.slice(11, 19)} UTC`;
    const local = new Date(Date.parse(send.at) + newYorkOffsetHours(send.at) * 3_600_000).toISOString();
    expect(await row.textContent()).toContain(utc);
    expect(await row.textContent()).toContain(
      `${local.slice(0, 10)} ${local.slice(11, 19)} America/New_York`,
    );
    expect(await row.textContent()).toContain('Hello Ada');
    await saved('console-campaign');
  });

  it('pauses and resumes the campaign', async () => {
    await page().getByRole('button', { name: 'Pause' }).click();
    await page()
      .getByTestId('campaign-status')
      .filter({ hasText: /^paused$/ })
      .waitFor(WAIT);
    expect((await getCampaign(client, campaignId)).status).toBe('paused');
    await page().locator('[data-testid="timeline"] tr[data-kind="pause"]').waitFor(WAIT);
    await saved('console-paused');
    await page().getByRole('button', { name: 'Resume' }).click();
    await page()
      .getByTestId('campaign-status')
      .filter({ hasText: /^active$/ })
      .waitFor(WAIT);
    expect((await getCampaign(client, campaignId)).status).toBe('active');
    await page().locator('[data-testid="timeline"] tr[data-kind="resume"]').waitFor(WAIT);
    await saved('console-resumed');
  });

  it('shows an open posted to the API, the move it caused, and a repeated click as ignored with why', async () => {
    const message = await sentMessageOf(client, campaignId);
    const posted = await ok(
      client.POST('/v1/events', {
        body: {
          events: [
            {
              id: `open-${randomUUID()}`,
              messageId: message,
              type: 'opened',
              occurredAt: new Date().toISOString(),
            },
          ],
        },
      }),
    );
    expect(posted.accepted).toBe(1);
    await waitForView(client, campaignId, (v) => v.currentNodeId === 'later');
    const clicked = await ok(
      client.POST('/v1/events', {
        body: {
          events: [
            {
              id: `click-${randomUUID()}`,
              messageId: message,
              type: 'clicked',
              occurredAt: new Date().toISOString(),
            },
          ],
        },
      }),
    );
    expect(clicked.accepted).toBe(1);
    // The page follows the campaign on its own (it polls the API).
    await page().locator('[data-testid="timeline"] tr[data-kind="event"][data-type="opened"]').waitFor(WAIT);
    await page().locator('.react-flow__node.current[data-id="later"]').waitFor(WAIT);
    await page().locator('.react-flow__edge.taken').first().waitFor(WAIT);
    expect(await page().locator('.react-flow__edge.taken').count()).toBe(1);
    const ignored = page().locator('[data-testid="timeline"] tr[data-kind="event"][data-type="clicked"]');
    await ignored.waitFor(WAIT);
    expect(await ignored.getByTestId('ignored-reason').textContent()).toContain(
      'ignored: node later has no transition on clicked',
    );
    await saved('console-open');
  });

  it('stops and re-enables all sending from the emergency stop page', async () => {
    await page().goto(`${api.base}/console/#/sending`);
    await page().getByTestId('sending-state').filter({ hasText: 'Sending is enabled' }).waitFor(WAIT);
    await page().getByRole('button', { name: 'Stop all sending' }).click();
    await page().getByTestId('sending-state').filter({ hasText: 'Sending is STOPPED since' }).waitFor(WAIT);
    expect((await ok(client.GET('/v1/admin/sending'))).enabled).toBe(false);
    await saved('console-stopped');
    await page().getByRole('button', { name: 'Enable sending' }).click();
    await page().getByTestId('sending-state').filter({ hasText: 'Sending is enabled' }).waitFor(WAIT);
    expect((await ok(client.GET('/v1/admin/sending'))).enabled).toBe(true);
  });

  it('lists a sender with its caps and usage, and disables it from the page', async () => {
    const created = await answer(
      client.POST('/v1/senders', {
        body: {
          id: 'ada',
          channel: 'email',
          from: 'Ada Lovelace <ada@acme.example>',
          timezone: 'UTC',
          caps: { daily: 50 },
        },
      }),
    );
    expect(created.status).toBe(201);
    await page().goto(`${api.base}/console/#/senders`);
    const row = page().locator('tr[data-sender="ada"]');
    await row.waitFor(WAIT);
    const text = await row.textContent();
    expect(text).toContain('daily: 50');
    expect(text).toContain('0 / 50');
    expect(text).toContain('complaints 0.00 %');
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByRole('button', { name: 'Enable' }).waitFor(WAIT);
    expect((await ok(client.GET('/v1/senders/{id}', { params: { path: { id: 'ada' } } }))).enabled).toBe(
      false,
    );
    await saved('console-senders');
  });

  it('shows an experiment: each variant with its reply rate, and the p-value of its difference', {
    timeout: 90_000,
  }, async () => {
    const split: Plan = {
      version: '1.1',
      timezone: 'UTC',
      startNodeId: 'pick',
      nodes: [
        {
          id: 'pick',
          action: 'split',
          experiment: 'subject-test',
          variants: [
            { id: 'a', weight: 1, to: 'mail_a' },
            { id: 'b', weight: 1, to: 'mail_b' },
          ],
        },
        ...['a', 'b'].map((v): Plan['nodes'][number] => ({
          id: `mail_${v}`,
          action: 'send',
          subject: `Subject ${v}`,
          body: '<p>Hi</p>',
          transitions: [
            { on: 'replied', to: 'done' },
            { on: 'no_reply', after: 'P7D', to: 'done' },
          ],
        })),
        { id: 'done', action: 'end' },
      ],
    };
    // 40 contacts: each variant gets at least 10 (P > 99.7 %), so 5 replied and 5 not fit in each.
    const ids: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      const res = await answer(
        client.POST('/v1/campaigns', {
          body: { contact: { email: `exp-${i}-${randomUUID()}@example.com`, name: 'Exp' }, plan: split },
        }),
      );
      expect(res).toMatchObject({ status: 201 });
      ids.push(res.data?.id ?? '');
    }
    const byVariant: Record<string, { id: string; message: string }[]> = { a: [], b: [] };
    for (const id of ids) {
      const view = await waitForView(client, id, (v) => firstSend(v) !== undefined, 60_000);
      const split = view.timeline.find(
        (e): e is Extract<TimelineEntry, { kind: 'transition' }> =>
          e.kind === 'transition' && e.from === 'pick',
      );
      const message = firstSend(view)?.message;
      if (!split?.variant || !message) throw new Error(`no variant or message: ${JSON.stringify(view)}`);
      byVariant[split.variant]?.push({ id, message });
    }
    const a = byVariant.a ?? [];
    const b = byVariant.b ?? [];
    expect(a.length + b.length).toBe(40);
    expect(Math.min(a.length, b.length)).toBeGreaterThanOrEqual(10);
    // a: 5 replied; b: all but 5 replied.
    const replying = [...a.slice(0, 5), ...b.slice(5)];
    const posted = await ok(
      client.POST('/v1/events', {
        body: {
          events: replying.map((c) => ({
            id: `reply-${randomUUID()}`,
            messageId: c.message,
            type: 'replied' as const,
            occurredAt: new Date().toISOString(),
          })),
        },
      }),
    );
    expect(posted.accepted).toBe(replying.length);
    // A reply stops a campaign (stopped, replied): wait until each has recorded its reply.
    for (const c of replying)
      await waitForView(client, c.id, (v) =>
        v.timeline.some((e) => e.kind === 'event' && e.type === 'replied'),
      );

    await page().goto(`${api.base}/console/#/analytics`);
    const rowOf = (v: string) => page().locator(`[data-experiment="subject-test"] tr[data-variant="${v}"]`);
    await rowOf('b').waitFor(WAIT);
    const [rateA, rateB] = [5 / a.length, (b.length - 5) / b.length];
    expect(await rowOf('a').textContent()).toContain(rateA.toFixed(3));
    expect(await rowOf('b').textContent()).toContain(rateB.toFixed(3));
    // The first variant is the baseline: no test of its own.
    expect(await rowOf('a').getByTestId('reply-p').textContent()).toBe('—');
    const shown = Number(await rowOf('b').getByTestId('reply-p').textContent());
    expect(Math.abs(shown - twoProportionP(5, a.length, b.length - 5, b.length))).toBeLessThanOrEqual(
      0.00015,
    );
    await saved('console-experiment');
  });
});

/** New York's offset from UTC in hours at `iso`: -4 from the second Sunday of March to the first of November, else -5 (US rules since 2007). */
function newYorkOffsetHours(iso: string): number {
  const at = new Date(iso);
  const year = at.getUTCFullYear();
  const nthSunday = (month: number, n: number) => {
    const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
    return 1 + ((7 - first) % 7) + 7 * (n - 1);
  };
  const start = Date.UTC(year, 2, nthSunday(2, 2), 7); // 02:00 EST
  const end = Date.UTC(year, 10, nthSunday(10, 1), 6); // 02:00 EDT
  return at.getTime() >= start && at.getTime() < end ? -4 : -5;
}

/**
 * The two-sided p-value of the pooled two-proportion z-test, by the textbook formula with the normal
 * CDF integrated numerically (Simpson's rule on the density, 2,000 intervals): an oracle apart from the
 * API's own series.
 */
function twoProportionP(x1: number, n1: number, x2: number, n2: number): number {
  const pooled = (x1 + x2) / (n1 + n2);
  const z = Math.abs(x2 / n2 - x1 / n1) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const density = (t: number) => Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
  const steps = 2000;
  const h = z / steps;
  let sum = density(0) + density(z);
  for (let i = 1; i < steps; i += 1) sum += density(i * h) * (i % 2 === 1 ? 4 : 2);
  return 1 - 2 * ((sum * h) / 3);
}
