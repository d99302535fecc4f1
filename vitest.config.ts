import { defineConfig } from 'vitest/config';

// Every test sees UTC as the process zone: a test that needs a zone names it.
process.env.TZ = 'UTC';

/*
 * Three tiers, told apart by file name and place:
 *   unit         `*.test.ts` next to the code: no Postgres, Redis, child process or network; seconds.
 *   integration  `*.integration.test.ts` (next to the code, or in an app's test/): the real services.
 *   e2e          `test-e2e/src/**\/*.e2e.test.ts`: the API and worker processes, spoken to over HTTP.
 * `vitest run --project unit` runs one tier; `vitest run` runs all three.
 */
// examples/* are workspace packages too (examples/nest-host embeds the engine in a host app).
const SOURCES = [
  'packages/*/src/**',
  'apps/*/src/**',
  'apps/*/test/**',
  'examples/*/src/**',
  'examples/*/test/**',
];

// The NestJS app runs from its compiled output: only the tiers that start it or import it build it.
const buildsApi = ['./scripts/vitest-global-setup.ts'];

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources, so tests need no build.
    conditions: ['@campaign/source'],
  },
  ssr: { resolve: { conditions: ['@campaign/source'], externalConditions: ['@campaign/source'] } },
  test: {
    env: { TZ: 'UTC' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [...SOURCES.map((dir) => `${dir}/*.test.ts`), 'scripts/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.integration.test.ts'],
          setupFiles: ['./scripts/vitest-unit-setup.ts'],
          // Unit tests share no state through modules (no vi.mock of modules: inject instead), so a
          // worker reuses the module graph across files: the tier loads zod, luxon and core once per
          // worker instead of once per file (about 10 s instead of 50 s on this machine).
          isolate: false,
          // The property tests take seconds of CPU each; on a busy machine the 5 s default fails them
          // without anything being wrong. The tier's 60 s budget (scripts/test-unit-isolated) bounds speed.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: SOURCES.map((dir) => `${dir}/*.integration.test.ts`),
          // The statement-routing check (issue 15 item 5): every statement captured, judged at the end.
          globalSetup: [...buildsApi, './scripts/vitest-statement-routing.ts'],
          setupFiles: ['./scripts/vitest-statement-capture.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test-e2e/src/**/*.e2e.test.ts'],
          globalSetup: buildsApi,
        },
      },
    ],
  },
});
