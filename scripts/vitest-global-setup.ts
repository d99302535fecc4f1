import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/*
 * The NestJS app runs from its compiled output (Node's type stripping cannot run decorators), and its
 * tests start it as a real process: build it (incrementally) before any test runs.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(
    process.execPath,
    [
      fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)),
      '-b',
      'apps/nest-service',
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
