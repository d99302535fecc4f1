import { describe, expect, it } from 'vitest';
import { formatMessageIdHeader, messageIdFromHeader } from './message-id.ts';

const id = '0b5c7a2e-3f1d-4c8e-9a6b-2d4f6e8a0c1e';

describe('our Message-ID', () => {
  it('reads back the id it was made from', () => {
    const header = formatMessageIdHeader(id, 'mail.example.com');
    expect(header).toBe(`<${id}@mail.example.com>`);
    expect(messageIdFromHeader(header)).toBe(id);
  });

  it('takes the header without angle brackets and in upper case (providers differ)', () => {
    expect(messageIdFromHeader(`${id}@campaign-engine.invalid`)).toBe(id);
    expect(messageIdFromHeader(`<${id.toUpperCase()}@x>`)).toBe(id.toUpperCase());
  });

  it('is undefined for a header that is absent or not ours', () => {
    expect(messageIdFromHeader(undefined)).toBeUndefined();
    expect(messageIdFromHeader(null)).toBeUndefined();
    expect(messageIdFromHeader('')).toBeUndefined();
    expect(messageIdFromHeader('<CAF=abc123@mail.gmail.com>')).toBeUndefined();
    expect(messageIdFromHeader(`<${id}>`)).toBeUndefined();
    expect(messageIdFromHeader(`<x${id}@example.com>`)).toBeUndefined();
  });
});
