import { parseArgs } from 'node:util';
import { type CampaignClient, createCampaignClient } from '@campaign/client';

/** The API the remote commands talk to when neither --url nor CAMPAIGN_API_URL says otherwise. */
export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/** Exit codes of the remote commands: 0 ok, 1 the API answered a problem, 2 usage or unreachable server. */
export const EXIT_API_PROBLEM = 1;
export const EXIT_USAGE_OR_UNREACHABLE = 2;

export interface RemoteIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  cwd: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/** A usage mistake: the message is printed as one line, exit 2. */
export class RemoteUsageError extends Error {}

/** The server could not be reached (refused, DNS, reset): exit 2. */
export class UnreachableError extends Error {}

/** The API answered with a problem (4xx/5xx): exit 1, the problem printed (as JSON with --json). */
export class ApiProblemError extends Error {
  readonly status: number;
  readonly problem: unknown;
  constructor(status: number, problem: unknown) {
    const p = (problem ?? {}) as { code?: string; detail?: string; title?: string };
    super(`${status} ${p.code ?? 'error'}: ${p.detail ?? p.title ?? 'the API refused the request'}`);
    this.status = status;
    this.problem = problem;
  }
}

const COMMON = {
  url: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface Remote {
  client: CampaignClient;
  url: string;
  json: boolean;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** Parses a remote command's arguments (its own `extra` options plus --url, --json, --help). */
export function connect(
  args: readonly string[],
  io: RemoteIo,
  extra: Record<string, { type: 'string' | 'boolean' }> = {},
): Remote | 'help' {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...COMMON, ...extra },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new RemoteUsageError((error as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return 'help';
  const url = String(values.url ?? io.env?.CAMPAIGN_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(url)) throw new RemoteUsageError(`--url must be an http(s) URL, got "${url}"`);
  const apiKey = io.env?.CAMPAIGN_API_KEY;
  const client = createCampaignClient({ baseUrl: url, ...(apiKey ? { apiKey } : {}) });
  return { client, url, json: values.json === true, positionals: parsed.positionals, values };
}

/**
 * Awaits an openapi-fetch call: the data of a success, else ApiProblemError for an answered problem
 * or UnreachableError when no answer came.
 */
export async function call<T>(
  url: string,
  request: () => Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new UnreachableError(
      `cannot reach ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
    );
  }
  if (!result.response.ok || result.data === undefined)
    throw new ApiProblemError(result.response.status, result.error);
  return result.data;
}
