import { describe, expect, it } from 'vitest';
import { decodeListCursor, encodeListCursor } from './campaign-list.ts';

describe('campaign list cursors', () => {
  it('round-trip a position', () => {
    const position = {
      createdAt: new Date('2026-01-05T10:00:00.123Z'),
      id: '0b9f5a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
    };
    expect(decodeListCursor(encodeListCursor(position))).toEqual(position);
  });

  it('is base64url of "<epoch ms>.<id>"', () => {
    const id = '0b9f5a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
    const cursor = Buffer.from(`1767607200000.${id}`).toString('base64url');
    expect(decodeListCursor(cursor)).toEqual({ createdAt: new Date('2026-01-05T10:00:00.000Z'), id });
  });

  it.each([
    ['', 'empty'],
    ['a b', 'not base64url'],
    [Buffer.from('1.not-a-uuid').toString('base64url'), 'no uuid'],
    [Buffer.from('01.0b9f5a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b').toString('base64url'), 'a leading zero'],
    [Buffer.from('-1.0b9f5a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b').toString('base64url'), 'a negative time'],
    [`${Buffer.from('1.0b9f5a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b').toString('base64url')}=`, 'padding'],
  ])('refuses %j (%s)', (cursor) => {
    expect(() => decodeListCursor(cursor)).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
  });
});
