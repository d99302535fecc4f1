/** Levenshtein edit distance between two strings (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The key whose label is closest to `input` (case-insensitive), when the distance is at most
 * `maxDistance` and no other key is as close: a did-you-mean must not guess between two readings.
 */
export function closestKey(
  input: string,
  labels: ReadonlyMap<string, readonly string[]>,
  maxDistance: number,
): string | undefined {
  const needle = input.trim().toLowerCase();
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  let tie = false;
  for (const [key, names] of labels) {
    for (const name of names) {
      const d = editDistance(needle, name.toLowerCase());
      if (d < bestDistance) {
        best = key;
        bestDistance = d;
        tie = false;
      } else if (d === bestDistance && key !== best) {
        tie = true;
      }
    }
  }
  return best !== undefined && !tie ? best : undefined;
}
