import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

/*
 * The real processes these tests run and watch from outside, as an operator would: the API and worker
 * mains, a private redis-server, and the polling that waiting on another process comes down to.
 */

/** The compiled API (built by the global setup); the worker runs from its TypeScript sources. */
const API_MAIN = fileURLToPath(new URL('../../../apps/nest-service/dist/main.js', import.meta.url));
const WORKER_MAIN = fileURLToPath(new URL('../../../apps/workers/src/main.ts', import.meta.url));
/** Node flags that run the worker's sources (and the workspace packages') without a build. */
const WORKER_ARGS = ['--conditions=@campaign/source', '--disable-warning=ExperimentalWarning', WORKER_MAIN];

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port nobody listens on right now (for a process to listen on, or for a connection to be refused). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Polls `check` every `intervalMs` until it returns something truthy, which it resolves with; throws
 * `failure()` once `timeoutMs` has passed. A process is watched from outside, so waiting on it is polling.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  failure: () => string,
  { timeoutMs = 15_000, intervalMs = 100 } = {},
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
    if (Date.now() > deadline) throw new Error(failure());
    await sleep(intervalMs);
  }
}

export interface RedisServer {
  url: string;
  /** Kills the server; safe to call again (a test may stop it before the file's teardown does). */
  stop(): Promise<void>;
}

/**
 * A private redis-server (no persistence), so a test may FLUSHALL it or stop it without touching anyone
 * else's; with `password`, it requires it and `url` carries it.
 */
export async function startRedis({ password }: { password?: string } = {}): Promise<RedisServer> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', password ? [...args, '--requirepass', password] : args, {
    stdio: 'ignore',
  });
  const url = password ? `redis://:${password}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => 100, maxRetriesPerRequest: null });
  probe.on('error', () => {}); // refused until the server is up
  for (let i = 0; i < 100; i += 1) {
    try {
      await probe.connect();
      break;
    } catch {
      await sleep(50);
    }
  }
  await probe.ping();
  probe.disconnect();
  let stopped: Promise<unknown> | undefined;
  return {
    url,
    stop: () => {
      stopped ??= new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGKILL');
      });
      return stopped.then(() => undefined);
    },
  };
}

export interface NodeProcess {
  child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** What it wrote to stderr alone. */
  stderr(): string;
  /** Resolves with the exit code (null when a signal ended it) once its output is all read. */
  exited: Promise<number | null>;
  /** Sends `signal` unless the process has already ended; resolves as `exited`. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs Node with `args` and exactly `env`, keeping its output: the tests search it (for log lines, or for
 * secrets that must not be there), so none of it may be lost.
 */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv): NodeProcess {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  const errors: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    errors.push(chunk);
  });
  // 'close', not 'exit': it comes after the output streams have ended.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    output: () => Buffer.concat(chunks).toString('utf8'),
    stderr: () => Buffer.concat(errors).toString('utf8'),
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * `env` plus PATH and TZ=UTC unless it sets them: nothing else comes from the test runner, so a setting the
 * process needs is given by the test, as an operator would give it, not picked up from a developer's shell.
 */
const onlyEnv = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  TZ: 'UTC',
  ...env,
});

/** The API process (its compiled main) with `env` only (see `onlyEnv`). */
export const spawnApi = (env: NodeJS.ProcessEnv): NodeProcess => spawnNode([API_MAIN], onlyEnv(env));

/** The worker process (its main, from source) with `env` only (see `onlyEnv`). */
export const spawnWorker = (env: NodeJS.ProcessEnv): NodeProcess => spawnNode(WORKER_ARGS, onlyEnv(env));

/** Waits until the API at `base` is ready; throws with its output if it exits or is not ready in 30 s. */
export async function waitUntilReady(api: NodeProcess, base: string): Promise<void> {
  const failure = () => `the API did not start:\n${api.output()}`;
  await waitFor(
    async () => {
      const ready = await fetch(`${base}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (!ready && api.child.exitCode !== null) throw new Error(failure());
      return ready;
    },
    failure,
    { timeoutMs: 30_000 },
  );
}
