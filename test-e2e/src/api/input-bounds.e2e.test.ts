import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { apiCaller, type Json, sentMessage, useApi, waitForCampaign } from '../support/api.ts';

/*
 * Bad input over real HTTP against the real API process on real Postgres: each case is a 400 with a
 * stable code (it was a 500, or a plan that broke at run time), and nothing is stored.
 */

const API_KEY = 'test-api-key-bounds-0123456789';
const RESEND_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

// Inline on purpose: the bad-input cases below are edits of this plan's intro (see withIntro).
const plan: Plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hello {{name|there}}',
      body: '<p>Hi {{name|there}}</p>',
      // An opened transition, so that an open does not strand the node (warning stranded_by_event).
      transitions: [
        { on: 'opened', to: 'done' },
        { on: 'no_open', to: 'done', after: 'PT1H' },
      ],
    },
    { id: 'done', action: 'end' },
  ],
};

/** `plan` with its first node changed. */
function withIntro(change: Record<string, unknown>): Json {
  return { ...plan, nodes: [{ ...plan.nodes[0], ...change }, ...plan.nodes.slice(1)] };
}

/** The JSON text of `{"a": {"a": ... "leaf"}}` with `levels` objects (too deep for JSON.stringify). */
function nestedJson(levels: number): string {
  return `${'{"a":'.repeat(levels)}"leaf"${'}'.repeat(levels)}`;
}

/** The JSON text of `body` with `"DEEP"` replaced by `deep`, a JSON text. */
function withDeep(body: unknown, deep: string): string {
  return JSON.stringify(body).replace('"DEEP"', deep);
}

