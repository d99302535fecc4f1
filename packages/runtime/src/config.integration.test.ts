import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveSharedSecrets } from './config.ts';

/* The shared secrets, on the file system: the embedded mode keeps them under its data directory. */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'campaign-config-'));
  dirs.push(dir);
  return dir;
}

describe('resolveSharedSecrets', () => {
  it('embedded: generates API_KEY and UNSUBSCRIBE_SECRET once under the data directory and keeps them', () => {
    const dir = dataDir();
    const env = { PGLITE_DIR: join(dir, 'pglite') };
    const first = resolveSharedSecrets(env, 'api');
    expect(first.API_KEY).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first.UNSUBSCRIBE_SECRET).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(readFileSync(join(dir, 'unsubscribe-secret'), 'utf8').trim()).toBe(first.UNSUBSCRIBE_SECRET);
    expect(env).toEqual({ PGLITE_DIR: join(dir, 'pglite') }); // the caller's env is not changed
    const again = resolveSharedSecrets(env, 'worker');
    expect(again.UNSUBSCRIBE_SECRET).toBe(first.UNSUBSCRIBE_SECRET);
    expect(loadConfig(again).unsubscribeSecret).toBe(first.UNSUBSCRIBE_SECRET);
  });

  it('embedded: a secret set in the environment wins over the kept one', () => {
    const dir = dataDir();
    const given = 'an-unsubscribe-secret-from-env';
    const resolved = resolveSharedSecrets(
      { PGLITE_DIR: join(dir, 'pglite'), UNSUBSCRIBE_SECRET: given },
      'api',
    );
    expect(resolved.UNSUBSCRIBE_SECRET).toBe(given);
  });

  // Bug pinned: outside the embedded mode a missing UNSUBSCRIBE_SECRET became a random one per process.
  it('outside the embedded mode: a missing secret is a ConfigError naming it, and nothing is generated', () => {
    const dir = dataDir();
    const base = { PGLITE_DIR: join(dir, 'pglite'), DATABASE_URL: 'postgres://127.0.0.1:1/x' };
    expect(() => resolveSharedSecrets(base, 'worker')).toThrow(ConfigError);
    expect(() => resolveSharedSecrets(base, 'worker')).toThrow(/^UNSUBSCRIBE_SECRET is required/);
    expect(() => resolveSharedSecrets({ ...base, UNSUBSCRIBE_SECRET: 'x'.repeat(16) }, 'api')).toThrow(
      /^API_KEY is required/,
    );
    expect(() => resolveSharedSecrets({ ...base, API_KEY: 'k'.repeat(16) }, 'worker')).toThrow(
      /UNSUBSCRIBE_SECRET/,
    );
    expect(
      resolveSharedSecrets({ ...base, UNSUBSCRIBE_SECRET: 'x'.repeat(16) }, 'worker').UNSUBSCRIBE_SECRET,
    ).toBe('x'.repeat(16));
    expect(() => loadConfig(base)).toThrow(/UNSUBSCRIBE_SECRET is required/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
