/*
 * `pnpm bench:cluster`: BullMQ jobs through the BullmqScheduler on a Redis Cluster of 1 master and of 3
 * masters, the jobs sharded over the same number of queues (QUEUE_SHARDS) in both, no-op handler: how
 * many jobs a second are enqueued (schedule, 16 callers at once) and delivered (one process, the given
 * concurrency). The 3-master cluster is scripts/services' (127.0.0.1:7001-7003); the 1-master one is
 * started here on BENCH_SINGLE_MASTER_PORT (default 7011) with every slot, and shut down at the end.
 * Writes bench/results/bullmq-cluster.json and .md; asserts nothing.
 *
 *   BENCH_CLUSTER_JOBS (default 5000)   BENCH_CLUSTER_SHARDS (default 8)   BENCH_CLUSTER_CONCURRENCY (default 64)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Not a dependency of the bench package (no lockfile change for a bench): the adapter's source directly.
import { BullmqScheduler } from '../packages/adapter-bullmq/src/index.ts';

const JOBS = Number(process.env.BENCH_CLUSTER_JOBS ?? 5000);
const SHARDS = Number(process.env.BENCH_CLUSTER_SHARDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CLUSTER_CONCURRENCY ?? 64);
const SINGLE_PORT = Number(process.env.BENCH_SINGLE_MASTER_PORT ?? 7011);
const THREE = (process.env.REDIS_CLUSTER_NODES ?? '127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003')
  .split(',')
  .map((n) => ({ host: n.split(':')[0] ?? '', port: Number(n.split(':')[1]) }));

const cli = (port: number, ...args: string[]) =>
  execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' }).trim();

/** A one-master Redis Cluster holding all 16384 slots, in a temp dir. Returns its stop. */
function startSingleMaster(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
  execFileSync('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '--port',
    String(SINGLE_PORT),
    '--cluster-enabled',
    'yes',
    // Alone, a node does not learn its own address: announce it, or CLUSTER SLOTS names no host.
    '--cluster-announce-ip',
    '127.0.0.1',
    '--cluster-config-file',
    join(dir, 'nodes.conf'),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--logfile',
    join(dir, 'redis.log'),
  ]);
  for (let i = 0; i < 50 && spawnSync('redis-cli', ['-p', String(SINGLE_PORT), 'ping']).status !== 0; i++)
    execFileSync('sleep', ['0.1']);
  cli(SINGLE_PORT, 'cluster', 'addslotsrange', '0', '16383');
  for (let i = 0; i < 100 && !cli(SINGLE_PORT, 'cluster', 'info').includes('cluster_state:ok'); i++)
    execFileSync('sleep', ['0.1']);
  return () => {
    spawnSync('redis-cli', ['-p', String(SINGLE_PORT), 'shutdown', 'nosave']);
    rmSync(dir, { recursive: true, force: true });
  };
}

interface Row {
  masters: number;
  enqueuedPerSecond: number;
  deliveredPerSecond: number;
}

async function measure(masters: number, nodes: { host: string; port: number }[]): Promise<Row> {
  const prefix = `{bench-${randomUUID().slice(0, 8)}}`;
  const scheduler = new BullmqScheduler({
    connection: { cluster: { nodes } },
    prefix,
    shards: SHARDS,
    concurrency: CONCURRENCY,
  });
  let delivered = 0;
  let allDelivered: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allDelivered = resolve;
  });
  const ids = Array.from({ length: JOBS }, () => randomUUID());
  const now = new Date();
  const enqueueStart = performance.now();
  // 16 callers at once, as many API processes' after-commit schedules would be.
  const chunks = Array.from({ length: 16 }, (_, i) => ids.filter((_, j) => j % 16 === i));
  await Promise.all(
    chunks.map((chunk) => scheduler.schedule(chunk.map((actionId) => ({ actionId, runAt: now })))),
  );
  const enqueueSeconds = (performance.now() - enqueueStart) / 1000;
  const drainStart = performance.now();
  await scheduler.start(async () => {
    delivered += 1;
    if (delivered === JOBS) allDelivered();
  });
  await done;
  const drainSeconds = (performance.now() - drainStart) / 1000;
  for (const queue of scheduler.dashboardQueues()) await queue.obliterate({ force: true });
  await scheduler.close();
  return {
    masters,
    enqueuedPerSecond: Math.round(JOBS / enqueueSeconds),
    deliveredPerSecond: Math.round(JOBS / drainSeconds),
  };
}

const stopSingle = startSingleMaster();
let rows: Row[];
try {
  rows = [await measure(1, [{ host: '127.0.0.1', port: SINGLE_PORT }]), await measure(3, THREE)];
} finally {
  stopSingle();
}
const [one, three] = rows as [Row, Row];
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const at = new Date().toISOString();
const md = [
  `BullMQ on Redis Cluster: ${JOBS} jobs, ${SHARDS} queue shards, concurrency ${CONCURRENCY}, one client process, ${at}`,
  '',
  '| masters | enqueued per second | delivered per second |',
  '|---:|---:|---:|',
  ...rows.map((r) => `| ${r.masters} | ${r.enqueuedPerSecond} | ${r.deliveredPerSecond} |`),
  '',
  `3 masters / 1 master: enqueue ${ratio(three.enqueuedPerSecond, one.enqueuedPerSecond)}, delivery ${ratio(three.deliveredPerSecond, one.deliveredPerSecond)}`,
  '',
  'One client process and every Redis node share this machine: the figures say whether sharding spreads',
  'the load, not what separate machines would reach.',
  '',
].join('\n');
const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(
  new URL('bullmq-cluster.json', dir),
  `${JSON.stringify({ at, jobs: JOBS, shards: SHARDS, concurrency: CONCURRENCY, rows }, null, 2)}\n`,
);
writeFileSync(new URL('bullmq-cluster.md', dir), md);
process.stdout.write(md);
