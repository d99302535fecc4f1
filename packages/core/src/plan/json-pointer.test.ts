import { describe, expect, it } from 'vitest';
import { compareJsonPointers, toJsonPointer } from './json-pointer.ts';

describe('toJsonPointer', () => {
  it('is empty for the root and escapes ~ and / in segments', () => {
    expect(toJsonPointer([])).toBe('');
    expect(toJsonPointer(['nodes', 0, 'a/b~c'])).toBe('/nodes/0/a~1b~0c');
  });
});

describe('compareJsonPointers', () => {
  it('orders array indexes numerically and parents before children', () => {
    const paths = ['/nodes/10', '/version', '/nodes/2/id', '/nodes/2', '', '/nodes/10/transitions/0'];
    expect([...paths].sort(compareJsonPointers)).toEqual([
      '',
      '/nodes/2',
      '/nodes/2/id',
      '/nodes/10',
      '/nodes/10/transitions/0',
      '/version',
    ]);
  });
});
