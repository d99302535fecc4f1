import { describe, expect, it } from 'vitest';
import { InMemoryReplayCache } from './replay-cache.ts';

const T0 = new Date('2026-03-06T17:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('InMemoryReplayCache', () => {
  it('reports a key as seen within its TTL and records it the first time', () => {
    const cache = new InMemoryReplayCache();
    expect(cache.seen('a', T0, 60)).toBe(false);
    expect(cache.seen('a', at(59), 60)).toBe(true);
    expect(cache.seen('b', at(59), 60)).toBe(false);
  });

  it('forgets a key once its TTL has passed, and evicts expired keys', () => {
    const cache = new InMemoryReplayCache();
    cache.seen('a', T0, 60);
    cache.seen('b', at(10), 60);
    expect(cache.size).toBe(2);
    // At 60 s "a" has expired (TTL is exclusive); "b" lives until 70 s.
    expect(cache.seen('c', at(60), 60)).toBe(false);
    expect(cache.size).toBe(2);
    expect(cache.seen('a', at(61), 60)).toBe(false);
    expect(cache.seen('b', at(69), 60)).toBe(true);
  });

  it('stays within maxEntries, dropping the oldest keys first', () => {
    const cache = new InMemoryReplayCache({ maxEntries: 3 });
    for (const [index, key] of ['k1', 'k2', 'k3', 'k4', 'k5'].entries()) cache.seen(key, at(index), 3600);
    expect(cache.size).toBe(3);
    expect(cache.seen('k5', at(10), 3600)).toBe(true);
    expect(cache.seen('k3', at(10), 3600)).toBe(true);
    expect(cache.seen('k1', at(10), 3600)).toBe(false);
  });

  it('keeps memory flat under a steady stream of expiring keys', () => {
    const cache = new InMemoryReplayCache();
    for (let second = 0; second < 10_000; second += 1) cache.seen(`token-${second}`, at(second), 600);
    // Only the last 600 s worth of keys are alive.
    expect(cache.size).toBe(600);
  });

  it('refuses a nonsensical bound', () => {
    expect(() => new InMemoryReplayCache({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new InMemoryReplayCache({ maxEntries: 1.5 })).toThrow(RangeError);
  });
});
