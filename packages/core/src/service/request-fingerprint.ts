import { createHash } from 'node:crypto';

/**
 * JSON with the keys of every object sorted (by UTF-16 code units, as RFC 8785 does) and no
 * whitespace, so two spellings of one request give one text whatever order their keys came in. Values
 * serialize as JSON.stringify serializes them: an `undefined` member is left out, an `undefined` array
 * item is `null`.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  // No prototype: a `__proto__` key of parsed JSON stays a plain member.
  const sorted: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value).sort())
    sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/**
 * What a campaign request's idempotency key is compared on: SHA-256 (hex) of the canonical JSON of
 * every field of the request but the key itself (contact, plan, activate), as given: no defaults
 * filled in, so `activate` left out and `activate: true` are different requests.
 */
export function campaignRequestHash(request: { idempotencyKey?: unknown }): string {
  const { idempotencyKey: _key, ...fields } = request;
  return createHash('sha256').update(canonicalJson(fields), 'utf8').digest('hex');
}
