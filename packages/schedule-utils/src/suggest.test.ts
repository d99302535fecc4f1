import { describe, expect, it } from 'vitest';
import { closestKey, editDistance } from './suggest.ts';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('germany', 'germany')).toBe(0);
    expect(editDistance('germny', 'germany')).toBe(1); // insertion
    expect(editDistance('germanyy', 'germany')).toBe(1); // deletion
    expect(editDistance('gerxany', 'germany')).toBe(1); // substitution
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('closestKey', () => {
  const labels = new Map([
    ['DE', ['Germany', 'Deutschland']],
    ['AT', ['Austria', 'Österreich']],
    ['AU', ['Australia']],
  ]);

  it('matches case-insensitively on any label, within the distance', () => {
    expect(closestKey('deutschland', labels, 0)).toBe('DE');
    expect(closestKey(' Germny ', labels, 2)).toBe('DE');
    expect(closestKey('Germ', labels, 2)).toBeUndefined();
  });

  it('does not guess between two equally close keys', () => {
    // 'Australiaa' is 1 from Australia and 3 from Austria; 'Austraia' is 1 from both.
    expect(closestKey('Australiaa', labels, 2)).toBe('AU');
    expect(closestKey('Austraia', labels, 2)).toBeUndefined();
  });
});
