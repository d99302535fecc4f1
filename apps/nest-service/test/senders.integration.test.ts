import { randomUUID } from 'node:crypto';
import { ManualClock } from '@campaign/core/testing';
import { describe, expect, it } from 'vitest';
import { emailPlan, smsPlan as oneSmsPlan } from './support/fixtures.ts';
import { type Json, useApi } from './support/start-api.ts';

/*
 * The senders API (issue 12) over real HTTP on Postgres: the sender shape exactly as the issue writes
 * it, every bad input a 400 `invalid_sender` naming the field, 404/409 where they belong, and
 * POST /v1/campaigns with `senderIds` (kept and shown by GET), `no_sender`, unknown and other-channel
 * ids. The clock is fixed, so the effective cap of a warm-up is known.
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');

const smsPlan = oneSmsPlan();

describe('/v1/senders and senderIds on POST /v1/campaigns', { timeout: 60_000 }, () => {
  const api = useApi({}, { clock: new ManualClock(T0) });
  const { call } = api;

  const contact = () => ({ email: `${randomUUID()}@example.com`, name: 'Ada' });

  it('without any sender, an email campaign is created as before and goes from the MAIL_FROM default', async () => {
    const created = await call('POST', '/v1/campaigns', { contact: contact(), plan: emailPlan });
    expect(created.status).toBe(201);
    const got = await call('GET', `/v1/campaigns/${created.json.id}`);
    expect(got.json.senderIds).toEqual({ email: null, sms: null });
  });

  it('creates a sender and answers it in the exact shape of the issue', async () => {
    const created = await call('POST', '/v1/senders', {
      id: 'ada',
      channel: 'email',
      from: 'Ada <ada@acme.example>',
      timezone: 'Europe/Berlin',
      caps: { daily: 100, hourly: 20, minGap: 'PT30S' },
      warmup: { start: 10, days: 9 },
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: 'ada',
      channel: 'email',
      from: 'Ada <ada@acme.example>',
      timezone: 'Europe/Berlin',
      caps: { daily: 100, hourly: 20, minGap: 'PT30S' },
      warmup: { start: 10, days: 9 },
      enabled: true,
      // Day 0 of the warm-up: min(100, floor(10 + 90 * 0 / 9)).
      effectiveDailyCap: 10,
      usage: { today: 0, lastHour: 0 },
      health: { complaintRate: 0, hardBounceRate: 0, pausedAt: null, pausedReason: null },
    });
    expect((await call('GET', '/v1/senders/ada')).json).toEqual(created.json);
    const generated = await call('POST', '/v1/senders', {
      channel: 'sms',
      from: '+15550001111',
      timezone: 'America/New_York',
      caps: { daily: 50 },
    });
    expect(generated.status).toBe(201);
    expect(generated.json.id).toMatch(/^snd_[0-9a-z]+$/);
    expect(generated.json.warmup).toBeNull();
    expect(generated.json.effectiveDailyCap).toBe(50);
    const list = await call('GET', '/v1/senders');
    expect(list.status).toBe(200);
    expect(list.json.map((s: Json) => s.id)).toEqual(['ada', generated.json.id]);
  });

  it('a taken id is 409 sender_exists; an unknown sender is 404', async () => {
    const again = await call('POST', '/v1/senders', {
      id: 'ada',
      channel: 'email',
      from: 'a@acme.example',
      timezone: 'UTC',
      caps: { daily: 1 },
    });
    expect([again.status, again.json.code]).toEqual([409, 'sender_exists']);
    for (const [method, body] of [['GET'], ['PATCH', { enabled: false }], ['DELETE']] as const) {
      const res = await call(method, '/v1/senders/nobody', body);
      expect([method, res.status, res.json.code]).toEqual([method, 404, 'not_found']);
    }
  });

  const good = { channel: 'email', from: 'b@acme.example', timezone: 'UTC', caps: { daily: 10 } };
  it.each([
    ['a daily cap of 0', { ...good, caps: { daily: 0 } }, '/caps/daily'],
    ['a negative daily cap', { ...good, caps: { daily: -1 } }, '/caps/daily'],
    ['a daily cap that is not an integer', { ...good, caps: { daily: 1.5 } }, '/caps/daily'],
    ['an hourly cap of 0', { ...good, caps: { daily: 10, hourly: 0 } }, '/caps/hourly'],
    ['an unknown zone', { ...good, timezone: 'Europe/Atlantis' }, '/timezone'],
    ['an email from that is not an address', { ...good, from: 'not an address' }, '/from'],
    ['an SMS from that is not E.164', { ...good, channel: 'sms', from: '0151 1234 5678' }, '/from'],
    ['a warm-up longer than 366 days', { ...good, warmup: { start: 1, days: 400 } }, '/warmup/days'],
    ['an email sender with an SMS transport', { ...good, transport: 'twilio' }, '/transport'],
    [
      'an SMS sender with an email transport',
      { ...good, channel: 'sms', from: '+15550001111', transport: 'smtp' },
      '/transport',
    ],
    [
      'a minGap that is not a duration',
      { ...good, caps: { daily: 10, minGap: '5 minutes' } },
      '/caps/minGap',
    ],
  ])('POST with %s is 400 invalid_sender naming the field, and stores nothing', async (_name, body, path) => {
    const res = await call('POST', '/v1/senders', { id: 'bad', ...body });
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.json.code).toBe('invalid_sender');
    expect(res.json.issues.map((i: Json) => i.path)).toContain(path);
    expect((await call('GET', '/v1/senders/bad')).status).toBe(404);
  });

  it('PATCH changes the fields given, refuses what POST refuses, and keeps the sender when it refuses', async () => {
    const patched = await call('PATCH', '/v1/senders/ada', {
      caps: { daily: 200, minGap: null },
      warmup: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      caps: { daily: 200, hourly: 20 },
      warmup: null,
      effectiveDailyCap: 200,
    });
    expect(patched.json.caps).not.toHaveProperty('minGap');
    for (const body of [
      { caps: { daily: 0 } },
      { timezone: 'Nowhere' },
      { from: 'nope' },
      { channel: 'sms' },
    ]) {
      const res = await call('PATCH', '/v1/senders/ada', body);
      expect([res.status, res.json.code]).toEqual([400, 'invalid_sender']);
    }
    expect((await call('GET', '/v1/senders/ada')).json.caps).toEqual({ daily: 200, hourly: 20 });
  });

  it('POST /v1/campaigns keeps the named sender and GET shows it; unknown or other-channel ids are 400', async () => {
    const created = await call('POST', '/v1/campaigns', {
      contact: contact(),
      plan: emailPlan,
      senderIds: { email: 'ada' },
      activate: false,
    });
    expect(created.status).toBe(201);
    expect((await call('GET', `/v1/campaigns/${created.json.id}`)).json.senderIds).toEqual({
      email: 'ada',
      sms: null,
    });

    const unknown = await call('POST', '/v1/campaigns', {
      contact: contact(),
      plan: emailPlan,
      senderIds: { email: 'zed' },
    });
    expect([unknown.status, unknown.json.code]).toEqual([400, 'unknown_sender']);
    const sms = (await call('GET', '/v1/senders')).json.find((s: Json) => s.channel === 'sms').id;
    const mismatch = await call('POST', '/v1/campaigns', {
      contact: contact(),
      plan: emailPlan,
      senderIds: { email: sms },
    });
    expect([mismatch.status, mismatch.json.code]).toEqual([400, 'sender_channel_mismatch']);
    const badShape = await call('POST', '/v1/campaigns', {
      contact: contact(),
      plan: emailPlan,
      senderIds: { fax: 'x' },
    });
    expect([badShape.status, badShape.json.code]).toEqual([400, 'invalid_request']);

    // DELETE while the campaign is open: 409 sender_in_use; after it is cancelled: 204, then 404.
    const inUse = await call('DELETE', '/v1/senders/ada');
    expect([inUse.status, inUse.json.code]).toEqual([409, 'sender_in_use']);
    expect((await call('POST', `/v1/campaigns/${created.json.id}/cancel`)).status).toBe(200);
    expect((await call('DELETE', '/v1/senders/ada')).status).toBe(204);
    expect((await call('GET', '/v1/senders/ada')).status).toBe(404);
  });

  it('an SMS plan gets the SMS sender; with no enabled SMS sender it is 400 no_sender', async () => {
    const sms = (await call('GET', '/v1/senders')).json.find((s: Json) => s.channel === 'sms').id;
    const phone = { phone: '+4915112345678', name: 'Ada' };
    const created = await call('POST', '/v1/campaigns', { contact: phone, plan: smsPlan, activate: false });
    expect(created.status).toBe(201);
    expect((await call('GET', `/v1/campaigns/${created.json.id}`)).json.senderIds).toEqual({
      email: null,
      sms,
    });

    expect((await call('PATCH', `/v1/senders/${sms}`, { enabled: false })).json.enabled).toBe(false);
    const refused = await call('POST', '/v1/campaigns', {
      contact: { ...phone, id: 'other' },
      plan: smsPlan,
    });
    expect(refused.status).toBe(400);
    expect(refused.json.code).toBe('no_sender');
  });
});
