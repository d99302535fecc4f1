import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/* Measuring helpers for `pnpm bench`: rates, percentiles, pgbench, RSS. */

/** Runs `work` for every item with `concurrency` in flight; returns items per second. */
export async function rate<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next];
        next += 1;
        if (item !== undefined) await work(item);
      }
    }),
  );
  return items.length / ((performance.now() - started) / 1000);
}

/** The q-quantile (0..1) of `values` by nearest rank; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Resident set size of process `pid` in MiB (Linux /proc). */
export function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line?.[1] ? Math.round(Number(line[1]) / 1024) : Number.NaN;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function pgArgs(url: string): string[] {
  const u = new URL(url);
  return ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
}

/**
 * pgbench TPC-B-like on a scratch database created here and dropped after: `-s scale -c clients -j 2
 * -M prepared -T seconds`. Returns its TPS.
 */
export function pgbenchTps(
  serverUrl: string,
  o: { scale: number; clients: number; seconds: number },
): number {
  const args = pgArgs(serverUrl);
  const db = `bench_pgbench_${process.pid}_${Date.now()}`;
  execFileSync('createdb', [...args, db], { stdio: 'ignore' });
  try {
    execFileSync('pgbench', [...args, '-i', '-q', '-s', String(o.scale), db], { stdio: 'ignore' });
    const out = execFileSync(
      'pgbench',
      [...args, '-n', '-c', String(o.clients), '-j', '2', '-M', 'prepared', '-T', String(o.seconds), db],
      { encoding: 'utf8' },
    );
    const tps = /tps = ([\d.]+)/.exec(out)?.[1];
    if (!tps) throw new Error(`cannot read pgbench output:\n${out}`);
    return Number(tps);
  } finally {
    execFileSync('dropdb', [...args, '--if-exists', db], { stdio: 'ignore' });
  }
}