describe('bad input is a 400 with a stable code and stores nothing', { timeout: 60_000 }, () => {
  const api = useApi('bounds', {
    API_KEY,
    UNSUBSCRIBE_SECRET: 'test-unsubscribe-secret-bounds-0123',
    RUN_WORKERS: '1',
    QUEUE_POLL_SECONDS: '0.5',
    MESSAGE_ID_DOMAIN: 'bounds.test',
    RESEND_WEBHOOK_SECRET: RESEND_SECRET,
  });
  const call = apiCaller(api, API_KEY);

  /** Every row the API could have written, counted; with the plans and their versions. */
  async function stored() {
    const count = async (table: string) =>
      Number(
        (await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(api.database.db))
          .rows[0]?.n,
      );
    const plans = await sql<{ id: string; plan_version: number; plan: unknown }>`
      select id, plan_version, plan from contact_campaigns order by id`.execute(api.database.db);
    return {
      contacts: await count('contacts'),
      campaigns: await count('contact_campaigns'),
      events: await count('message_events'),
      transitions: await count('campaign_transitions'),
      plans: plans.rows,
    };
  }

  /** Sends the request and checks that it is refused with `status` and `code` and changes nothing. */
  async function refused(method: string, path: string, body: unknown, code: string, status = 400) {
    const before = await stored();
    const res = await call(method, path, body);
    expect(res.status, JSON.stringify(res.json)).toBe(status);
    expect(res.type).toContain('application/problem+json');
    expect(res.json.code).toBe(code);
    expect(await stored()).toEqual(before);
    return res.json;
  }

  const contact = (extra: Record<string, unknown> = {}) => ({
    email: `${randomUUID()}@example.com`,
    name: 'Ada',
    ...extra,
  });

  // regression: a huge schedule.delay on create answered 500 ("result is outside the Date range")
  it('a schedule.delay longer than 366 days on create is invalid_plan / invalid_duration', async () => {
    for (const delay of ['P300000Y', 'PT999999999999H', 'P367D']) {
      const problem = await refused(
        'POST',
        '/v1/campaigns',
        { contact: contact(), plan: withIntro({ schedule: { delay } }) },
        'invalid_plan',
      );
      expect(problem.issues).toEqual([
        expect.objectContaining({
          path: '/nodes/0/schedule/delay',
          code: 'invalid_duration',
          message: expect.stringContaining('at most 366 days; P1Y counts as 366 days, P1M as 31'),
        }),
      ]);
    }
    // 366 days, counted at their longest, are accepted
    const ok = await call('POST', '/v1/campaigns', {
      contact: contact(),
      plan: withIntro({ schedule: { delay: 'P1Y' } }),
    });
    expect(ok.status).toBe(201);
  });

  // regression: a huge after in a plan update answered 500 once the node had sent (the timeout could not be scheduled)
  it('a plan update with an after longer than 366 days is refused and the plan version is unchanged', async () => {
    const { json: created } = await call('POST', '/v1/campaigns', { contact: contact(), plan });
    expect(created.planVersion).toBe(1);
    await waitForCampaign(call, created.id, (view) => view.timeline.some((e: Json) => e.kind === 'send'));
    for (const after of ['P300000Y', 'PT999999999999H']) {
      const problem = await refused(
        'PUT',
        `/v1/campaigns/${created.id}/plan`,
        { plan: withIntro({ transitions: [{ on: 'no_open', to: 'done', after }] }) },
        'invalid_plan',
      );
      expect(problem.issues).toContainEqual(
        expect.objectContaining({ path: '/nodes/0/transitions/0/after', code: 'invalid_duration' }),
      );
    }
    expect((await call('GET', `/v1/campaigns/${created.id}`, undefined)).json.planVersion).toBe(1);
  });

  // regression (issue 9): ICU's "PST" and a half day "P0.5D" were accepted on create and on update
  it('a zone name the tz database lacks or a fractional day is invalid_plan, on create and on update', async () => {
    const zone = await refused(
      'POST',
      '/v1/campaigns',
      { contact: contact(), plan: { ...plan, timezone: 'PST' } },
      'invalid_plan',
    );
    expect(zone.issues).toEqual([
      expect.objectContaining({
        path: '/timezone',
        code: 'invalid_timezone',
        message: expect.stringContaining('did you mean "America/Los_Angeles"?'),
      }),
    ]);
    const { json: created } = await call('POST', '/v1/campaigns', { contact: contact(), plan });
    const update = await refused(
      'PUT',
      `/v1/campaigns/${created.id}/plan`,
      { plan: withIntro({ schedule: { delay: 'P0.5D' } }) },
      'invalid_plan',
    );
    expect(update.issues).toEqual([
      expect.objectContaining({
        path: '/nodes/0/schedule/delay',
        code: 'invalid_duration',
        message: expect.stringContaining('PT12H'),
      }),
    ]);
    expect((await call('GET', `/v1/campaigns/${created.id}`, undefined)).json.planVersion).toBe(1);
  });

  it('POST /v1/plans/validate reports a within longer than 366 days', async () => {
    const res = await call('POST', '/v1/plans/validate', {
      plan: withIntro({
        transitions: [
          { on: 'opened', to: 'done', within: 'P300000Y' },
          { on: 'no_open', to: 'done', after: 'PT1H' },
        ],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.json.valid).toBe(false);
    expect(res.json.issues).toEqual([
      expect.objectContaining({ path: '/nodes/0/transitions/0/within', code: 'invalid_duration' }),
    ]);
  });

  // regression: NUL characters and lone surrogates reached Postgres (text and jsonb refuse them) and answered 500
  it.each([
    ['a NUL in the contact name', { name: 'Ada\u0000' }, '/contact/name'],
    ['a NUL in the contact id', { id: 'id\u0000' }, '/contact/id'],
    ['a NUL in the contact timezone', { timezone: 'UTC\u0000' }, '/contact/timezone'],
    ['a lone surrogate in the contact name', { name: 'Ada \uD83D' }, '/contact/name'],
    ['a NUL in an attribute value', { attributes: { company: 'Acme\u0000' } }, '/contact/attributes/company'],
    [
      'a NUL in an attribute key',
      { attributes: { 'com\u0000pany': 'Acme' } },
      '/contact/attributes/com\u0000pany',
    ],
    [
      'a lone surrogate in a nested attribute',
      { attributes: { a: [{ b: '\uDC00' }] } },
      '/contact/attributes/a/0/b',
    ],
  ])('%s is invalid_request pointing at the field', async (_case, extra, path) => {
    const problem = await refused(
      'POST',
      '/v1/campaigns',
      { contact: contact(extra), plan },
      'invalid_request',
    );
    expect(problem.issues).toEqual([
      { path, message: expect.stringMatching(/NUL character \(U\+0000\)|lone UTF-16 surrogate/) },
    ]);
  });

  it('a NUL in the idempotency key is invalid_request', async () => {
    const problem = await refused(
      'POST',
      '/v1/campaigns',
      { contact: contact(), plan, idempotencyKey: 'k\u0000' },
      'invalid_request',
    );
    expect(problem.issues).toEqual([expect.objectContaining({ path: '/idempotencyKey' })]);
  });

  // regression: attributes nested thousands of levels deep answered 500
  it('attributes nested thousands of levels deep are invalid_request with the limit', async () => {
    const problem = await refused(
      'POST',
      '/v1/campaigns',
      withDeep({ contact: contact({ attributes: { deep: 'DEEP' } }), plan }, nestedJson(5000)),
      'invalid_request',
    );
    expect(problem.issues).toHaveLength(1);
    expect(problem.issues[0].path).toMatch(/^\/contact\/attributes\/deep(\/a)+$/);
    expect(problem.issues[0].message).toContain('nested more than 32 levels deep');
  });

  it('string and address lengths are bounded: attribute values 10,000, email 254, local part 64', async () => {
    const long = await refused(
      'POST',
      '/v1/campaigns',
      { contact: contact({ attributes: { bio: 'x'.repeat(10_001) } }), plan },
      'invalid_request',
    );
    expect(long.issues).toEqual([
      {
        path: '/contact/attributes/bio',
        message: 'The string at /contact/attributes/bio is 10001 characters long; the limit is 10000.',
      },
    ]);
    const email = await refused(
      'POST',
      '/v1/campaigns',
      { contact: { email: `a@${'b'.repeat(249)}.com` }, plan },
      'invalid_request',
    );
    expect(email.issues).toEqual([
      { path: '/contact/email', message: 'an email address is at most 254 characters' },
    ]);
    const local = await refused(
      'POST',
      '/v1/campaigns',
      { contact: { email: `${'a'.repeat(65)}@example.com` }, plan },
      'invalid_request',
    );
    expect(local.issues).toEqual([
      {
        path: '/contact/email',
        message: 'the local part of an email address (before the @) is at most 64 characters',
      },
    ]);
    const fits = await call('POST', '/v1/campaigns', {
      contact: { email: `${'a'.repeat(64)}@${'b'.repeat(185)}.com`, attributes: { bio: 'x'.repeat(10_000) } },
      plan,
    });
    expect(fits.status).toBe(201);
  });

  it('a NUL in a plan subject is invalid_plan with the JSON pointer, on create and on update', async () => {
    const problem = await refused(
      'POST',
      '/v1/campaigns',
      { contact: contact(), plan: withIntro({ subject: 'Hi\u0000' }) },
      'invalid_plan',
    );
    expect(problem.issues).toEqual([
      expect.objectContaining({
        path: '/nodes/0/subject',
        code: 'schema',
        message: expect.stringContaining('NUL character (U+0000)'),
      }),
    ]);
    const { json: created } = await call('POST', '/v1/campaigns', { contact: contact(), plan });
    const update = await refused(
      'PUT',
      `/v1/campaigns/${created.id}/plan`,
      { plan: withIntro({ body: 'Bye \uD800' }) },
      'invalid_plan',
    );
    expect(update.issues).toEqual([expect.objectContaining({ path: '/nodes/0/body', code: 'schema' })]);
    const validate = await call('POST', '/v1/plans/validate', { plan: withIntro({ subject: 'Hi\u0000' }) });
    expect(validate.json).toMatchObject({
      valid: false,
      issues: [{ path: '/nodes/0/subject', code: 'schema' }],
    });
  });

  // regression: a NUL in an event field answered 500 (and the earlier items of the batch were already stored)
  it('a NUL or a lone surrogate in an event is invalid_request and no event of the batch is stored', async () => {
    const { json: created } = await call('POST', '/v1/campaigns', { contact: contact(), plan });
    const message = await sentMessage(call, created.id);
    const at = new Date().toISOString();
    const good = { id: `ok-${randomUUID()}`, messageId: message, type: 'delivered', occurredAt: at };
    for (const bad of [
      { ...good, id: 'bad\u0000' },
      { ...good, id: 'bad\uDBFF' },
    ]) {
      const problem = await refused('POST', '/v1/events', { events: [good, bad] }, 'invalid_request');
      expect(problem.issues).toEqual([expect.objectContaining({ path: '/events/1/id' })]);
    }
    const deep = await refused(
      'POST',
      '/v1/events',
      withDeep({ events: [good, 'DEEP'] }, nestedJson(5000)),
      'invalid_request',
    );
    expect(deep.issues[0].message).toContain('nested more than 32 levels deep');
    expect((await call('POST', '/v1/events', { events: [good] })).json).toMatchObject({ accepted: 1 });

    // A provider webhook (signed, so verified) whose payload cannot be stored: the item is rejected.
    const before = await stored();
    const body = JSON.stringify({
      type: 'email.opened',
      created_at: at,
      data: {
        email_id: randomUUID(),
        subject: 'Hello\u0000',
        headers: [{ name: 'Message-ID', value: `<${message}@bounds.test>` }],
      },
    });
    const id = `msg_${randomUUID()}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const key = Buffer.from(RESEND_SECRET.slice('whsec_'.length), 'base64');
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
    const hook = await fetch(`${api.base}/v1/webhooks/resend`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'svix-id': id,
        'svix-timestamp': timestamp,
        'svix-signature': `v1,${signature}`,
      },
      body,
    });
    expect(hook.status).toBe(200);
    expect(await hook.json()).toMatchObject({
      accepted: 0,
      rejected: [{ index: 0, code: 'unstorable_value' }],
    });
    expect(await stored()).toEqual(before);
  });
});
