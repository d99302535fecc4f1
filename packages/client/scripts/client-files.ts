/*
 * The client's generated files: the API's OpenAPI document, built from the app's own code (no
 * server), and its TypeScript types, made by openapi-typescript itself. openapi-typescript needs the
 * TypeScript 5 compiler API and the workspace builds with TypeScript 7, so it lives in its own tool
 * package (tools/openapi-types, with TypeScript 5) and runs there in a child node process.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../../../apps/nest-service/src/openapi.ts';

/** The server URL the checked-in document names (the CLI's default, CAMPAIGN_API_URL). */
export const DOCUMENT_SERVER_URL = 'http://127.0.0.1:3000';

const TOOL = fileURLToPath(new URL('../../../tools/openapi-types/src/cli.ts', import.meta.url));

/** The TypeScript types of `document`, by tools/openapi-types (document on stdin, types on stdout). */
export function runOpenapiTypescript(document: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', TOOL], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else
        reject(new Error(`openapi-typescript failed (exit ${code}): ${Buffer.concat(err).toString('utf8')}`));
    });
    child.stdin.end(JSON.stringify(document));
  });
}

/**
 * The client's generated files, by path relative to the package: the document as JSON and its
 * TypeScript types. The same app code gives the same text.
 */
export async function renderClientFiles(): Promise<Record<string, string>> {
  const document = openApiDocument(DOCUMENT_SERVER_URL);
  return {
    'openapi.json': `${JSON.stringify(document, null, 2)}\n`,
    'src/schema.ts': await runOpenapiTypescript(document),
  };
}
