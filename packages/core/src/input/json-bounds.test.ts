import { describe, expect, it } from 'vitest';
import { jsonFaults, MAX_JSON_DEPTH, unstorableText } from './json-bounds.ts';

/** `{"a": {"a": ... 1}}` with `levels` objects. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i += 1) value = { a: value };
  return value;
}

describe('unstorableText', () => {
  it('accepts ordinary text, paired surrogates (emoji) and other control characters', () => {
    expect(unstorableText('Hello 😀 \t\n\u0001 é')).toBeUndefined();
    expect(unstorableText('')).toBeUndefined();
  });

  it.each([
    ['a\u0000b', 'NUL character (U+0000) at index 1'],
    ['x\uD800', 'lone UTF-16 surrogate (U+D800) at index 1'],
    ['\uDC00x', 'lone UTF-16 surrogate (U+DC00) at index 0'],
    ['😀\uDE00', 'lone UTF-16 surrogate (U+DE00) at index 2'],
    ['\uD800\u0000', 'lone UTF-16 surrogate (U+D800) at index 0'],
  ])('refuses %j: %s', (text, expected) => {
    expect(unstorableText(text)).toContain(expected);
  });
});

describe('jsonFaults', () => {
  it('finds nothing in storable JSON', () => {
    expect(jsonFaults({ a: ['x', 1, null, true, { b: '😀' }], '': 'empty key is fine' })).toEqual([]);
    expect(jsonFaults(nested(MAX_JSON_DEPTH))).toEqual([]);
  });

  // regression: NUL characters and lone surrogates reached Postgres and answered 500
  it('points at every string and key that cannot be stored, in document order', () => {
    const faults = jsonFaults({
      name: 'Ada\u0000',
      list: ['ok', 'bad\uD800'],
      'k\u0000ey': 'the value of a bad key is not looked at \u0000',
      'a/b~c': { deeper: '\uDFFF' },
    });
    expect(faults.map((f) => f.path)).toEqual(['/name', '/list/1', '/k\u0000ey', '/a~1b~0c/deeper']);
    expect(faults[0]?.message).toBe(
      'The string at /name contains a NUL character (U+0000) at index 3, which cannot be stored; remove it.',
    );
    expect(faults[2]?.message).toContain('The key "k\\u0000ey" contains a NUL character');
  });

  // regression: attributes nested thousands of levels deep answered 500
  it('reports nesting deeper than the limit once, at the first container past it, without a stack overflow', () => {
    const faults = jsonFaults({ attributes: nested(200_000) });
    expect(faults).toHaveLength(1);
    const path = `/attributes${'/a'.repeat(MAX_JSON_DEPTH - 1)}`;
    expect(faults[0]).toEqual({
      path,
      message: `The value at ${path} is nested more than 32 levels deep; the limit is 32 levels of objects and arrays.`,
    });
    expect(jsonFaults(nested(MAX_JSON_DEPTH + 1))).toHaveLength(1);
    expect(jsonFaults([[[]]], { maxDepth: 2 }).map((f) => f.path)).toEqual(['/0/0']);
  });

  it('bounds string length when asked, and the number of faults reported', () => {
    expect(jsonFaults({ a: 'x'.repeat(11) }, { maxStringLength: 10 })).toEqual([
      { path: '/a', message: 'The string at /a is 11 characters long; the limit is 10.' },
    ]);
    expect(jsonFaults({ a: 'x'.repeat(10) }, { maxStringLength: 10 })).toEqual([]);
    expect(
      jsonFaults(
        Array.from({ length: 100 }, () => '\u0000'),
        { limit: 3 },
      ),
    ).toHaveLength(3);
    expect(jsonFaults('\u0000')).toEqual([expect.objectContaining({ path: '' })]);
  });
});
