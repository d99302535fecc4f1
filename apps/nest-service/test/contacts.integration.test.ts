import { randomUUID } from 'node:crypto';
import { ManualClock } from '@campaign/core/testing';
import { describe, expect, it } from 'vitest';
import { type Json, useApi } from './support/start-api.ts';

/*
 * Issue 14 item 1 over real HTTP on Postgres: GET /v1/campaigns (filters, cursor pages), GET
 * /v1/campaigns/:id/plan, GET/PATCH/DELETE /v1/contacts/:id with their status codes and problem codes.
 */

// Monday 10:00 UTC.
const T0 = new Date('2026-03-02T10:00:00.000Z');

/** No zone of its own; intro due two hours after activation, quiet 20:00-08:00. */
const plan = {
  version: '1.1',
  quietHours: { start: '20:00', end: '08:00' },
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hi {{firstName}}',
      body: '<p>Hi</p>',
      schedule: { delay: 'PT2H' },
      transitions: [],
    },
  ],
};

describe('contacts and the campaign list over HTTP', { timeout: 60_000 }, () => {
  const api = useApi({}, { clock: new ManualClock(T0) });
  const { call } = api;

  async function create(contact: object) {
    const created = await call('POST', '/v1/campaigns', { contact, plan });
    expect(created.status).toBe(201);
    return created.json.id as string;
  }

  it('GET /v1/contacts/:id answers the contact; an unknown one is 404', async () => {
    const id = randomUUID();
    await create({
      id,
      email: 'ada@example.com',
      name: 'Ada',
      timezone: 'UTC',
      attributes: { firstName: 'Ada' },
    });
    const got = await call('GET', `/v1/contacts/${id}`);
    expect(got.status).toBe(200);
    expect(got.json).toEqual({
      id,
      email: 'ada@example.com',
      phone: null,
      name: 'Ada',
      timezone: 'UTC',
      attributes: { firstName: 'Ada' },
      suppressed: false,
      smsSuppressed: false,
    });
    const missing = await call('GET', `/v1/contacts/${randomUUID()}`);
    expect([missing.status, missing.json.code]).toEqual([404, 'not_found']);
  });

  it('PATCH takes application/merge-patch+json: the zone change moves the pending send and is in the timeline', async () => {
    const id = randomUUID();
    const campaignId = await create({
      id,
      email: `${id}@example.com`,
      timezone: 'UTC',
      attributes: { firstName: 'Bo' },
    });
    const before = await call('GET', `/v1/campaigns/${campaignId}`);
    expect(before.json.pendingActions[0].runAt).toBe('2026-03-02T12:00:00.000Z');
    const patched = await call(
      'PATCH',
      `/v1/contacts/${id}`,
      { timezone: 'America/New_York', attributes: { team: 'blue' } },
      'application/merge-patch+json',
    );
    expect(patched.status).toBe(200);
    expect(patched.json.timezone).toBe('America/New_York');
    expect(patched.json.attributes).toEqual({ firstName: 'Bo', team: 'blue' });
    // 12:00 UTC is 07:00 in New York (EST, UTC-5, before the March 8 switch): quiet until 08:00 = 13:00 UTC.
    const after = await call('GET', `/v1/campaigns/${campaignId}`);
    expect(after.json.pendingActions[0].runAt).toBe('2026-03-02T13:00:00.000Z');
    expect(after.json.timeline.filter((e: Json) => e.kind === 'contact_update')).toEqual([
      { at: T0.toISOString(), kind: 'contact_update', fields: ['timezone', 'attributes'] },
    ]);
  });

  it('PATCH refusals: 409 missing_variable (nothing changes), 400 for a bad phone, zone or member, 415 for another type', async () => {
    const id = randomUUID();
    await create({ id, email: `${id}@example.com`, timezone: 'UTC', attributes: { firstName: 'Cy' } });
    const conflict = await call('PATCH', `/v1/contacts/${id}`, { attributes: { firstName: null } });
    expect([conflict.status, conflict.json.code]).toEqual([409, 'missing_variable']);
    expect((await call('GET', `/v1/contacts/${id}`)).json.attributes).toEqual({ firstName: 'Cy' });
    for (const [body, code] of [
      [{ phone: '12345' }, 'invalid_phone'],
      [{ timezone: 'Mars/Olympus' }, 'invalid_timezone'],
      [{ email: 'new@example.com' }, 'invalid_contact'],
      [{ attributes: ['x'] }, 'invalid_contact'],
    ] as const) {
      const refused = await call('PATCH', `/v1/contacts/${id}`, body);
      expect([refused.status, refused.json.code]).toEqual([400, code]);
    }
    const nul = await call('PATCH', `/v1/contacts/${id}`, { attributes: { note: 'a\u0000b' } });
    expect([nul.status, nul.json.code]).toEqual([400, 'invalid_request']);
    const text = await call('PATCH', `/v1/contacts/${id}`, { name: 'x' }, 'text/plain');
    expect(text.status).toBe(415);
  });

  it('DELETE erases: campaigns cancelled, personal data gone; a suppressed address stays refused', async () => {
    const id = randomUUID();
    const email = `${id}@example.com`;
    const campaignId = await create({
      id,
      email,
      name: 'Di',
      timezone: 'UTC',
      attributes: { firstName: 'Di' },
    });
    // The contact unsubscribed (how is the event intake's business, tested there).
    await api.database.db
      .updateTable('contacts')
      .set({ suppressed_at: T0, suppression_reason: 'unsubscribed' })
      .where('id', '=', id)
      .execute();
    const erased = await call('DELETE', `/v1/contacts/${id}`);
    expect(erased.status).toBe(200);
    expect(erased.json.contactId).toBe(id);
    const contact = await call('GET', `/v1/contacts/${id}`);
    expect(contact.json).toMatchObject({
      email: null,
      name: null,
      phone: null,
      attributes: {},
      suppressed: true,
    });
    expect((await call('GET', `/v1/campaigns/${campaignId}`)).json.status).not.toBe('active');
    const again = await call('POST', '/v1/campaigns', {
      contact: { id: randomUUID(), email, attributes: { firstName: 'Di' } },
      plan: { ...plan, timezone: 'UTC' },
    });
    expect([again.status, again.json.code]).toEqual([409, 'contact_suppressed']);
    expect((await call('DELETE', `/v1/contacts/${randomUUID()}`)).status).toBe(404);
  });

  it('GET /v1/campaigns filters and pages; GET /v1/campaigns/:id/plan answers the stored plan', async () => {
    const email = `list-${randomUUID()}@example.com`;
    const first = await create({ email, timezone: 'UTC', attributes: { firstName: 'Ed' } });
    const second = await create({
      id: randomUUID(),
      email,
      timezone: 'UTC',
      attributes: { firstName: 'Ed' },
    });
    const page1 = await call('GET', `/v1/campaigns?email=${encodeURIComponent(email)}&limit=1`);
    expect(page1.status).toBe(200);
    expect(page1.json.items.map((c: Json) => c.id)).toHaveLength(1);
    const page2 = await call(
      'GET',
      `/v1/campaigns?email=${encodeURIComponent(email)}&limit=1&cursor=${page1.json.nextCursor}`,
    );
    expect(page2.json.nextCursor).toBeNull();
    // Same created_at (a fixed clock): the id breaks the tie, descending.
    expect([...page1.json.items, ...page2.json.items].map((c: Json) => c.id)).toEqual(
      [first, second].sort().reverse(),
    );
    expect(page1.json.items[0]).toMatchObject({
      status: 'active',
      planVersion: 1,
      createdAt: T0.toISOString(),
    });
    const bad = await call('GET', '/v1/campaigns?status=running');
    expect([bad.status, bad.json.code]).toEqual([400, 'invalid_filter']);
    const badLimit = await call('GET', '/v1/campaigns?limit=1000');
    expect([badLimit.status, badLimit.json.code]).toEqual([400, 'invalid_limit']);
    const stored = await call('GET', `/v1/campaigns/${first}/plan`);
    expect(stored.status).toBe(200);
    expect(stored.json).toEqual({ campaignId: first, planVersion: 1, plan });
    expect((await call('GET', `/v1/campaigns/${randomUUID()}/plan`)).status).toBe(404);
  });
});
