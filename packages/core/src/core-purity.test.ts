import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * Core is pure: no framework or driver import (biome enforces it too, at lint time), and no wall clock.
 * Time reaches core through the Clock port or an explicit instant.
 */

const srcDir = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = sources(srcDir).map((path) => ({
  path: path.slice(srcDir.length),
  text: readFileSync(path, 'utf8'),
}));

describe('packages/core purity', () => {
  it('scans the core sources', () => {
    expect(files.map((f) => f.path)).toContain('engine/engine.ts');
  });

  it('imports no framework, driver or queue library', () => {
    const banned = /from\s+['"](@nestjs\/[^'"]*|kysely|pg|pg-boss|bullmq|ioredis|@electric-sql\/[^'"]*)['"]/;
    expect(files.filter((f) => banned.test(f.text)).map((f) => f.path)).toEqual([]);
  });

  it('never reads the wall clock', () => {
    const clock = /Date\.now\(|new Date\(\s*\)|performance\.now\(/;
    expect(files.filter((f) => clock.test(f.text)).map((f) => f.path)).toEqual([]);
  });
});
