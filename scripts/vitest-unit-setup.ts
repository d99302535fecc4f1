import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

/*
 * The unit tier does no I/O beyond files: a unit test that starts a process or opens a connection fails
 * here, with the fix, instead of passing on a machine that happens to run Postgres and Redis.
 */
const refuse = (what: string) => () => {
  throw new Error(
    `${what} in a unit test: the unit tier starts no process and opens no connection; ` +
      'name the file *.integration.test.ts (real services) or move it to test-e2e (processes over HTTP)',
  );
};

for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
  Object.defineProperty(childProcess, name, { value: refuse(`child_process.${name}`), configurable: true });
}
net.Socket.prototype.connect = refuse('a network connection') as typeof net.Socket.prototype.connect;
// ES module imports of node:child_process read the patched functions from here on.
syncBuiltinESMExports();
