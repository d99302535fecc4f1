import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { openOrTimeoutPlan } from '@campaign/core/testing';
import { describe, expect, it } from 'vitest';
import { apiCaller, campaignUuid, type Json, sentMessage, useApi } from '../support/api.ts';

/*
 * Requests at the edges over real HTTP (issue 9 items 5 and 9): an idempotency key reused with another
 * request body is a 409, and events dated where they cannot be are rejected one by one in a batch.
 */

const API_KEY = 'test-api-key-0123456789abcdef';
const MINUTE = 60_000;

const plan: Plan = openOrTimeoutPlan();

describe('requests at the edges', { timeout: 60_000 }, () => {
  const api = useApi('edges', {
    API_KEY,
    UNSUBSCRIBE_SECRET: 'edges-unsubscribe-secret-0123456789',
    RUN_WORKERS: '1',
    QUEUE_POLL_SECONDS: '0.5',
  });
  const call = apiCaller(api, API_KEY);
  const contact = () => ({ email: `${randomUUID()}@example.com`, name: 'Ada' });

  it('regression: an idempotency key reused with a different body is a 409 idempotency_conflict; the same body again is a 200', async () => {
    const c = contact();
    const first = await call('POST', '/v1/campaigns', { contact: c, plan, idempotencyKey: 'k1' });
    expect(first.status).toBe(201);
    // The same request with its keys in another order is the same request.
    const reordered = `{"idempotencyKey":"k1","plan":${JSON.stringify(plan)},"contact":{"name":"Ada","email":"${c.email}"}}`;
    const again = await call('POST', '/v1/campaigns', reordered);
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
    const other = {
      ...plan,
      nodes: plan.nodes.map((n) => (n.id === 'intro' ? { ...n, subject: 'Hey' } : n)),
    };
    for (const body of [
      { contact: c, plan: other, idempotencyKey: 'k1' },
      { contact: c, plan, activate: false, idempotencyKey: 'k1' },
    ]) {
      const conflict = await call('POST', '/v1/campaigns', body);
      expect(conflict.status).toBe(409);
      expect(conflict.type).toContain('application/problem+json');
      expect(conflict.json).toMatchObject({ status: 409, code: 'idempotency_conflict' });
    }
    // Nothing was created by the refused requests: the contact still has exactly the first campaign.
    const contactId = (await call('GET', `/v1/campaigns/${first.json.id}`)).json.contact.id;
    const rows = await api.database.db
      .selectFrom('contact_campaigns')
      .select('id')
      .where('contact_id', '=', contactId)
      .execute();
    expect(rows.map((r) => r.id)).toEqual([campaignUuid(first.json.id)]);
    // The key belongs to the contact: another contact may use it for its own campaign.
    const elsewhere = await call('POST', '/v1/campaigns', { contact: contact(), plan, idempotencyKey: 'k1' });
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.json.id).not.toBe(first.json.id);
  });

  it('two racing requests with one key and different bodies: one 201, one 409', async () => {
    const c = contact();
    const answers = await Promise.all([
      call('POST', '/v1/campaigns', { contact: c, plan, idempotencyKey: 'race' }),
      call('POST', '/v1/campaigns', { contact: c, plan, activate: false, idempotencyKey: 'race' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)?.json).toMatchObject({ code: 'idempotency_conflict' });
  });

  it('regression: POST /v1/events rejects events dated implausibly (implausible_time) and goes on with the others', async () => {
    const { json: created } = await call('POST', '/v1/campaigns', { contact: contact(), plan });
    const message = await sentMessage(call, created.id);
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    const events: Json[] = [
      { id: 'ancient', messageId: message, type: 'opened', occurredAt: '2000-01-01T00:00:00Z' },
      { id: 'ahead', messageId: message, type: 'opened', occurredAt: at(6 * MINUTE) },
      { id: 'delivered', messageId: message, type: 'delivered', occurredAt: at(0) },
    ];
    const res = await call('POST', '/v1/events', { events });
    expect(res).toMatchObject({
      status: 202,
      json: {
        accepted: 1,
        duplicates: 0,
        rejected: [
          { index: 0, code: 'implausible_time' },
          { index: 1, code: 'implausible_time' },
        ],
      },
    });
    const view = (await call('GET', `/v1/campaigns/${created.id}`)).json;
    // Neither open took the intro's `opened` branch; only the delivery is in the timeline.
    expect(view).toMatchObject({ status: 'active', currentNodeId: 'intro' });
    expect(view.timeline.filter((e: Json) => e.kind === 'event').map((e: Json) => e.type)).toEqual([
      'delivered',
    ]);
  });
});
