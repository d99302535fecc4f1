import { describe, expect, it } from 'vitest';
import { createCampaignBody, parseBody } from './http/schemas.ts';
import { openApiDocument } from './openapi.ts';

/*
 * The OpenAPI document holds together (every `$ref` points at something, every path template's
 * parameter is declared) and describes the v1.1 timeline entries and contacts. Checked against
 * openapi-spec-validator by hand too; these are the faults it found, kept from coming back.
 */

const doc = openApiDocument('http://localhost:3000');

function resolve(pointer: string): unknown {
  let node: unknown = doc;
  for (const raw of pointer.replace(/^#\//, '').split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof node !== 'object' || node === null || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function refs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refs(item, found);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refs(value, found);
    }
  }
  return found;
}

type Schema = { required?: string[]; properties?: Record<string, { const?: unknown; enum?: unknown[] }> };

describe('the OpenAPI document', () => {
  it('regression (the plan`s #/$defs references pointed at the document root): every $ref resolves', () => {
    const all = refs(doc);
    expect(all.some((ref) => ref.startsWith('#/components/schemas/Plan/$defs/'))).toBe(true);
    expect(all.filter((ref) => resolve(ref) === undefined)).toEqual([]);
  });

  it('regression (/v1/unsubscribe/{token} did not declare token): every path template parameter is declared', () => {
    const paths = doc.paths as Record<
      string,
      Record<string, { parameters?: { name: string; in: string }[] }>
    >;
    const undeclared: string[] = [];
    for (const [path, item] of Object.entries(paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, operation] of Object.entries(item)) {
        if (method === 'parameters') continue;
        const declared = [
          ...((item.parameters as unknown as { name: string; in: string }[]) ?? []),
          ...(operation.parameters ?? []),
        ]
          .filter((p) => p.in === 'path')
          .map((p) => p.name);
        for (const name of names)
          if (!declared.includes(name ?? '')) undeclared.push(`${method} ${path} {${name}}`);
      }
    }
    expect(undeclared).toEqual([]);
  });

  it('describes the v1.1 timeline entries: skipped, the SMS send, inReplyTo and the split variant', () => {
    const entry = resolve('#/components/schemas/TimelineEntry') as { oneOf: Schema[] };
    const kindOf = (s: Schema) => s.properties?.kind?.const;
    const sends = entry.oneOf.filter((s) => kindOf(s) === 'send');
    expect(sends.map((s) => s.required)).toEqual([
      ['at', 'kind', 'node', 'message', 'dueAt', 'subject'],
      ['at', 'kind', 'node', 'message', 'dueAt', 'channel', 'text', 'segments'],
    ]);
    expect(Object.keys(sends[0]?.properties ?? {})).toContain('inReplyTo');
    const transition = entry.oneOf.find((s) => kindOf(s) === 'transition');
    expect(transition?.properties?.on?.enum).toEqual(expect.arrayContaining(['branch', 'split']));
    expect(Object.keys(transition?.properties ?? {})).toContain('variant');
    const skipped = entry.oneOf.find((s) => kindOf(s) === 'skipped');
    expect(skipped?.required).toEqual(['at', 'kind', 'node', 'dueAt', 'reason']);
    expect(
      resolve('#/paths/~1v1~1campaigns~1{id}/get/responses/200/content/application~1json/schema'),
    ).toEqual({
      $ref: '#/components/schemas/Campaign',
    });
  });

  it('a contact needs an email or a phone; both are properties of CreateCampaign`s contact', () => {
    const contact = resolve('#/components/schemas/CreateCampaign/properties/contact') as Schema & {
      anyOf: unknown;
    };
    expect(Object.keys(contact.properties ?? {})).toEqual(expect.arrayContaining(['id', 'email', 'phone']));
    expect(contact.anyOf).toEqual([{ required: ['email'] }, { required: ['phone'] }]);
  });
});

describe('POST /v1/campaigns body: contact id and phone', () => {
  const plan = { version: '1.1' };
  function issues(contact: unknown): unknown {
    try {
      parseBody(createCampaignBody, { contact, plan });
      return 'accepted';
    } catch (error) {
      return (error as { problem: { status: number; code: string; issues: unknown } }).problem;
    }
  }

  it('accepts a caller id with a phone in E.164 and no email', () => {
    expect(issues({ id: 'crm-42', phone: '+4915112345678' })).toBe('accepted');
  });

  it.each(['+49 151 12345678', '004915112345678', '+0151', '4915112345678', '+4915112345678901234'])(
    'refuses the phone %j with a 400 naming /contact/phone',
    (phone) => {
      expect(issues({ email: 'ada@example.com', phone })).toEqual(
        expect.objectContaining({
          status: 400,
          code: 'invalid_request',
          issues: [
            { path: '/contact/phone', message: expect.stringMatching(/^contact\.phone must be .*E\.164/) },
          ],
        }),
      );
    },
  );

  it('refuses a contact with neither email nor phone, naming the contact', () => {
    expect(issues({ id: 'crm-42', name: 'Ada' })).toEqual(
      expect.objectContaining({
        status: 400,
        issues: [{ path: '/contact', message: 'a contact needs an email or a phone (E.164)' }],
      }),
    );
  });
});
