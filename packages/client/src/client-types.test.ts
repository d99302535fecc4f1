import { describe, expect, expectTypeOf, it } from 'vitest';
import { type CampaignClient, createCampaignClient } from './index.ts';

/*
 * Type-level spec (issue 14): the generated client types the 201 of POST /v1/campaigns and the 200 of
 * GET /v1/campaigns/{id} with their real fields. `pnpm typecheck` compiles this file (tsconfig.check.json),
 * so a field missing from the document fails the build; vitest runs the runtime half.
 */

type CreateData = NonNullable<Awaited<ReturnType<CampaignClient['POST']>>['data']>;

async function created(client: CampaignClient) {
  const { data, error } = await client.POST('/v1/campaigns', {
    body: { contact: { email: 'ada@example.com' }, plan: { version: '1.0' } as never },
  });
  if (error) return error.code;
  return data;
}

async function fetched(client: CampaignClient, id: string) {
  const { data } = await client.GET('/v1/campaigns/{id}', { params: { path: { id } } });
  if (!data) throw new Error('no campaign');
  return data;
}

describe('the generated client types', () => {
  it('types the 201 of POST /v1/campaigns: id, status, currentNodeId, planVersion', () => {
    type Created = Exclude<Awaited<ReturnType<typeof created>>, string>;
    expectTypeOf<Created['id']>().toEqualTypeOf<string>();
    expectTypeOf<Created['status']>().toEqualTypeOf<
      'pending' | 'active' | 'paused' | 'completed' | 'stopped' | 'cancelled'
    >();
    expectTypeOf<Created['currentNodeId']>().toEqualTypeOf<string | null>();
    expectTypeOf<Created['planVersion']>().toEqualTypeOf<number>();
    expectTypeOf<CreateData>().not.toBeUnknown();
  });

  it('types the 200 of GET /v1/campaigns/{id}: contact, pending actions, timeline', () => {
    type Campaign = Awaited<ReturnType<typeof fetched>>;
    expectTypeOf<Campaign['id']>().toEqualTypeOf<string>();
    expectTypeOf<Campaign['planVersion']>().toEqualTypeOf<number>();
    expectTypeOf<Campaign['contact']['email']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Campaign['pendingActions'][number]['runAt']>().toEqualTypeOf<string>();
    expectTypeOf<Campaign['timeline'][number]['kind']>().not.toBeUnknown();
    expectTypeOf<Campaign['timelineNextCursor']>().toEqualTypeOf<string | null | undefined>();
  });

  it('requires the path parameter and refuses an unknown route (compile-time)', () => {
    const client = createCampaignClient({ baseUrl: 'http://127.0.0.1:1' });
    // @ts-expect-error: {id} is required
    void (() => client.GET('/v1/campaigns/{id}', {}));
    // @ts-expect-error: no such route in the document
    void (() => client.GET('/v1/nope'));
    expect(typeof client.GET).toBe('function');
  });

  it('sends the API key as a bearer token', async () => {
    let seen: string | null = null;
    const client = createCampaignClient({
      baseUrl: 'http://api.test',
      apiKey: 'k-123',
      fetch: async (request: Request) => {
        seen = request.headers.get('authorization');
        return new Response('{"status":"ok"}', { headers: { 'content-type': 'application/json' } });
      },
    });
    const { data } = await client.GET('/health/live');
    expect(seen).toBe('Bearer k-123');
    expect(data).toEqual({ status: 'ok' });
  });
});
