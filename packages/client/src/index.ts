import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema.ts';

export type { components, operations, paths };

/** A schema of the API's document by name, e.g. `Schema<'Campaign'>`. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];

/** The typed API client: `client.GET('/v1/campaigns/{id}', { params: { path: { id } } })`. */
export type CampaignClient = Client<paths>;

export interface CampaignClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** The API's base URL, e.g. `http://127.0.0.1:3000` (no trailing `/v1`). */
  baseUrl: string;
  /** The API key, sent as `Authorization: Bearer <apiKey>`; none for the public routes only. */
  apiKey?: string;
}

/** A client of the campaign engine API, every request and response typed from its OpenAPI document. */
export function createCampaignClient(options: CampaignClientOptions): CampaignClient {
  const { apiKey, headers, ...rest } = options;
  return createClient<paths>({
    ...rest,
    headers: { ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}), ...(headers as object) },
  });
}
