import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { logSmsSender, smsPlan as oneSmsPlan } from './support/fixtures.ts';
import { useApi } from './support/start-api.ts';

/*
 * POST /v1/campaigns with a contact `id` and `phone` (plan v1.1, DESIGN section 10): the phone is
 * checked at the edge (E.164) and in core (a number that can exist), each refusal a 400 problem that
 * names the field; a contact needs an email or a phone. GET /v1/campaigns/:id shows them back.
 */

const smsPlan = oneSmsPlan('Hi {{name|there}}');

describe('contact id and phone on POST /v1/campaigns', { timeout: 60_000 }, () => {
  const api = useApi();
  const { call } = api;

  it('a caller id and an E.164 phone without an email: created, and shown back', async () => {
    // A plan that sends SMS needs an SMS sender (DESIGN section 11).
    const sender = await call('POST', '/v1/senders', logSmsSender);
    expect(sender.status).toBe(201);
    const id = `crm-${randomUUID()}`;
    const created = await call('POST', '/v1/campaigns', {
      contact: { id, phone: '+4915112345678', name: 'Ada' },
      plan: smsPlan,
      activate: false,
    });
    expect(created.status).toBe(201);
    const got = await call('GET', `/v1/campaigns/${created.json.id}`);
    expect(got.json.contact).toMatchObject({ id, phone: '+4915112345678', email: null });
    expect(got.json.contact).toMatchObject({ suppressed: false, smsSuppressed: false });

    // An SMS opt-out (STOP) is shown apart from the email suppression (DESIGN section 10).
    await api.database.db
      .updateTable('contacts')
      .set({ sms_suppressed_at: new Date(), sms_suppression_reason: 'unsubscribed' })
      .where('id', '=', id)
      .execute();
    const stopped = await call('GET', `/v1/campaigns/${created.json.id}`);
    expect(stopped.json.contact).toMatchObject({ suppressed: false, smsSuppressed: true });
  });

  it('a phone not in E.164 form is a 400 problem naming /contact/phone', async () => {
    const res = await call('POST', '/v1/campaigns', {
      contact: { email: 'ada@example.com', phone: '0151 1234 5678' },
      plan: smsPlan,
    });
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.json.code).toBe('invalid_request');
    expect(res.json.issues).toEqual([{ path: '/contact/phone', message: expect.stringContaining('E.164') }]);
  });

  it('an E.164-shaped number no country has is a 400 invalid_phone naming the phone', async () => {
    const res = await call('POST', '/v1/campaigns', { contact: { phone: '+999123456789' }, plan: smsPlan });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('invalid_phone');
    expect(res.json.detail).toContain('contact phone "+999123456789"');
  });

  it('a contact with neither email nor phone is a 400 problem', async () => {
    const res = await call('POST', '/v1/campaigns', { contact: { id: 'crm-1', name: 'Ada' }, plan: smsPlan });
    expect(res.status).toBe(400);
    expect(res.json.issues).toEqual([
      { path: '/contact', message: 'a contact needs an email or a phone (E.164)' },
    ]);
  });
});
