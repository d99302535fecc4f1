import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { shardOf, shardPrefix } from './shard.ts';

describe('shardOf', () => {
  it('is the first four bytes of SHA-256, big-endian, modulo the shard count', () => {
    // FIPS 180-2 test vector: SHA-256("abc") = ba7816bf 8f01cfea ...; 0xba7816bf = 3128432319.
    // 3128432319 mod 8 = 0xbf & 7 = 7; its digits sum to 36, so mod 3 = 0; mod 5 = 4 (last digit 9).
    expect(shardOf('abc', 8)).toBe(7);
    expect(shardOf('abc', 3)).toBe(0);
    expect(shardOf('abc', 5)).toBe(4);
    // SHA-256("") = e3b0c442 ...; 0xe3b0c442 = 3820012610, mod 8 = 0x42 & 7 = 2, mod 10 = 0.
    expect(shardOf('', 8)).toBe(2);
    expect(shardOf('', 10)).toBe(0);
  });

  it('puts everything in shard 0 with one shard', () => {
    expect(shardOf('abc', 1)).toBe(0);
    expect(shardOf(randomUUID(), 1)).toBe(0);
  });

  it('spreads random action ids over every shard, none with more than 1.25 times its share', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) {
      const shard = shardOf(randomUUID(), 8);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    expect(Math.min(...counts)).toBeGreaterThan(750);
    expect(Math.max(...counts)).toBeLessThan(1250);
  });

  it('refuses a shard count that is not a positive integer', () => {
    expect(() => shardOf('abc', 0)).toThrow(/positive integer/);
    expect(() => shardOf('abc', 2.5)).toThrow(/positive integer/);
  });
});

describe('shardPrefix', () => {
  it('keeps the prefix of the single queue with one shard', () => {
    expect(shardPrefix('{campaign}', 0, 1)).toBe('{campaign}');
  });

  it('puts the shard number inside the hash tag with more', () => {
    expect(shardPrefix('{campaign}', 0, 8)).toBe('{campaign-0}');
    expect(shardPrefix('{campaign}', 7, 8)).toBe('{campaign-7}');
    expect(shardPrefix('bull', 2, 4)).toBe('bull-2');
  });
});
