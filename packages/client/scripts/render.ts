/*
 * The client's generated files from the API's OpenAPI document, built from the app's own code (no
 * server). The types follow openapi-typescript's output shape (`paths`, `operations`, `components`),
 * which openapi-fetch reads. openapi-typescript itself cannot run here: it needs TypeScript 5's
 * compiler API, and the workspace is on TypeScript 7, whose package has none; this emitter covers the
 * JSON Schema the document uses (types, enums, const, objects, arrays, unions, `$ref` and `$defs`).
 */
import { openApiDocument } from '../../../apps/nest-service/src/openapi.ts';

/** The server URL the checked-in document names (the CLI's default, CAMPAIGN_API_URL). */
export const DOCUMENT_SERVER_URL = 'http://127.0.0.1:3000';

type Schema = Record<string, unknown>;
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema; description?: string };
type Operation = {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

const key = (name: string) =>
  IDENTIFIER.test(name) || /^[1-9][0-9]*$/.test(name) ? name : JSON.stringify(name);
const comment = (text: unknown, indent: string) =>
  typeof text === 'string' && text !== ''
    ? `${indent}/** ${text.replaceAll('*/', '*\\/').replaceAll('\n', ' ')} */\n`
    : '';

/** `#/components/schemas/Plan/$defs/condition` → `components["schemas"]["Plan"]["$defs"]["condition"]`. */
function refType(ref: string): string {
  const parts = ref
    .replace(/^#\//, '')
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (i === 0) out = part;
    else if (part === 'properties' && i > 2) continue;
    else if (part === 'items' && i > 2) out += '[number]';
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Keys of a schema that constrain without giving a type (an `anyOf: [{required: [...]}]` member). */
const CONSTRAINT_ONLY = new Set(['required', 'not', 'description', 'minProperties', 'maxProperties']);
const isConstraint = (s: unknown) =>
  typeof s === 'object' && s !== null && Object.keys(s).every((k) => CONSTRAINT_ONLY.has(k));

function typeOf(schema: unknown, indent: string): string {
  if (schema === true || schema === undefined) return 'unknown';
  if (schema === false) return 'never';
  const s = schema as Schema;
  if (typeof s.$ref === 'string') return refType(s.$ref);
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ') || 'never';
  const parts: string[] = [];
  const base = baseType(s, indent);
  if (base !== undefined) parts.push(base);
  for (const union of ['anyOf', 'oneOf'] as const) {
    const members = (s[union] as unknown[] | undefined)?.filter((m) => !isConstraint(m));
    if (members && members.length > 0) parts.push(`(${members.map((m) => typeOf(m, indent)).join(' | ')})`);
  }
  for (const member of (s.allOf as unknown[] | undefined) ?? []) parts.push(typeOf(member, indent));
  return parts.length === 0 ? 'unknown' : parts.join(' & ');
}

function baseType(s: Schema, indent: string): string | undefined {
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
  if (types.length === 0 && (s.properties || s.$defs)) types.push('object');
  if (types.length === 0) return undefined;
  const one = (type: string): string => {
    switch (type) {
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'array':
        return `(${typeOf(s.items, indent)})[]`;
      case 'object':
        return objectType(s, indent);
      default:
        return 'unknown';
    }
  };
  return types.length === 1 ? one(types[0] as string) : `(${types.map(one).join(' | ')})`;
}

function objectType(s: Schema, indent: string): string {
  const inner = `${indent}  `;
  const required = new Set((s.required as string[] | undefined) ?? []);
  const props = Object.entries((s.properties as Record<string, Schema> | undefined) ?? {});
  const lines = props.map(
    ([name, prop]) =>
      `${comment(prop.description, inner)}${inner}${key(name)}${required.has(name) ? '' : '?'}: ${typeOf(prop, inner)};\n`,
  );
  const defs = Object.entries((s.$defs as Record<string, Schema> | undefined) ?? {});
  if (defs.length > 0)
    lines.push(
      `${inner}$defs: {\n${defs.map(([n, d]) => `${inner}  ${key(n)}: ${typeOf(d, `${inner}  `)};\n`).join('')}${inner}};\n`,
    );
  const extra = s.additionalProperties;
  if (extra !== false && (props.length === 0 || extra !== undefined))
    lines.push(
      `${inner}[key: string]: ${props.length === 0 && typeof extra === 'object' ? typeOf(extra, inner) : 'unknown'};\n`,
    );
  return lines.length === 0 ? 'Record<string, never>' : `{\n${lines.join('')}${indent}}`;
}

function parametersType(params: Parameter[], indent: string): string {
  const inner = `${indent}  `;
  const groups = ['query', 'header', 'path', 'cookie'].map((where) => {
    const mine = params.filter((p) => p.in === where);
    if (mine.length === 0) return `${inner}${where}?: never;\n`;
    const body = mine
      .map(
        (p) =>
          `${comment(p.description, `${inner}  `)}${inner}  ${key(p.name)}${p.required ? '' : '?'}: ${typeOf(p.schema, `${inner}  `)};\n`,
      )
      .join('');
    return `${inner}${where}${mine.some((p) => p.required) ? '' : '?'}: {\n${body}${inner}};\n`;
  });
  return `{\n${groups.join('')}${indent}}`;
}

function contentType(content: Record<string, { schema?: Schema }>, indent: string): string {
  const inner = `${indent}  `;
  const lines = Object.entries(content).map(
    ([media, { schema }]) => `${inner}${JSON.stringify(media)}: ${typeOf(schema, inner)};\n`,
  );
  return `{\n${lines.join('')}${indent}}`;
}

function operationType(op: Operation, shared: Parameter[]): string {
  const byName = new Map([...shared, ...(op.parameters ?? [])].map((p) => [`${p.in}:${p.name}`, p]));
  const lines = [`    parameters: ${parametersType([...byName.values()], '    ')};\n`];
  const body = op.requestBody;
  lines.push(
    body?.content
      ? `    requestBody${body.required ? '' : '?'}: {\n      content: ${contentType(body.content, '      ')};\n    };\n`
      : '    requestBody?: never;\n',
  );
  const responses = Object.entries(op.responses ?? {}).map(([status, r]) => {
    const content = r.content ? `content: ${contentType(r.content, '        ')};` : 'content?: never;';
    return `      ${key(status)}: {\n        headers: {\n          [name: string]: unknown;\n        };\n        ${content}\n      };\n`;
  });
  lines.push(`    responses: {\n${responses.join('')}    };\n`);
  return `{\n${lines.join('')}  }`;
}

/** The TypeScript types of an OpenAPI 3.1 document, in openapi-typescript's shape. */
export function renderTypes(doc: Record<string, unknown>): string {
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  const operations: string[] = [];
  const pathLines: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    const shared = (item.parameters as Parameter[] | undefined) ?? [];
    const methods: string[] = [];
    for (const method of METHODS) {
      const op = item[method] as Operation | undefined;
      if (!op) continue;
      operations.push(`  ${key(op.operationId)}: ${operationType(op, shared)};\n`);
      methods.push(`    ${method}: operations[${JSON.stringify(op.operationId)}];\n`);
    }
    pathLines.push(
      `  ${JSON.stringify(path)}: {\n    parameters: ${parametersType(shared, '    ')};\n${methods.join('')}  };\n`,
    );
  }
  const schemas = Object.entries(
    ((doc.components as { schemas?: Record<string, Schema> }).schemas ?? {}) as Record<string, Schema>,
  ).map(
    ([name, schema]) =>
      `${comment(schema.description, '    ')}    ${key(name)}: ${typeOf(schema, '    ')};\n`,
  );
  return [
    '/* Generated by `pnpm --filter @campaign/client generate` from the API OpenAPI document. Do not edit. */\n',
    `export interface paths {\n${pathLines.join('')}}\n`,
    `export interface components {\n  schemas: {\n${schemas.join('')}  };\n  responses: never;\n  parameters: never;\n  requestBodies: never;\n  headers: never;\n  pathItems: never;\n}\n`,
    `export interface operations {\n${operations.join('')}}\n`,
  ].join('\n');
}

/**
 * The client's generated files, by path relative to the package: the document as JSON and its
 * TypeScript types. Pure: the same app code gives the same text.
 */
export function renderClientFiles(): Record<string, string> {
  const document = openApiDocument(DOCUMENT_SERVER_URL);
  return {
    'openapi.json': `${JSON.stringify(document, null, 2)}\n`,
    'src/schema.ts': renderTypes(document),
  };
}
