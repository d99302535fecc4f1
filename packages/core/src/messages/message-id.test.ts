import { describe, expect, it } from 'vitest';
import { formatMessageIdHeader, legacyMessageIdHeader, messageIdFromHeader } from './message-id.ts';
import { parseRoutedId } from './routed-id.ts';

const id = '0b5c7a2e-3f1d-4c8e-9a6b-2d4f6e8a0c1e';

describe('our Message-ID', () => {
  it('carries the contact id and reads back both (DESIGN section 9)', () => {
    const header = formatMessageIdHeader(id, 'mail.example.com', 'crm.42~a_b-c');
    expect(header).toBe(`<${id}.crm.42~a_b-c@mail.example.com>`);
    const local = messageIdFromHeader(header);
    expect(parseRoutedId(local ?? '')).toEqual({ id, contactId: 'crm.42~a_b-c' });
  });

  it('still reads a Message-ID sent before it carried the contact: the message id alone', () => {
    const header = legacyMessageIdHeader(id, 'mail.example.com');
    expect(header).toBe(`<${id}@mail.example.com>`);
    expect(messageIdFromHeader(header)).toBe(id);
  });

  it('takes the header without angle brackets and in upper case (providers differ)', () => {
    expect(messageIdFromHeader(`${id}@campaign-engine.invalid`)).toBe(id);
    expect(messageIdFromHeader(`<${id.toUpperCase()}@x>`)).toBe(id);
    expect(messageIdFromHeader(`${id.toUpperCase()}.Contact-7@x`)).toBe(`${id}.Contact-7`);
  });

  it('refuses to make one for an id or a contact id that would not be a dot-atom', () => {
    expect(() => formatMessageIdHeader('not-a-uuid', 'x', 'c')).toThrow(RangeError);
    expect(() => formatMessageIdHeader(id, 'x', 'a@b')).toThrow(RangeError);
    expect(() => formatMessageIdHeader(id, 'x', 'a..b')).toThrow(RangeError);
  });

  it('is undefined for a header that is absent or not ours', () => {
    expect(messageIdFromHeader(undefined)).toBeUndefined();
    expect(messageIdFromHeader(null)).toBeUndefined();
    expect(messageIdFromHeader('')).toBeUndefined();
    expect(messageIdFromHeader('<CAF=abc123@mail.gmail.com>')).toBeUndefined();
    expect(messageIdFromHeader(`<${id}>`)).toBeUndefined();
    expect(messageIdFromHeader(`<x${id}@example.com>`)).toBeUndefined();
    expect(messageIdFromHeader(`<${id}x@example.com>`)).toBeUndefined();
    expect(messageIdFromHeader(`<${id}.@example.com>`)).toBeUndefined();
    expect(messageIdFromHeader(`<${id}.a..b@example.com>`)).toBeUndefined();
    expect(messageIdFromHeader(`<${id}.${'c'.repeat(129)}@example.com>`)).toBeUndefined();
  });
});
