import { REDACTED } from '@campaign/runtime';

/** The request as pino-http has serialized it (pino-std-serializers). */
interface LoggedRequest {
  url?: string;
  params?: Record<string, unknown>;
  [key: string]: unknown;
}

const UNSUBSCRIBE_TOKEN = /^(\/v1\/unsubscribe\/)[^/?#]+/;

/**
 * Request log lines without the unsubscribe token, which unsubscribes its recipient for whoever holds it.
 * Secret headers are removed by the logger's redact paths (packages/runtime/src/redact.ts).
 */
export function serializeRequestForLog(req: LoggedRequest): LoggedRequest {
  if (typeof req.url === 'string') req.url = req.url.replace(UNSUBSCRIBE_TOKEN, `$1${REDACTED}`);
  if (req.params && typeof req.params.token === 'string') req.params = { ...req.params, token: REDACTED };
  return req;
}
