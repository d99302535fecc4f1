import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { campaignRequestHash, canonicalJson } from './request-fingerprint.ts';

/* What an idempotency key is compared on (issue 9 item 5): one text per request, whatever its key order. */

describe('canonicalJson', () => {
  it('sorts the keys of every object, at every depth, and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it('two spellings of one object with their keys in another order give one text', () => {
    const one = { contact: { email: 'a@example.com', name: 'Ada' }, plan: { version: '1.0', nodes: [] } };
    const other = { plan: { nodes: [], version: '1.0' }, contact: { name: 'Ada', email: 'a@example.com' } };
    expect(canonicalJson(one)).toBe(canonicalJson(other));
  });

  it('arrays keep their order: a plan whose nodes are listed in another order is another plan', () => {
    expect(canonicalJson([1, 2])).toBe('[1,2]');
    expect(canonicalJson({ nodes: [{ id: 'a' }, { id: 'b' }] })).not.toBe(
      canonicalJson({ nodes: [{ id: 'b' }, { id: 'a' }] }),
    );
  });

  it('sorts by UTF-16 code units (RFC 8785): upper case before lower case, "é" after "z"', () => {
    expect(canonicalJson({ z: 1, é: 2, B: 3, a: 4 })).toBe('{"B":3,"a":4,"z":1,"é":2}');
  });

  it('an undefined member is left out and an undefined array item is null, as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('a "__proto__" key of parsed JSON stays a member and changes the text', () => {
    const parsed = JSON.parse('{"b":1,"__proto__":{"x":1}}');
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"x":1},"b":1}');
    expect(canonicalJson(parsed)).not.toBe(canonicalJson({ b: 1 }));
  });

  it('values with toJSON serialize as JSON.stringify serializes them', () => {
    expect(canonicalJson({ at: new Date('2026-01-05T10:00:00.000Z') })).toBe(
      '{"at":"2026-01-05T10:00:00.000Z"}',
    );
  });
});

describe('campaignRequestHash', () => {
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

  it('is SHA-256 of the canonical JSON of contact, plan and activate, without the key', () => {
    const request = {
      plan: { version: '1.0' },
      idempotencyKey: 'k1',
      contact: { email: 'a@example.com' },
      activate: false,
    };
    expect(campaignRequestHash(request)).toBe(
      sha256('{"activate":false,"contact":{"email":"a@example.com"},"plan":{"version":"1.0"}}'),
    );
  });

  it('does not depend on the key: the same request under another key hashes the same', () => {
    const request = { contact: { email: 'a@example.com' }, plan: { version: '1.0' } };
    expect(campaignRequestHash({ ...request, idempotencyKey: 'k1' })).toBe(
      campaignRequestHash({ ...request, idempotencyKey: 'k2' }),
    );
  });

  it('fills in no defaults: activate left out and activate true are different requests', () => {
    const request = { contact: { email: 'a@example.com' }, plan: { version: '1.0' }, idempotencyKey: 'k' };
    const activated = { ...request, activate: true };
    expect(campaignRequestHash(request)).not.toBe(campaignRequestHash(activated));
  });
});
