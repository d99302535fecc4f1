import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { openThenClickPlan } from '@campaign/core/testing';
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
 * PUT /v1/campaigns/:id/plan?dryRun=true over real HTTP on real Postgres: it answers what the update
 * would do (rule 9) and changes nothing; the real update then does exactly that, or fails the same way.
 */

const API_KEY = 'test-api-key-0123456789abcdef';
const SECRET = 'test-unsubscribe-secret-0123456789';
const DAY_MS = 86_400_000;

const plan: Plan = openThenClickPlan({ window: 'P3D', clickAfter: 'P3D', body: '<p>Hi</p>' });

/** The same plan with intro's no_open after one day instead of three. */
const sooner: Plan = {
  ...plan,
  nodes: plan.nodes.map((n) =>
    n.id === 'intro' && n.action === 'send'
      ? {
          ...n,
          transitions: [
            { on: 'opened', to: 'wait', within: 'P1D' },
            { on: 'no_open', to: 'done', after: 'P1D' },
          ],
        }
      : n,
  ),
};

/** A plan without the node the campaign stands on. */
const withoutIntro: Plan = {
  ...plan,
  startNodeId: 'wait',
  nodes: plan.nodes.filter((n) => n.id !== 'intro'),
};

describe('PUT /v1/campaigns/:id/plan?dryRun=true', { timeout: 60_000 }, () => {
  const api = useApi('plan-dry-run', {
    API_KEY,
    UNSUBSCRIBE_SECRET: SECRET,
    RUN_WORKERS: '1',
    QUEUE_POLL_SECONDS: '0.5',
  });
  const client = typedClient(api, API_KEY);
  // Raw HTTP only for a malformed dryRun value, which the typed client does not send.
  const call = apiCaller(api, API_KEY);
  const contact = () => ({ email: `${randomUUID()}@example.com`, name: 'Ada' });

  /** A campaign whose intro has been sent, its no_open timeout pending. */
  async function sentCampaign(): Promise<{ id: string; sentAt: string; view: CampaignView }> {
    const created = await ok(client.POST('/v1/campaigns', { body: { contact: contact(), plan } }));
    const view = await waitForView(client, created.id, (c) =>
      c.pendingActions.some((a) => a.kind === 'timeout'),
    );
    const send = firstSend(view);
    if (send === undefined) throw new Error('no send before the timeout');
    return { id: created.id, sentAt: send.at, view };
  }

  /** PUT /v1/campaigns/{id}/plan, a dry run or not, through the typed client. */
  const putPlan = (id: string, body: { plan: Plan }, dryRun?: 'true' | 'false') =>
    answer(
      client.PUT('/v1/campaigns/{id}/plan', {
        params: { path: { id }, ...(dryRun === undefined ? {} : { query: { dryRun } }) },
        body,
      }),
    );

  /** A problem document without `instance` (the request's own path, with or without the query). */
  const problem = (body: object | undefined) => {
    const { instance: _instance, ...rest } = { ...body, instance: undefined };
    return rest;
  };

  /** What a dry run must leave as it was. */
  const observable = (view: CampaignView) => ({
    status: view.status,
    planVersion: view.planVersion,
    currentNodeId: view.currentNodeId,
    step: view.step,
    pendingActions: view.pendingActions,
    timeline: view.timeline,
  });

  it('answers the version, node and recomputed timeouts, changes nothing, and the real update then does that', async () => {
    const { id, sentAt, view: before } = await sentCampaign();
    const dry = await putPlan(id, { plan: sooner }, 'true');
    expect(dry.status).toBe(200);
    // Recomputed from the send (the node's anchor), not from now.
    const runAt = new Date(Date.parse(sentAt) + DAY_MS).toISOString();
    expect(dry.json).toEqual({
      planVersion: 2,
      currentNodeId: 'intro',
      timeouts: [{ node: 'intro', event: 'no_open', runAt }],
    });
    const planned = dry.data as { planVersion: number; currentNodeId: string; timeouts: unknown[] };
    const afterDry = await getCampaign(client, id);
    expect(observable(afterDry)).toEqual(observable(before));
    // A second dry run answers the same: the first stored nothing.
    expect((await putPlan(id, { plan: sooner }, 'true')).json).toEqual(dry.json);

    const real = await putPlan(id, { plan: sooner });
    expect(real).toMatchObject({ status: 200, json: { planVersion: planned.planVersion } });
    const after = await getCampaign(client, id);
    expect(after.planVersion).toBe(planned.planVersion);
    expect(after.currentNodeId).toBe(planned.currentNodeId);
    expect(
      after.pendingActions
        .filter((a) => a.kind === 'timeout')
        .map((a) => ({ node: a.node, event: a.event, runAt: a.runAt })),
    ).toEqual(planned.timeouts);
  });

  it('a plan without the current node: the dry run is the same 409 as the update, and neither changes anything', async () => {
    const { id, view: before } = await sentCampaign();
    const dry = await putPlan(id, { plan: withoutIntro }, 'true');
    expect(dry).toMatchObject({ status: 409, json: { code: 'plan_conflict' } });
    expect(dry.type).toContain('application/problem+json');
    expect(dry.error?.detail).toContain('"intro"');
    const real = await putPlan(id, { plan: withoutIntro });
    expect(real.status).toBe(dry.status);
    expect(problem(real.json)).toEqual(problem(dry.json));
    expect(observable(await getCampaign(client, id))).toEqual(observable(before));
  });

  it('an invalid plan is the same 400 invalid_plan with or without dryRun', async () => {
    const { id } = await sentCampaign();
    const invalid = { plan: { ...plan, startNodeId: 'nowhere' } };
    const dry = await putPlan(id, invalid, 'true');
    expect(dry).toMatchObject({ status: 400, json: { code: 'invalid_plan' } });
    expect(problem((await putPlan(id, invalid)).json)).toEqual(problem(dry.json));
  });

  it('a cancelled campaign: the dry run is the same 409 invalid_state as the update', async () => {
    const { id } = await sentCampaign();
    const cancelled = await answer(client.POST('/v1/campaigns/{id}/cancel', { params: { path: { id } } }));
    expect(cancelled.status).toBe(200);
    const dry = await putPlan(id, { plan: sooner }, 'true');
    expect(dry).toMatchObject({ status: 409, json: { code: 'invalid_state' } });
    const real = await putPlan(id, { plan: sooner });
    expect(problem(real.json)).toEqual(problem(dry.json));
  });

  it('dryRun other than true or false is a 400 and nothing is stored (never taken as a real update)', async () => {
    const { id, view: before } = await sentCampaign();
    for (const value of ['1', 'yes', 'TRUE']) {
      const res = await call('PUT', `/v1/campaigns/${id}/plan?dryRun=${value}`, { plan: sooner });
      expect(res).toMatchObject({ status: 400, json: { code: 'invalid_request' } });
    }
    expect(observable(await getCampaign(client, id))).toEqual(observable(before));
    const explicit = await putPlan(id, { plan: sooner }, 'false');
    expect(explicit).toMatchObject({ status: 200, json: { planVersion: 2 } });
  });
});
