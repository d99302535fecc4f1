import { malformed, unauthorized } from './errors.ts';
import type { WebhookRequest } from './types.ts';

/**
 * The single value of a header, `undefined` when absent or empty. Header names are looked up in
 * lower case, as the request contract says. Two values of a signature header are refused: which
 * one a proxy or framework keeps is not ours to guess.
 */
export function singleHeader(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length > 1) throw unauthorized('duplicate_header', `header ${name} was sent more than once`);
    const [first] = value;
    return first === undefined || first.trim() === '' ? undefined : first.trim();
  }
  return value.trim() === '' ? undefined : value.trim();
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Parses the raw body as UTF-8 JSON; anything else is a 400. */
export function parseJsonBody(rawBody: Buffer): unknown {
  let text: string;
  try {
    text = UTF8.decode(rawBody);
  } catch {
    throw malformed('the body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed('the body is not valid JSON');
  }
}
