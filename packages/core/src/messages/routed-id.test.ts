import { describe, expect, it } from 'vitest';
import { formatRoutedId, parseRoutedId, ROUTED_ID_PATTERN } from './routed-id.ts';

const ID = '0b5c7a2e-3f1d-4c8e-9a6b-2d4f6e8a0c1e';

describe('routed ids (DESIGN section 9)', () => {
  it('carry the contact id after the uuid, and read back both', () => {
    for (const contactId of ['c', 'crm.42', 'a~b_c-d.e.f', ID]) {
      const routed = formatRoutedId(ID, contactId);
      expect(routed).toBe(`${ID}.${contactId}`);
      expect(parseRoutedId(routed)).toEqual({ id: ID, contactId });
    }
    expect(parseRoutedId(ID)).toEqual({ id: ID });
    expect(parseRoutedId(ID.toUpperCase())).toEqual({ id: ID });
  });

  it('the OpenAPI pattern takes what parseRoutedId reads, and refuses what it refuses', () => {
    const pattern = new RegExp(ROUTED_ID_PATTERN);
    const read = [ID, `${ID}.crm.42`, `${ID}.a~b_c-d`];
    const refused = [
      '',
      'x',
      `${ID}.`,
      `${ID}..a`,
      `${ID}.a..b`,
      `${ID}.a b`,
      `${ID}.a@b`,
      `${ID}x`,
      `x${ID}`,
    ];
    for (const text of read)
      expect([text, pattern.test(text), parseRoutedId(text) !== undefined]).toEqual([text, true, true]);
    for (const text of refused)
      expect([text, pattern.test(text), parseRoutedId(text) !== undefined]).toEqual([text, false, false]);
  });

  it('refuses to make one of an id that is not a uuid or a contact id that is not a dot-atom', () => {
    expect(() => formatRoutedId('x', 'c')).toThrow(RangeError);
    expect(() => formatRoutedId(ID, 'a b')).toThrow(RangeError);
    expect(() => formatRoutedId(ID, 'c'.repeat(129))).toThrow(RangeError);
  });
});
