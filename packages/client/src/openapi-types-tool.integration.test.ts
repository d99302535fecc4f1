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

  it("hoists a schema's $defs beside it, so an object without a `$defs` key is that schema", async () => {
    const withDefs = structuredClone(document) as typeof document & {
      components: { schemas: Record<string, object> };
    };
    withDefs.components.schemas.Rule = {
      type: 'object',
      required: ['when'],
      properties: { when: { $ref: '#/components/schemas/Rule/$defs/cond' } },
      $defs: {
        cond: { type: 'object', properties: { not: { $ref: '#/components/schemas/Rule/$defs/cond' } } },
      },
    };
    const types = squash(await runOpenapiTypescript(withDefs));
    expect(types).toContain('Rule: { when: components["schemas"]["Rule_cond"]; };');
    expect(types).toContain('Rule_cond: { not?: components["schemas"]["Rule_cond"]; };');
    expect(types).not.toContain('/$defs/');
  });

  it('refuses input that is not an OpenAPI document with a clear error', async () => {
    await expect(runOpenapiTypescript({ paths: {} })).rejects.toThrow(/not an OpenAPI document/);
  });
});
