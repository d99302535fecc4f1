import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { parseRedisClusterNodes } from './redis-cluster.ts';

const base = {
  UNSUBSCRIBE_SECRET: 'unsubscribe-secret-0123456789',
  DATABASE_URL: 'postgres://x@127.0.0.1/test',
};

describe('REDIS_CLUSTER_NODES', () => {
  it('parses a comma-separated host:port list, spaces and IPv6 brackets allowed', () => {
    expect(parseRedisClusterNodes('127.0.0.1:7001, redis-b:7002,[::1]:7003')).toEqual([
      { host: '127.0.0.1', port: 7001 },
      { host: 'redis-b', port: 7002 },
      { host: '::1', port: 7003 },
    ]);
  });

  it.each([
    ['', '""'],
    ['127.0.0.1', '"127.0.0.1"'],
    ['127.0.0.1:7001,', '""'],
    ['127.0.0.1:0', '"127.0.0.1:0"'],
    ['127.0.0.1:65536', '"127.0.0.1:65536"'],
    ['redis://127.0.0.1:7001', '"redis://127.0.0.1:7001"'],
    ['host:port', '"host:port"'],
  ])('refuses %j, naming the variable and the entry', (value, shown) => {
    expect(() => parseRedisClusterNodes(value)).toThrow(`REDIS_CLUSTER_NODES: ${shown} is not host:port`);
  });

  it('refuses a node listed twice', () => {
    expect(() => parseRedisClusterNodes('a:7001,a:7001')).toThrow(
      'REDIS_CLUSTER_NODES: a:7001 is listed twice',
    );
  });

  it('selects BullMQ on the cluster with 8 shards by default, without REDIS_URL', () => {
    const config = loadConfig({ ...base, REDIS_CLUSTER_NODES: '127.0.0.1:7001,127.0.0.1:7002' });
    expect(config.queueBackend).toBe('bullmq');
    expect(config.redisClusterNodes).toEqual([
      { host: '127.0.0.1', port: 7001 },
      { host: '127.0.0.1', port: 7002 },
    ]);
    expect(config.queueShards).toBe(8);
  });

  it('keeps one queue on a single Redis, and QUEUE_SHARDS overrides either default', () => {
    expect(loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379' }).queueShards).toBe(1);
    expect(loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379' }).redisClusterNodes).toBeUndefined();
    expect(loadConfig({ ...base, REDIS_CLUSTER_NODES: 'a:1', QUEUE_SHARDS: '3' }).queueShards).toBe(3);
  });

  it('is a ConfigError naming the variable when malformed, or QUEUE_SHARDS when not a positive integer', () => {
    expect(() => loadConfig({ ...base, REDIS_CLUSTER_NODES: 'nope' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, REDIS_CLUSTER_NODES: 'nope' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => loadConfig({ ...base, REDIS_CLUSTER_NODES: 'a:1', QUEUE_SHARDS: '0' })).toThrow(
      /QUEUE_SHARDS/,
    );
  });
});
