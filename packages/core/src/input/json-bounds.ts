/*
 * Bounds on JSON that the engine stores. Postgres refuses a NUL character (U+0000) in `text` and in
 * `jsonb`, and a lone UTF-16 surrogate in `jsonb` (in `text` it silently becomes U+FFFD); a value
 * nested thousands of levels deep exhausts the stack of whatever walks it. Input that breaks these
 * bounds is refused where it enters, with the JSON pointer of the fault, instead of failing in the
 * database with a 500.
 */

/** The deepest nesting accepted in any JSON input: `{"a": 1}` is 1 level, `{"a": {"b": 1}}` 2. */
export const MAX_JSON_DEPTH = 32;

/** One value that cannot be stored, at `path` (an RFC 6901 JSON pointer into the value checked). */
export interface JsonFault {
  path: string;
  /** What is wrong and what the limit is, for a person or an LLM fixing the input. */
  message: string;
}

export interface JsonBoundsOptions {
  /** Deepest nesting allowed (default MAX_JSON_DEPTH). */
  maxDepth?: number;
  /** Longest string allowed, in UTF-16 code units (JavaScript `length`); default: no limit. */
  maxStringLength?: number;
  /** Stop after this many faults (default 20): a huge input does not produce a huge answer. */
  limit?: number;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function hex(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `text` cannot be stored, or undefined when it can: a NUL character (U+0000) or a lone UTF-16
 * surrogate (a U+D800 to U+DFFF code unit not part of a pair), with the index where it occurs.
 */
export function unstorableText(text: string): string | undefined {
  const nul = text.indexOf('\u0000');
  const surrogate = LONE_SURROGATE.exec(text);
  if (nul === -1 && surrogate === null) return undefined;
  if (surrogate === null || (nul !== -1 && nul < surrogate.index)) {
    return `contains a NUL character (U+0000) at index ${nul}, which cannot be stored; remove it`;
  }
  return `contains a lone UTF-16 surrogate (${hex(surrogate[0].charCodeAt(0))}) at index ${surrogate.index}, which is not valid Unicode and cannot be stored; send well-formed UTF-8 text`;
}

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Every fault of `value` as JSON to be stored, in document order, up to `options.limit`: a string or
 * an object key with a NUL or a lone surrogate, a string longer than `maxStringLength`, and an
 * object or array nested deeper than `maxDepth` (reported once, at that container, without looking
 * inside). Walks iteratively, so any depth is safe to check. Key names are checked like strings.
 */
export function jsonFaults(value: unknown, options: JsonBoundsOptions = {}): JsonFault[] {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const maxLength = options.maxStringLength ?? Number.POSITIVE_INFINITY;
  const limit = options.limit ?? 20;
  const faults: JsonFault[] = [];
  // Depth-first, children pushed in reverse so faults come out in document order.
  const stack: Entry[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0 && faults.length < limit) {
    const item = stack.pop() as Entry;
    const { path, depth } = item;
    const current = item.value;
    if (item.badKey !== undefined) {
      faults.push({ path, message: item.badKey });
      continue;
    }
    if (typeof current === 'string') {
      const problem = unstorableText(current);
      if (problem !== undefined) faults.push({ path, message: `The string at ${path || '/'} ${problem}.` });
      else if (current.length > maxLength) {
        faults.push({
          path,
          message: `The string at ${path || '/'} is ${current.length} characters long; the limit is ${maxLength}.`,
        });
      }
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > maxDepth) {
      faults.push({
        path,
        message: `The value at ${path || '/'} is nested more than ${maxDepth} levels deep; the limit is ${maxDepth} levels of objects and arrays.`,
      });
      continue;
    }
    const children: Entry[] = [];
    if (Array.isArray(current)) {
      current.forEach((child, index) => {
        children.push({ value: child, path: `${path}/${index}`, depth: depth + 1 });
      });
    } else {
      for (const [key, child] of Object.entries(current)) {
        const childPath = `${path}/${escapeSegment(key)}`;
        const problem = unstorableText(key);
        // A bad key is reported in place of its value: the value is not looked at.
        const badKey = problem === undefined ? undefined : `The key ${JSON.stringify(key)} ${problem}.`;
        children.push({ value: child, path: childPath, depth: depth + 1, badKey });
      }
    }
    for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i] as Entry);
  }
  return faults;
}

interface Entry {
  value: unknown;
  path: string;
  depth: number;
  badKey?: string | undefined;
}
