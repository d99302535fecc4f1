/*
 * Reads an OpenAPI document (JSON) on stdin and writes its TypeScript types on stdout; exit 1 with one
 * stderr line when the input is not a document. packages/client's generate script spawns it:
 *
 *   node tools/openapi-types/src/cli.ts < packages/client/openapi.json > schema.ts
 */
import { text } from 'node:stream/consumers';
import { renderSchemaTypes } from './render-types.ts';

try {
  const input = await text(process.stdin);
  process.stdout.write(await renderSchemaTypes(JSON.parse(input)));
} catch (error) {
  process.stderr.write(`openapi-types: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
