import { defineConfig } from 'vitest/config';

// Every test sees UTC as the process zone: a test that needs a zone names it.
process.env.TZ = 'UTC';

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources, so tests need no build.
    conditions: ['@campaign/source'],
  },
  ssr: { resolve: { conditions: ['@campaign/source'], externalConditions: ['@campaign/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    env: { TZ: 'UTC' },
    globalSetup: ['./scripts/vitest-global-setup.ts'],
  },
});
