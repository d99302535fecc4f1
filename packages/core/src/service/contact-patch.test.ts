import { describe, expect, it } from 'vitest';
import type { ContactRecord } from '../ports/records.ts';
import { applyContactPatch, mergePatch } from './contact-patch.ts';

const contact: ContactRecord = {
  id: 'c1',
  email: 'ada@example.com',
  phone: null,
  idGiven: true,
  name: 'Ada',
  timezone: 'UTC',
  attributes: { firstName: 'Ada', tier: { level: 1, since: 2020 } },
  suppressedAt: null,
  suppressionReason: null,
};

describe('mergePatch (RFC 7396)', () => {
  // RFC 7396 Appendix A, every example as the RFC lists it: ORIGINAL, PATCH, RESULT.
  const examples: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(examples)('%j patched with %j is %j', (original, patch, result) => {
    expect(mergePatch(original, patch)).toEqual(result);
  });

  it('leaves the target unchanged', () => {
    const target = { a: { b: 1 } };
    mergePatch(target, { a: { b: null } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});

describe('applyContactPatch', () => {
  it('merges attributes member by member and names only the fields that changed', () => {
    const { fields, changed } = applyContactPatch(contact, {
      name: 'Ada',
      attributes: { tier: { level: 2 }, firstName: null },
    });
    expect(fields.attributes).toEqual({ tier: { level: 2, since: 2020 } });
    expect(changed).toEqual(['attributes']);
  });

  it('null removes name, zone and phone; attributes null empties them', () => {
    const { fields, changed } = applyContactPatch(
      { ...contact, phone: '+14155550123' },
      { name: null, timezone: null, phone: null, attributes: null },
    );
    expect(fields).toEqual({ name: null, timezone: null, phone: null, attributes: {} });
    expect(changed).toEqual(['name', 'timezone', 'phone', 'attributes']);
  });

  it('an equal value, in another key order, is no change', () => {
    expect(applyContactPatch(contact, { attributes: { tier: { since: 2020, level: 1 } } }).changed).toEqual(
      [],
    );
  });

  it.each([
    [[], 'invalid_contact'],
    ['x', 'invalid_contact'],
    [{ email: 'b@example.com' }, 'invalid_contact'],
    [{ name: 3 }, 'invalid_contact'],
    [{ attributes: 'x' }, 'invalid_contact'],
    [{ attributes: [1] }, 'invalid_contact'],
    [{ timezone: 'PST' }, 'invalid_timezone'],
    [{ timezone: '+02:00' }, 'invalid_timezone'],
    [{ phone: '+1 415 555 0123' }, 'invalid_phone'],
    [{ phone: '+10000000000' }, 'invalid_phone'],
  ])('refuses %j with %s', (body, code) => {
    expect(() => applyContactPatch(contact, body)).toThrow(expect.objectContaining({ code }));
  });

  it('refuses to leave a contact with neither an email nor a phone', () => {
    const smsOnly = { ...contact, email: null, phone: '+14155550123' };
    expect(() => applyContactPatch(smsOnly, { phone: null })).toThrow(
      expect.objectContaining({ code: 'missing_contact_address' }),
    );
  });
});
