import { createHash } from 'node:crypto';

/* DESIGN section 10: deterministic split assignment. */

const TWO_POW_32 = 2n ** 32n;

/**
 * The variant a contact gets in `experiment`: x = the first 4 bytes of SHA-256 of the UTF-8 string
 * `"<experiment>:<key>"` as a big-endian unsigned integer, u = x / 2^32, T = the total weight; the first
 * variant whose cumulative weight / T exceeds u wins (u exactly at a boundary goes to the next one). The
 * comparison is done exactly in integers (x * T < cumulative * 2^32). A null key (a contact with no id,
 * email or phone; only tests build one) hashes the empty key, `"<experiment>:"`.
 * Throws on no variants or a weight that is not a positive integer (the validator refuses both).
 */
export function splitVariant<V extends { id: string; weight: number }>(
  experiment: string,
  key: string | null,
  variants: readonly V[],
): V {
  if (variants.length === 0) throw new Error(`split "${experiment}" has no variants`);
  for (const v of variants) {
    if (!Number.isSafeInteger(v.weight) || v.weight <= 0) {
      throw new Error(
        `split "${experiment}": variant "${v.id}" has weight ${v.weight}, not a positive integer`,
      );
    }
  }
  const digest = createHash('sha256')
    .update(`${experiment}:${key ?? ''}`, 'utf8')
    .digest();
  const x = BigInt(digest.readUInt32BE(0));
  const total = variants.reduce((sum, v) => sum + BigInt(v.weight), 0n);
  let cumulative = 0n;
  for (const v of variants) {
    cumulative += BigInt(v.weight);
    if (x * total < cumulative * TWO_POW_32) return v;
  }
  // Unreachable: x < 2^32, so x * T < T * 2^32 at the last variant.
  return variants[variants.length - 1] as V;
}
