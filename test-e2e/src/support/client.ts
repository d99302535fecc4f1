import { type CampaignClient, createCampaignClient, type Schema } from '@campaign/client';
import { sleep } from './api.ts';

/*
 * The API spoken to through @campaign/client (DESIGN 13: the typed client the end-to-end tests use),
 * every request and response typed from the checked-in OpenAPI document. Raw fetch (support/api.ts)
 * stays for requests that are malformed on purpose, which the typed client refuses to build.
 */

/**
 * A client of the API at `api.base`, read at each call (the process starts in beforeAll, after the
 * describe block made its client), with `apiKey` as the Bearer token.
 */
export function typedClient(api: { readonly base: string }, apiKey: string): CampaignClient {
  let made: { base: string; client: CampaignClient } | undefined;
  const current = (): CampaignClient => {
    if (made?.base !== api.base)
      made = { base: api.base, client: createCampaignClient({ baseUrl: api.base, apiKey }) };
    return made.client;
  };
  return new Proxy({} as CampaignClient, { get: (_target, method) => Reflect.get(current(), method) });
}

/** What a test asserts on: the status, the Content-Type, and the body (`data` on 2xx, else `error`). */
export interface Answer<Data, Problem> {
  status: number;
  type: string;
  data: Data | undefined;
  error: Problem | undefined;
  /** `data` on success, `error` otherwise: the parsed body either way. */
  json: Data | Problem | undefined;
}

/** The answer of a client call, for assertions written as for raw HTTP. */
export async function answer<Data, Problem>(
  call: Promise<{ data?: Data; error?: Problem; response: Response }>,
): Promise<Answer<Data, Problem>> {
  const { data, error, response } = await call;
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    data,
    error,
    json: data ?? error,
  };
}

/** The body of a 2xx answer; anything else fails the test with the status and the problem. */
export async function ok<Data, Problem>(
  call: Promise<{ data?: Data; error?: Problem; response: Response }>,
): Promise<Data> {
  const { data, error, response } = await call;
  if (data === undefined || !response.ok)
    throw new Error(`expected a 2xx, got ${response.status}: ${JSON.stringify(error)}`);
  return data;
}

export type CampaignView = Schema<'Campaign'>;
export type TimelineEntry = Schema<'TimelineEntry'>;

/** The campaign's view, by GET /v1/campaigns/{id}. */
export function getCampaign(client: CampaignClient, id: string): Promise<CampaignView> {
  return ok(client.GET('/v1/campaigns/{id}', { params: { path: { id } } }));
}

/**
 * Polls GET /v1/campaigns/{id} until `predicate` holds for the view, and returns that view: the workers
 * move a campaign on after the request that created it has been answered.
 */
export async function waitForView(
  client: CampaignClient,
  id: string,
  predicate: (view: CampaignView) => boolean,
  timeoutMs = 20_000,
): Promise<CampaignView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await getCampaign(client, id);
    if (predicate(view)) return view;
    if (Date.now() > deadline) throw new Error(`campaign never got there: ${JSON.stringify(view)}`);
    await sleep(200);
  }
}

/** The campaign's first send entry (our message id and when it went out), once a worker has sent it. */
export function firstSend(view: CampaignView): Extract<TimelineEntry, { kind: 'send' }> | undefined {
  return view.timeline.find((e): e is Extract<TimelineEntry, { kind: 'send' }> => e.kind === 'send');
}

/** Our message id of the campaign's first message, once a worker has sent it. */
export async function sentMessageOf(client: CampaignClient, id: string): Promise<string> {
  const view = await waitForView(client, id, (v) => firstSend(v) !== undefined);
  return (firstSend(view) as { message: string }).message;
}
