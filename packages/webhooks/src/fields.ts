import { ItemError } from './errors.ts';

/** A JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string field, or null when absent, empty or of another type. */
export function optionalString(source: JsonObject | undefined, key: string): string | null {
  const value = source?.[key];
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** A non-empty string field; its absence makes the item unusable. */
export function requiredString(source: JsonObject, key: string, where = ''): string {
  const value = optionalString(source, key);
  if (value === null) {
    throw new ItemError('missing_field', `${where}${key} is missing or not a non-empty string`);
  }
  return value;
}

/** A nested object field, or undefined. */
export function optionalObject(source: JsonObject | undefined, key: string): JsonObject | undefined {
  const value = source?.[key];
  return isObject(value) ? value : undefined;
}

/** The first element of an array field, or undefined. */
export function firstOf(source: JsonObject | undefined, key: string): unknown {
  const value = source?.[key];
  return Array.isArray(value) ? (value[0] as unknown) : undefined;
}

/** The first string of a field that is a string or an array of strings. */
export function firstString(source: JsonObject | undefined, key: string): string | null {
  const value = source?.[key];
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (Array.isArray(value)) {
    const first = value[0] as unknown;
    return typeof first === 'string' && first.trim() !== '' ? first : null;
  }
  return null;
}
