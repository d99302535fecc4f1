import { randomUUID } from 'node:crypto';
import { type Plan, signUnsubscribeToken } from '@campaign/core';
import { openClickBumpPlan } from '@campaign/core/testing';
import { describe, expect, it } from 'vitest';
import { apiCaller, useApi } from '../support/api.ts';
import {
  answer,
  type CampaignView,
  firstSend,
  getCampaign,
  ok,
  typedClient,
  waitForView,
} from '../support/client.ts';

/*
 * The real API process (compiled NestJS app) over real HTTP, on real Postgres, with the workers in the
 * same process, on both queue backends.
 */

const API_KEY = 'test-api-key-0123456789abcdef';
const SECRET = 'test-unsubscribe-secret-0123456789';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const plan: Plan = openClickBumpPlan();

describe.each(['pgboss', 'bullmq'] as const)('HTTP API on %s', { timeout: 60_000 }, (backend) => {
  const api = useApi('api', {
    ...(backend === 'bullmq' ? { REDIS_URL } : {}),
    QUEUE_BACKEND: backend,
    API_KEY,
    UNSUBSCRIBE_SECRET: SECRET,
    RUN_WORKERS: '1',
    QUEUE_POLL_SECONDS: '0.5',
  });
  const client = typedClient(api, API_KEY);
  // Raw HTTP only where a request is wrong on purpose (key, path, body, JSON, size), which the typed
  // client does not build, and for what is not JSON (pages, metrics, docs).
  const call = apiCaller(api, API_KEY);

  const contact = () => ({ email: `${randomUUID()}@example.com`, name: 'Ada' });

  const waitFor = (id: string, predicate: (c: CampaignView) => boolean) => waitForView(client, id, predicate);
  const create = (body: {
    contact: { email: string };
    plan: Plan;
    idempotencyKey?: string;
    activate?: boolean;
  }) => answer(client.POST('/v1/campaigns', { body }));
  const created = async (body: { contact: { email: string }; plan: Plan; activate?: boolean }) => {
    const data = (await create(body)).data;
    if (data === undefined) throw new Error('no campaign created');
    return data;
  };
  type Lifecycle = '/v1/campaigns/{id}/pause' | '/v1/campaigns/{id}/resume' | '/v1/campaigns/{id}/cancel';
  const lifecycle = (path: Lifecycle, id: string) => answer(client.POST(path, { params: { path: { id } } }));
  const sentView = (c: CampaignView) => c.timeline.some((e) => e.kind === 'send');

  it('refuses /v1 without the API key, with a problem document', async () => {
    for (const authorization of [undefined, 'Bearer wrong-key', `Basic ${API_KEY}`]) {
      const res = await call(
        'GET',
        '/v1/plans/schema',
        undefined,
        authorization ? { authorization } : { authorization: '' },
      );
      expect(res.status).toBe(401);
      expect(res.type).toContain('application/problem+json');
      expect(res.json).toMatchObject({ status: 401, code: 'unauthorized' });
    }
  });

  it('regression: a change of letter case in the path never skips the API key', async () => {
    for (const path of ['/V1/campaigns', '/v1/Campaigns', '/V1/CAMPAIGNS']) {
      const res = await call('POST', path, { contact: contact(), plan }, { authorization: '' });
      expect([401, 404]).toContain(res.status);
    }
  });

  it('a malformed campaign id is a 404, not a 500', async () => {
    expect((await lifecycle('/v1/campaigns/{id}/pause', 'not-a-uuid')).json).toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });

  it('serves the plan schema and validates plans', async () => {
    const schema = await answer(client.GET('/v1/plans/schema'));
    expect(schema.status).toBe(200);
    expect(schema.data).toMatchObject({
      required: expect.arrayContaining(['version', 'startNodeId', 'nodes']),
    });
    const validate = (body: { plan: Plan }) => answer(client.POST('/v1/plans/validate', { body }));
    const valid = await validate({ plan });
    expect(valid).toMatchObject({ status: 200, json: { valid: true, issues: [] } });
    const invalid = await validate({ plan: { ...plan, startNodeId: 'nope' } });
    expect(invalid.status).toBe(200);
    expect(invalid.data?.valid).toBe(false);
    expect(invalid.data?.issues).toContainEqual(
      expect.objectContaining({ code: 'unknown_start_node', path: '/startNodeId' }),
    );
    const bad = await call('POST', '/v1/plans/validate', { plans: plan });
    expect(bad).toMatchObject({ status: 400, json: { code: 'invalid_request' } });
  });

  it('creates a campaign once per idempotency key; an invalid plan is a 400 with its issues', async () => {
    const c = contact();
    const first = await create({ contact: c, plan, idempotencyKey: 'k1' });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ status: 'active', currentNodeId: 'intro', planVersion: 1 });
    const again = await create({ contact: c, plan, idempotencyKey: 'k1' });
    expect(again.status).toBe(200);
    expect(again.data?.id).toBe(first.data?.id);
    // An unsupported version is not a Plan the typed client sends: raw HTTP.
    const invalid = await call('POST', '/v1/campaigns', { contact: c, plan: { ...plan, version: '2.0' } });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ code: 'invalid_plan' });
    expect(invalid.json.issues).toContainEqual(expect.objectContaining({ code: 'unsupported_version' }));
  });

  it('GET /v1/campaigns/:id shows state, pending actions and the timeline; an unknown id is a 404', async () => {
    const campaign = await created({ contact: contact(), plan });
    // The send is recorded when the provider accepts it (step 2); its timeouts follow in step 3.
    const view = await waitFor(campaign.id, (c) => sentView(c) && c.pendingActions.length > 0);
    expect(view).toMatchObject({
      id: campaign.id,
      status: 'active',
      currentNodeId: 'intro',
      stopReason: null,
      planVersion: 1,
      step: 1,
    });
    expect(view.pendingActions).toEqual([
      expect.objectContaining({ kind: 'timeout', node: 'intro', event: 'no_open' }),
    ]);
    expect(view.timeline.map((e) => e.kind)).toEqual(['enter', 'send']);
    const get = (id: string) => answer(client.GET('/v1/campaigns/{id}', { params: { path: { id } } }));
    expect((await get(randomUUID())).json).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    expect((await get('not-a-uuid')).status).toBe(404);
  });

  it('pause, resume and cancel answer 200, and 409 when the status does not allow it', async () => {
    const pending = await created({ contact: contact(), plan, activate: false });
    expect(pending.status).toBe('pending');
    expect((await lifecycle('/v1/campaigns/{id}/resume', pending.id)).json).toMatchObject({
      status: 409,
      code: 'invalid_state',
    });
    const active = await created({ contact: contact(), plan });
    expect((await lifecycle('/v1/campaigns/{id}/pause', active.id)).json).toMatchObject({ status: 'paused' });
    expect((await lifecycle('/v1/campaigns/{id}/pause', active.id)).status).toBe(409);
    expect((await lifecycle('/v1/campaigns/{id}/resume', active.id)).json).toMatchObject({
      status: 'active',
    });
    expect((await lifecycle('/v1/campaigns/{id}/cancel', active.id)).json).toMatchObject({
      status: 'cancelled',
    });
    expect((await lifecycle('/v1/campaigns/{id}/cancel', active.id)).status).toBe(409);
    const view = await getCampaign(client, active.id);
    expect(
      view.timeline.map((e) => e.kind).filter((k: string) => ['pause', 'resume', 'cancel'].includes(k)),
    ).toEqual(['pause', 'resume', 'cancel']);
  });

  it('PUT /v1/campaigns/:id/plan stores a new version, or 409 when the current node is gone', async () => {
    const { id } = await created({ contact: contact(), plan });
    const put = (body: { plan: Plan }) =>
      answer(client.PUT('/v1/campaigns/{id}/plan', { params: { path: { id } }, body }));
    const longer: Plan = {
      ...plan,
      nodes: plan.nodes.map((n) => (n.id === 'bump' ? { ...n, subject: 'Bump v2' } : n)),
    };
    expect(await put({ plan: longer })).toMatchObject({
      status: 200,
      json: { planVersion: 2 },
    });
    const renamed: Plan = {
      ...plan,
      startNodeId: 'hello',
      nodes: plan.nodes.map((n) => (n.id === 'intro' ? { ...n, id: 'hello' } : n)),
    };
    expect((await put({ plan: renamed })).json).toMatchObject({
      status: 409,
      code: 'plan_conflict',
    });
  });

  it('drives a campaign to completion through the API alone: an open event moves it, the timeout ends it', async () => {
    const campaign = await created({ contact: contact(), plan });
    const message = (firstSend(await waitFor(campaign.id, sentView)) as { message: string }).message;
    // The batch holds an event of a type that does not exist (`open`): raw HTTP.
    const events = await call('POST', '/v1/events', {
      events: [
        { id: 'open-1', messageId: message, type: 'opened', occurredAt: new Date().toISOString() },
        { id: 'open-1', messageId: message, type: 'opened', occurredAt: new Date().toISOString() },
        { id: 'x', messageId: randomUUID(), type: 'opened', occurredAt: new Date().toISOString() },
        { id: 'y', messageId: message, type: 'open', occurredAt: new Date().toISOString() },
      ],
    });
    expect(events).toMatchObject({
      status: 202,
      json: {
        accepted: 1,
        duplicates: 1,
        rejected: [
          { index: 2, code: 'unknown_message' },
          { index: 3, code: 'invalid_event' },
        ],
      },
    });
    const done = await waitFor(campaign.id, (c) => c.status === 'completed');
    expect(done.currentNodeId).toBe('done');
    expect(done.timeline.flatMap((e) => (e.kind === 'transition' ? [[e.from, e.to, e.on]] : []))).toEqual([
      ['intro', 'wait', 'opened'],
      ['wait', 'done', 'no_click'],
    ]);
  });

  it('without events the no_open timeout sends the bump and completes', async () => {
    const campaign = await created({ contact: contact(), plan });
    const done = await waitFor(campaign.id, (c) => c.status === 'completed');
    expect(done.currentNodeId).toBe('bump');
    expect(done.timeline.filter((e) => e.kind === 'send')).toHaveLength(2);
  });

  it('one-click unsubscribe stops the campaign and suppresses the contact; GET only shows a page', async () => {
    const c = contact();
    const campaign = await created({ contact: c, plan });
    const sent = firstSend(await waitFor(campaign.id, sentView)) as { message: string };
    const token = signUnsubscribeToken(sent.message, SECRET);
    const page = await fetch(`${api.base}/v1/unsubscribe/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect((await getCampaign(client, campaign.id)).status).toBe('active');
    expect((await fetch(`${api.base}/v1/unsubscribe/${token}x`, { method: 'POST' })).status).toBe(404);
    const res = await fetch(`${api.base}/v1/unsubscribe/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    const stopped = await getCampaign(client, campaign.id);
    expect(stopped).toMatchObject({ status: 'stopped', stopReason: 'unsubscribed' });
    expect(stopped.contact.suppressed).toBe(true);
    const refused = await create({ contact: c, plan });
    expect(refused.json).toMatchObject({ status: 409, code: 'contact_suppressed' });
  });

  it('refuses bodies over 1 MiB with 413 and malformed JSON with 400', async () => {
    const big = await call('POST', '/v1/plans/validate', JSON.stringify({ plan: 'x'.repeat(1_100_000) }));
    expect(big).toMatchObject({ status: 413, json: { code: 'payload_too_large' } });
    expect(big.type).toContain('application/problem+json');
    const malformed = await call('POST', '/v1/plans/validate', '{"plan": ');
    expect(malformed).toMatchObject({ status: 400, json: { code: 'invalid_json' } });
  });

  it('health, metrics and docs', async () => {
    expect(await ok(client.GET('/health/live'))).toEqual({ status: 'ok' });
    expect(await ok(client.GET('/health/ready'))).toEqual({
      status: 'ok',
      checks: { database: 'ok', queue: 'ok' },
    });
    const metrics = await fetch(`${api.base}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/campaign_actions_scheduled_total\{kind="send"\} [1-9]/);
    expect(metrics).toMatch(/campaign_actions_executed_total\{kind="send",outcome="sent"\} [1-9]/);
    expect(metrics).toContain('campaign_timer_lateness_seconds_bucket');
    const docs = await call('GET', '/docs/json');
    expect(docs.json.openapi).toBe('3.1.0');
    expect(Object.keys(docs.json.paths)).toEqual(
      expect.arrayContaining(['/v1/campaigns', '/v1/events', '/v1/webhooks/{provider}']),
    );
    const ui = await fetch(`${api.base}/docs`);
    expect(await ui.text()).toContain('SwaggerUIBundle');
    expect((await fetch(`${api.base}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it.runIf(backend === 'bullmq')('Bull Board is behind the API key', async () => {
    expect((await fetch(`${api.base}/admin/queues`)).status).toBe(401);
    expect(
      (await fetch(`${api.base}/admin/queues`, { headers: { authorization: `Bearer ${API_KEY}` } })).status,
    ).toBe(200);
  });

  it('never leaks a stack trace', async () => {
    const res = await call('GET', '/v1/nowhere');
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.json)).not.toMatch(/at .*\.(js|ts):\d+/);
  });
});
