import { randomUUID } from 'node:crypto';
import { ManualClock } from '@campaign/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Json, useApi } from './support/start-api.ts';

/*
 * GET /v1/analytics/* over real HTTP on Postgres (issue 14 item 4): the range is required and bounded
 * (400 invalid_range), the key is required, and the figures come from the store: one message with a
 * genuine open and a machine open counts one open; a shadow message counts nothing. The figures
 * themselves are checked in depth in packages/db (analytics.integration.test.ts).
 */

const KEY = 'analytics-test-api-key-0123456789abcdef';
const T0 = new Date('2026-03-02T10:00:00.000Z');
const plan = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'hello',
  nodes: [{ id: 'hello', action: 'send', subject: 'Hi', body: 'Hi', transitions: [] }],
};

describe('/v1/analytics', { timeout: 60_000 }, () => {
  const api = useApi({ API_KEY: KEY }, { clock: new ManualClock(T0) });

  async function seedMessage(status: 'sent' | 'shadow', events: { type: string; machine?: boolean }[]) {
    const contact = `c-${randomUUID()}`;
    const campaign = randomUUID();
    const action = randomUUID();
    const message = randomUUID();
    const db = api.database.db;
    await db
      .insertInto('contacts')
      .values({
        id: contact,
        email: `${contact}@example.com`,
        name: null,
        timezone: null,
        attributes: '{}',
        suppressed_at: null,
        suppression_reason: null,
      })
      .execute();
    await db
      .insertInto('contact_campaigns')
      .values({
        contact_id: contact,
        id: campaign,
        plan: JSON.stringify(plan),
        timezone: 'UTC',
        status: 'active',
        current_node_id: null,
        anchor_at: null,
        stop_reason: null,
        paused_at: null,
        idempotency_key: null,
        request_hash: null,
        created_at: T0,
        updated_at: T0,
        mode: status === 'shadow' ? 'shadow' : 'live',
      })
      .execute();
    await db
      .insertInto('scheduled_actions')
      .values({
        id: action,
        contact_id: contact,
        campaign_id: campaign,
        kind: 'send',
        node_id: 'hello',
        step: 1,
        event: null,
        transition_index: null,
        due_at: T0,
        run_at: T0,
        status: 'done',
        outcome: null,
        last_error: null,
        idempotency_key: action,
        executed_at: T0,
      })
      .execute();
    await db
      .insertInto('outbound_messages')
      .values({
        id: message,
        contact_id: contact,
        campaign_id: campaign,
        action_id: action,
        node_id: 'hello',
        step: 1,
        dedupe_key: message,
        to_email: 'x@example.com',
        subject: 'Hi',
        body: 'Hi',
        status,
        provider_message_id: null,
        last_error: null,
        sent_at: T0,
        in_reply_to: null,
        references_header: null,
      })
      .execute();
    for (const e of events) {
      await db
        .insertInto('message_events')
        .values({
          contact_id: contact,
          campaign_id: campaign,
          message_id: message,
          provider: 'test',
          provider_event_id: randomUUID(),
          type: e.type,
          raw_type: null,
          occurred_at: new Date(T0.getTime() + 60_000),
          machine: e.machine ?? false,
          effect: null,
          payload: null,
        })
        .execute();
    }
  }

  beforeAll(async () => {
    await seedMessage('sent', [{ type: 'delivered' }, { type: 'opened', machine: true }, { type: 'opened' }]);
    await seedMessage('shadow', [{ type: 'delivered' }, { type: 'opened' }]);
  });

  async function get(
    path: string,
    key: string | null = KEY,
  ): Promise<{ status: number; type: string | null; json: Json }> {
    const response = await fetch(`${api.url}${path}`, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      json: await response.json(),
    };
  }

  const RANGE = 'from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00Z';

  it('answers the figures of the range: the genuine open once, the shadow message not at all', async () => {
    const { status, json } = await get(`/v1/analytics/nodes?${RANGE}`);
    expect(status).toBe(200);
    expect(json.range).toEqual({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-08T00:00:00.000Z' });
    expect(json.nodes).toHaveLength(1);
    expect(json.nodes[0].nodeId).toBe('hello');
    expect(json.nodes[0].counts).toMatchObject({ sent: 1, delivered: 1, opened: 1, replied: 0 });
    expect(json.nodes[0].timeToFirstOpenSeconds).toEqual({ count: 1, p50: 60, p90: 60, p99: 60 });
  });

  it.each(['nodes', 'experiments', 'senders', 'shapes', 'lateness'])(
    '/v1/analytics/%s answers 200',
    async (name) => {
      const { status, json } = await get(`/v1/analytics/${name}?${RANGE}`);
      expect(status).toBe(200);
      expect(json.range.from).toBe('2026-03-01T00:00:00.000Z');
    },
  );

  it.each([
    ['to before from', 'from=2026-03-08T00:00:00Z&to=2026-03-01T00:00:00Z', /before from/],
    ['over 366 days', 'from=2025-01-01T00:00:00Z&to=2026-01-03T00:00:00Z', /366 days/],
    ['no from', 'to=2026-03-01T00:00:00Z', /from is required/],
    ['a malformed to', 'from=2026-03-01T00:00:00Z&to=yesterday', /to "yesterday"/],
  ])('400 invalid_range: %s', async (_, query, detail) => {
    const { status, type, json } = await get(`/v1/analytics/shapes?${query}`);
    expect(status).toBe(400);
    expect(type).toMatch(/application\/problem\+json/);
    expect(json.code).toBe('invalid_range');
    expect(json.detail).toMatch(detail);
  });

  it('401 without the API key', async () => {
    expect((await get(`/v1/analytics/nodes?${RANGE}`, null)).status).toBe(401);
  });
});
