/*
 * Words for raw, possibly malformed, plan input in validation messages. Nothing here reads a plan's
 * nodes: plan-facts.ts reads them once, and these turn what it read into text.
 */

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path` inside `root`, or undefined when any step is missing. */
export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let current = root;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isRecord(current) && Object.hasOwn(current, String(segment))) current = current[String(segment)];
    else return undefined;
  }
  return current;
}

/** A short description of a raw value for messages: `"abc"`, `the number 72`, `null`, `an array`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** `"a", "b", "c"`, cut after `limit` items so a huge plan does not produce a huge message. */
export function quoteList(items: readonly string[], limit = 20): string {
  const shown = items.slice(0, limit).map((item) => JSON.stringify(item));
  return items.length > limit ? `${shown.join(', ')}, ... (${items.length - limit} more)` : shown.join(', ');
}

/** A node's id when it is usable in messages (a non-empty string), else undefined. */
export function usableId(id: unknown): string | undefined {
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** `"email_intro" (/nodes/0)`, or `/nodes/0` when the node has no usable id. */
export function nodeName(id: string | undefined, index: number): string {
  return id !== undefined ? `${JSON.stringify(id)} (/nodes/${index})` : `/nodes/${index}`;
}

/** `node "email_intro" (/nodes/0)`, or `node /nodes/0` when the node has no usable id. */
export function nodeLabel(id: string | undefined, index: number): string {
  return `node ${nodeName(id, index)}`;
}

/** `the transition at /nodes/0/transitions/1 (node "email_intro")`. */
export function transitionLabel(id: string | undefined, nodeIndex: number, transitionIndex: number): string {
  const owner = id !== undefined ? ` (node ${JSON.stringify(id)})` : '';
  return `the transition at /nodes/${nodeIndex}/transitions/${transitionIndex}${owner}`;
}

/** The text with its first letter upper-cased, for labels that start a sentence. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
