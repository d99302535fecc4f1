import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * Core stays easy to find one's way in (issue 10): no source file grows past a size one can read in
 * one sitting. A file that needs more is more than one unit; split it by use case or family of rules.
 */

const MAX_LINES = 400;

const srcDir = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Lines as `wc -l` counts them for a file that ends in a newline. */
function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

const files = sources(srcDir).map((path) => ({
  path: path.slice(srcDir.length).split('\\').join('/'),
  lines: lineCount(readFileSync(path, 'utf8')),
}));

describe('packages/core layout', () => {
  it('scans the core sources', () => {
    expect(files.map((f) => f.path)).toContain('plan/validate-plan.ts');
  });

  it(`has no non-test source file over ${MAX_LINES} lines`, () => {
    const tooLong = files.filter((f) => f.lines > MAX_LINES).map((f) => `${f.path}: ${f.lines} lines`);
    expect(tooLong).toEqual([]);
  });
});
