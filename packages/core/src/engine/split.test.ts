import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { splitVariant } from './split.ts';

/* DESIGN section 10, split: u = first 4 bytes of SHA-256("<experiment>:<key>") / 2^32. */

/** x for a string, through WebCrypto (an API independent of the one split.ts uses). */
async function firstUint32(text: string): Promise<number> {
  const digest = await webcrypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return new DataView(digest).getUint32(0, false);
}

const ab = (a: number, b: number) => [
  { id: 'A', weight: a, to: 'a' },
  { id: 'B', weight: b, to: 'b' },
];

describe('splitVariant', () => {
  it('the worked example: "subject-q4:ada@acme.example" starts 9968e18e, u = 0.599257', async () => {
    const x = await firstUint32('subject-q4:ada@acme.example');
    expect(x.toString(16)).toBe('9968e18e');
    expect(x / 2 ** 32).toBeCloseTo(0.599257, 6);
    expect(splitVariant('subject-q4', 'ada@acme.example', ab(50, 50)).id).toBe('B');
    expect(splitVariant('subject-q4', 'ada@acme.example', ab(60, 40)).id).toBe('A');
  });

  it('u exactly at a cumulative boundary goes to the next variant (exact integers past 2^53)', async () => {
    const x = await firstUint32('subject-q4:ada@acme.example');
    // T = 2^32: A's share ends exactly at u when A weighs x
    expect(splitVariant('subject-q4', 'ada@acme.example', ab(x, 2 ** 32 - x)).id).toBe('B');
    expect(splitVariant('subject-q4', 'ada@acme.example', ab(x + 1, 2 ** 32 - x - 1)).id).toBe('A');
  });

  it('agrees with a rational oracle over many keys and weights', async () => {
    const weights = [1, 2, 3, 7, 50, 99];
    for (let i = 0; i < 200; i += 1) {
      const key = `user-${i}@example.com`;
      const x = BigInt(await firstUint32(`exp:${key}`));
      const variants = [0, 1, 2].map((j) => ({
        id: `v${j}`,
        weight: weights[(i + j * 5) % weights.length] ?? 1,
      }));
      const total = variants.reduce((s, v) => s + v.weight, 0);
      // oracle: u < cum/T  <=>  x * T < cum * 2^32
      let cum = 0;
      let expected = '';
      for (const v of variants) {
        cum += v.weight;
        if (x * BigInt(total) < BigInt(cum) * 2n ** 32n) {
          expected = v.id;
          break;
        }
      }
      expect(splitVariant('exp', key, variants).id).toBe(expected);
    }
  });

  it('is deterministic per experiment and key, and a null key hashes "<experiment>:"', async () => {
    const x = await firstUint32('exp:');
    const expected = x / 2 ** 32 < 0.5 ? 'A' : 'B';
    expect(splitVariant('exp', null, ab(1, 1)).id).toBe(expected);
    expect(splitVariant('e', 'k', ab(1, 1)).id).toBe(splitVariant('e', 'k', ab(1, 1)).id);
  });

  it('refuses no variants and non-integer or non-positive weights', () => {
    expect(() => splitVariant('e', 'k', [])).toThrow(/no variants/);
    expect(() => splitVariant('e', 'k', ab(0, 1))).toThrow(/positive integer/);
    expect(() => splitVariant('e', 'k', ab(1.5, 1))).toThrow(/positive integer/);
  });
});
