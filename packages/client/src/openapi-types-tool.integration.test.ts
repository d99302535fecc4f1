import { describe, expect, it } from 'vitest';
import { runOpenapiTypescript } from '../scripts/client-files.ts';

/*
 * The generate step's type emitter is openapi-typescript itself, run in tools/openapi-types (TypeScript
 * 5) by a child node process. A small document and the types it must give (written by hand from the
 * OpenAPI and openapi-typescript rules: required → no `?`, integer → number, type [x, null] → x | null).
 */
const document = {
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths: {
    '/things/{id}': {
      get: {
        operationId: 'getThing',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'ok',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
        },
      },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        required: ['id', 'kind'],
        properties: {
          id: { type: 'string' },
          kind: { type: 'string', enum: ['a', 'b'] },
          count: { type: ['integer', 'null'] },
        },
      },
    },
  },
};

const squash = (text: string) => text.replace(/\s+/g, ' ');

describe('tools/openapi-types (openapi-typescript)', () => {
  it('types a schema, an operation and its path parameter', async () => {
    const types = squash(await runOpenapiTypescript(document));
    expect(types).toContain(
      'Thing: { id: string; /** @enum {string} */ kind: "a" | "b"; count?: number | null; };',
    );
    expect(types).toContain('"/things/{id}": {');
    expect(types).toContain('get: operations["getThing"];');
    expect(types).toContain('path: { id: string; };');
    expect(types).toContain('"application/json": components["schemas"]["Thing"];');
  });

  it('refuses input that is not an OpenAPI document with a clear error', async () => {
    await expect(runOpenapiTypescript({ paths: {} })).rejects.toThrow(/not an OpenAPI document/);
  });
});
