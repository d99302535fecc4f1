import { describe, expect, it } from 'vitest';
import { stronglyConnectedComponents } from './strongly-connected-components.ts';

function cycles(count: number, successors: number[][]): number[][] {
  return stronglyConnectedComponents(count, successors)
    .filter((component) => component.length > 1)
    .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
}

describe('stronglyConnectedComponents', () => {
  it('finds every node once and groups the members of each cycle', () => {
    // 0 -> 1 -> 2 -> 0, 2 -> 3, 3 -> 4 -> 3, 5 alone
    const successors = [[1], [2], [0, 3], [4], [3], []];
    const components = stronglyConnectedComponents(6, successors);
    expect(components.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(cycles(6, successors)).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
  });

  it('keeps an acyclic chain as single nodes', () => {
    expect(cycles(3, [[1], [2], []])).toEqual([]);
  });

  it('handles a long chain without recursion', () => {
    const count = 100_000;
    const successors = Array.from({ length: count }, (_, i) => (i + 1 < count ? [i + 1] : [0]));
    const components = stronglyConnectedComponents(count, successors);
    expect(components).toHaveLength(1);
    expect(components[0]).toHaveLength(count);
  });
});
