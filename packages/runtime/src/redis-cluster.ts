/** One seed node of a Redis Cluster. */
export interface RedisClusterNode {
  host: string;
  port: number;
}

/**
 * REDIS_CLUSTER_NODES parsed: a comma-separated list of `host:port` (an IPv6 host in brackets:
 * `[::1]:7001`), at least one, each port 1..65535, no duplicates. Throws an Error naming the variable
 * and the bad entry; the caller turns it into a ConfigError.
 */
export function parseRedisClusterNodes(value: string): RedisClusterNode[] {
  const entries = value.split(',').map((entry) => entry.trim());
  const nodes: RedisClusterNode[] = [];
  for (const entry of entries) {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[3]);
    const host = match?.[1] ?? match?.[2];
    if (!match || !host || port < 1 || port > 65_535) {
      throw new Error(
        `REDIS_CLUSTER_NODES: ${JSON.stringify(entry)} is not host:port (a comma-separated list like ` +
          '127.0.0.1:7001,127.0.0.1:7002)',
      );
    }
    if (nodes.some((n) => n.host === host && n.port === port))
      throw new Error(`REDIS_CLUSTER_NODES: ${entry} is listed twice`);
    nodes.push({ host, port });
  }
  return nodes;
}
