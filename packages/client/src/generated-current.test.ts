import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderClientFiles } from '../scripts/render.ts';

/*
 * CI check that the checked-in document and types are current: the app's routes changed without
 * `pnpm --filter @campaign/client generate` and this fails (as `pnpm lint` does, by `generate --check`).
 */
describe('the generated client files', () => {
  it.each(Object.entries(renderClientFiles()))(
    '%s matches the API document built from the app code',
    (name, text) => {
      const checkedIn = readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');
      expect(checkedIn === text, `${name} is stale: run pnpm --filter @campaign/client generate`).toBe(true);
    },
  );

  it('holds the operations the CLI calls', () => {
    const schema = readFileSync(new URL('./schema.ts', import.meta.url), 'utf8');
    for (const id of ['createCampaign', 'getCampaign', 'postEvents']) expect(schema).toContain(`  ${id}: {`);
  });
});
