/** Builds an RFC 6901 JSON pointer ('' for the root) from path segments. */
export function toJsonPointer(segments: readonly (string | number)[]): string {
  return segments
    .map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`)
    .join('');
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * Orders JSON pointers segment by segment, array indexes numerically, so `/nodes/2` comes before
 * `/nodes/10` and a parent before its children.
 */
export function compareJsonPointers(a: string, b: string): number {
  const left = a === '' ? [] : a.slice(1).split('/');
  const right = b === '' ? [] : b.slice(1).split('/');
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const x = left[i] ?? '';
    const y = right[i] ?? '';
    if (x === y) continue;
    if (ARRAY_INDEX.test(x) && ARRAY_INDEX.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}
