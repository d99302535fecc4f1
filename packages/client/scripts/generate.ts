/*
 * Builds the API's OpenAPI document from the app's own code (no server started), lints nothing, and
 * writes what the client is made of: `openapi.json` (the document) and `src/schema.ts` (its types, by
 * openapi-typescript, run from tools/openapi-types). `--check` writes nothing and exits 1 when either checked-in file is stale.
 *
 *   pnpm --filter @campaign/client generate          regenerate
 *   pnpm --filter @campaign/client generate --check  fail when stale (part of `pnpm lint`)
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderClientFiles } from './client-files.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const files = await renderClientFiles();
const check = process.argv.includes('--check');
let stale = 0;
for (const [name, text] of Object.entries(files)) {
  const path = `${root}${name}`;
  const current = await readFile(path, 'utf8').catch(() => '');
  if (current === text) continue;
  if (check) {
    process.stderr.write(`${name} is stale: run \`pnpm --filter @campaign/client generate\`\n`);
    stale++;
  } else {
    await writeFile(path, text);
    process.stdout.write(`wrote ${name}\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
