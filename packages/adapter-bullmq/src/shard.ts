import { createHash } from 'node:crypto';

/**
 * The shard (0 .. `shards` - 1) of a job key: the first four bytes of the key's SHA-256 (UTF-8), read as
 * an unsigned big-endian integer, modulo `shards`. Stable across processes, versions and machines, so
 * every process that schedules, moves or cancels a job finds the same queue.
 */
export function shardOf(key: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1)
    throw new RangeError(`shards must be a positive integer, got ${shards}`);
  if (shards === 1) return 0;
  return createHash('sha256').update(key, 'utf8').digest().readUInt32BE(0) % shards;
}

/**
 * The key prefix of one shard's queue. One shard keeps `prefix` as it is (the single-queue layout of
 * before); with more, the hash tag gets the shard number: `{campaign}` becomes `{campaign-0}` ..
 * `{campaign-K-1}`, so each shard's keys share a slot of their own and the shards spread over the masters.
 */
export function shardPrefix(prefix: string, shard: number, shards: number): string {
  if (shards === 1) return prefix;
  const tagged = /^\{([^{}]+)\}$/.exec(prefix);
  return tagged ? `{${tagged[1]}-${shard}}` : `${prefix}-${shard}`;
}
