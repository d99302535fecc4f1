import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EXIT_INVALID } from './main.ts';

/* The `campaign` binary as a child process (the commands themselves: main.test.ts, in this process). */

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('the campaign binary', () => {
  it('runs from the repository root and sets its exit code', async () => {
    const run = promisify(execFile);
    const bin = join(repoRoot, 'apps/cli/src/bin.ts');
    const ok = await run(
      process.execPath,
      [
        '--conditions=@campaign/source',
        '--disable-warning=ExperimentalWarning',
        bin,
        'validate',
        'examples/seed-campaign.json',
      ],
      { cwd: repoRoot },
    );
    expect(ok.stdout).toBe('plan is valid\n');
    await expect(
      run(process.execPath, ['--conditions=@campaign/source', bin, 'validate', 'examples/broken-plan.json'], {
        cwd: repoRoot,
      }),
    ).rejects.toMatchObject({ code: EXIT_INVALID });
  });
});
