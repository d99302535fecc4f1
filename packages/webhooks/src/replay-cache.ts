import type { ReplayCache } from './types.ts';

/** Options of {@link InMemoryReplayCache}. */
export interface InMemoryReplayCacheOptions {
  /** Most keys kept at once. Default 100 000. */
  maxEntries?: number;
}

/**
 * A process-local {@link ReplayCache}. Expired keys are evicted as calls come in, oldest first, so
 * memory stays bounded by `maxEntries`. When a flood of valid signed requests exceeds it, the oldest
 * live keys go first: those are the ones closest to leaving the freshness window anyway, after which
 * the timestamp check refuses their replay on its own. Several processes need a shared cache instead.
 */
export class InMemoryReplayCache implements ReplayCache {
  readonly #maxEntries: number;
  // Map keeps insertion order; with one TTL per verifier that is also expiry order.
  readonly #expiresAt = new Map<string, number>();

  constructor(options: InMemoryReplayCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 100_000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    }
    this.#maxEntries = maxEntries;
  }

  /** How many keys are held now (for tests and metrics). */
  get size(): number {
    return this.#expiresAt.size;
  }

  seen(key: string, now: Date, ttlSeconds: number): boolean {
    const nowMs = now.getTime();
    this.#evictExpired(nowMs);
    const expiresAt = this.#expiresAt.get(key);
    if (expiresAt !== undefined && expiresAt > nowMs) return true;
    // Re-inserting moves the key to the end, keeping the map in expiry order.
    this.#expiresAt.delete(key);
    this.#expiresAt.set(key, nowMs + ttlSeconds * 1000);
    while (this.#expiresAt.size > this.#maxEntries) {
      const oldest = this.#expiresAt.keys().next();
      if (oldest.done === true) break;
      this.#expiresAt.delete(oldest.value);
    }
    return false;
  }

  #evictExpired(nowMs: number): void {
    for (const [key, expiresAt] of this.#expiresAt) {
      if (expiresAt > nowMs) break;
      this.#expiresAt.delete(key);
    }
  }
}
