import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../dist/openapi.js';
import { useApi } from './support/start-api.ts';

/*
 * POST /v1/plans/validate?fix=true (issue item 8): the plan repaired with every issue's obvious fix,
 * as {valid, issues, plan}; without fix the answer is {valid, issues} as before, each issue with its
 * fix; any other fix value is a 400 problem.
 */

const validPlan = {
  version: '1.0',
  timezone: 'America/New_York',
  quietHours: { start: '20:00', end: '08:30' },
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hi',
      body: 'Hello',
      transitions: [
        { on: 'clicked', to: 'done' },
        { on: 'no_click', to: 'bump', after: 'PT48H' },
      ],
    },
    {
      id: 'bump',
      action: 'send',
      subject: 'Again',
      body: 'Hello again',
      schedule: { delay: 'P1D' },
      transitions: [],
    },
    { id: 'done', action: 'end' },
  ],
};

/** validPlan as a model might write it: every difference has one obvious fix. */
const writtenPlan = {
  ...validPlan,
  timezone: 'EDT',
  quietHours: { start: '8pm', end: '8:30 AM' },
  nodes: [
    {
      ...validPlan.nodes[0],
      transitions: [
        { on: 'click', to: 'done' },
        { on: 'not_clicked', to: 'bump', after: '48 hours' },
      ],
    },
    { id: 'bump', action: 'send', subject: 'Again', body: 'Hello again', delay: '1 day', transitions: [] },
    { id: 'done', action: 'end' },
  ],
};

describe('POST /v1/plans/validate?fix=true', { timeout: 60_000 }, () => {
  const api = useApi();
  const { call } = api;

  async function validate(query: string, plan: unknown) {
    const { status, json } = await call('POST', `/v1/plans/validate${query}`, { plan });
    return { status, body: json as Record<string, unknown> };
  }

  it('returns the repaired plan, valid, with no issue left', async () => {
    const { status, body } = await validate('?fix=true', writtenPlan);
    expect(status).toBe(200);
    expect(body).toEqual({ valid: true, issues: [], plan: validPlan });
  });

  it('returns the issues without a fix next to the repaired plan', async () => {
    const { status, body } = await validate('?fix=true', {
      ...writtenPlan,
      startNodeId: 'nope',
      timezone: 'BST',
    });
    expect(status).toBe(200);
    expect(body.valid).toBe(false);
    expect((body.issues as { path: string; code: string }[]).map((i) => [i.path, i.code])).toEqual([
      ['/startNodeId', 'unknown_start_node'],
      ['/timezone', 'invalid_timezone'],
    ]);
    expect(body.plan).toEqual({ ...validPlan, startNodeId: 'nope', timezone: 'BST' });
  });

  it('without fix (or fix=false) answers {valid, issues} as before, each fix on its issue', async () => {
    for (const query of ['', '?fix=false']) {
      const { status, body } = await validate(query, writtenPlan);
      expect(status).toBe(200);
      expect(Object.keys(body).sort()).toEqual(['issues', 'valid']);
      const timezone = (body.issues as { path: string; fix?: unknown }[]).find((i) => i.path === '/timezone');
      expect(timezone?.fix).toEqual([{ op: 'replace', path: '/timezone', value: 'America/New_York' }]);
    }
  });

  it('refuses a fix that is neither true nor false, with a 400 problem', async () => {
    const { status, body } = await validate('?fix=yes', writtenPlan);
    expect(status).toBe(400);
    expect(body.code).toBe('invalid_request');
    expect(String(body.detail)).toContain('fix must be true or false');
  });

  it('is in the OpenAPI document: the fix parameter and the plan in the answer', () => {
    type Operation = {
      parameters?: unknown[];
      responses: Record<string, { content: Record<string, { schema: { properties: object } }> }>;
    };
    const paths = openApiDocument(api.url).paths as Record<string, { post: Operation }>;
    const operation = paths['/v1/plans/validate']?.post;
    expect(operation?.parameters).toEqual([expect.objectContaining({ name: 'fix', in: 'query' })]);
    const schema = operation?.responses['200']?.content['application/json']?.schema;
    expect(Object.keys(schema?.properties ?? {})).toEqual(['valid', 'issues', 'plan']);
  });
});
