import { randomUUID } from 'node:crypto';
import type { Plan } from '@campaign/core';
import { openThenClickPlan } from '@campaign/core/testing';
import { describe, expect, it } from 'vitest';
import { apiCaller, type Json, useApi, waitForCampaign } from '../support/api.ts';

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
  const call = apiCaller(api, API_KEY);
  const contact = () => ({ email: `${randomUUID()}@example.com`, name: 'Ada' });

  /** A campaign whose intro has been sent, its no_open timeout pending. */
  async function sentCampaign(): Promise<{ id: string; sentAt: string; view: Json }> {
    const { json: created } = await call('POST', '/v1/campaigns', { contact: contact(), plan });
    const view = await waitForCampaign(call, created.id, (c) =>
      c.pendingActions.some((a: Json) => a.kind === 'timeout'),
    );
    const send = view.timeline.find((e: Json) => e.kind === 'send');
    return { id: created.id, sentAt: send.at, view };
  }

  /** A problem document without `instance` (the request's own path, with or without the query). */
  const problem = ({ instance: _instance, ...rest }: Json) => rest;

  /** What a dry run must leave as it was. */
  const observable = (view: Json) => ({
    status: view.status,
    planVersion: view.planVersion,
    currentNodeId: view.currentNodeId,
    step: view.step,
    pendingActions: view.pendingActions,
    timeline: view.timeline,
  });

  it('answers the version, node and recomputed timeouts, changes nothing, and the real update then does that', async () => {
    const { id, sentAt, view: before } = await sentCampaign();
    const dry = await call('PUT', `/v1/campaigns/${id}/plan?dryRun=true`, { plan: sooner });
    expect(dry.status).toBe(200);
    // Recomputed from the send (the node's anchor), not from now.
    const runAt = new Date(Date.parse(sentAt) + DAY_MS).toISOString();
    expect(dry.json).toEqual({
      planVersion: 2,
      currentNodeId: 'intro',
      timeouts: [{ node: 'intro', event: 'no_open', runAt }],
    });
    const afterDry = await call('GET', `/v1/campaigns/${id}`);
    expect(observable(afterDry.json)).toEqual(observable(before));
    // A second dry run answers the same: the first stored nothing.
    expect((await call('PUT', `/v1/campaigns/${id}/plan?dryRun=true`, { plan: sooner })).json).toEqual(
      dry.json,
    );

    const real = await call('PUT', `/v1/campaigns/${id}/plan`, { plan: sooner });
    expect(real).toMatchObject({ status: 200, json: { planVersion: dry.json.planVersion } });
    const { json: after } = await call('GET', `/v1/campaigns/${id}`);
    expect(after.planVersion).toBe(dry.json.planVersion);
    expect(after.currentNodeId).toBe(dry.json.currentNodeId);
    expect(
      after.pendingActions
        .filter((a: Json) => a.kind === 'timeout')
        .map((a: Json) => ({ node: a.node, event: a.event, runAt: a.runAt })),
    ).toEqual(dry.json.timeouts);
  });

  it('a plan without the current node: the dry run is the same 409 as the update, and neither changes anything', async () => {
    const { id, view: before } = await sentCampaign();
    const dry = await call('PUT', `/v1/campaigns/${id}/plan?dryRun=true`, { plan: withoutIntro });
    expect(dry).toMatchObject({ status: 409, json: { code: 'plan_conflict' } });
    expect(dry.type).toContain('application/problem+json');
    expect(dry.json.detail).toContain('"intro"');
    const real = await call('PUT', `/v1/campaigns/${id}/plan`, { plan: withoutIntro });
    expect(real.status).toBe(dry.status);
    expect(problem(real.json)).toEqual(problem(dry.json));
    expect(observable((await call('GET', `/v1/campaigns/${id}`)).json)).toEqual(observable(before));
  });

  it('an invalid plan is the same 400 invalid_plan with or without dryRun', async () => {
    const { id } = await sentCampaign();
    const invalid = { plan: { ...plan, startNodeId: 'nowhere' } };
    const dry = await call('PUT', `/v1/campaigns/${id}/plan?dryRun=true`, invalid);
    expect(dry).toMatchObject({ status: 400, json: { code: 'invalid_plan' } });
    expect(problem((await call('PUT', `/v1/campaigns/${id}/plan`, invalid)).json)).toEqual(problem(dry.json));
  });

  it('a cancelled campaign: the dry run is the same 409 invalid_state as the update', async () => {
    const { id } = await sentCampaign();
    expect((await call('POST', `/v1/campaigns/${id}/cancel`)).status).toBe(200);
    const dry = await call('PUT', `/v1/campaigns/${id}/plan?dryRun=true`, { plan: sooner });
    expect(dry).toMatchObject({ status: 409, json: { code: 'invalid_state' } });
    const real = await call('PUT', `/v1/campaigns/${id}/plan`, { plan: sooner });
    expect(problem(real.json)).toEqual(problem(dry.json));
  });

  it('dryRun other than true or false is a 400 and nothing is stored (never taken as a real update)', async () => {
    const { id, view: before } = await sentCampaign();
    for (const value of ['1', 'yes', 'TRUE']) {
      const res = await call('PUT', `/v1/campaigns/${id}/plan?dryRun=${value}`, { plan: sooner });
      expect(res).toMatchObject({ status: 400, json: { code: 'invalid_request' } });
    }
    expect(observable((await call('GET', `/v1/campaigns/${id}`)).json)).toEqual(observable(before));
    const explicit = await call('PUT', `/v1/campaigns/${id}/plan?dryRun=false`, { plan: sooner });
    expect(explicit).toMatchObject({ status: 200, json: { planVersion: 2 } });
  });
});
