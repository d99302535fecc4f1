import { describe, expect, it } from 'vitest';
import { InvalidTimelineCursorError } from '../errors.ts';
import { decodeTimelineCursor, encodeTimelineCursor } from './timeline-cursor.ts';

const campaign = '5f0c6f7e-8b1a-4c2d-9e3f-0a1b2c3d4e5f';
const other = '00000000-0000-4000-8000-000000000000';

describe('timeline cursors', () => {
  it('round-trip a position, and name nothing a client could read at a glance', () => {
    const cursor = encodeTimelineCursor(campaign, { seq: '9223372036854775807', index: 1 });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('922337');
    expect(decodeTimelineCursor(campaign, cursor)).toEqual({ seq: '9223372036854775807', index: 1 });
    expect(decodeTimelineCursor(campaign.toUpperCase(), cursor)).toEqual({
      seq: '9223372036854775807',
      index: 1,
    });
  });

  it("refuse another campaign's cursor", () => {
    const cursor = encodeTimelineCursor(other, { seq: '12', index: 0 });
    expect(() => decodeTimelineCursor(campaign, cursor)).toThrow(/another campaign/);
  });

  it('refuse malformed cursors with the invalid_cursor code', () => {
    const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
    const canonical = encodeTimelineCursor(campaign, { seq: '12', index: 0 });
    for (const bad of [
      '',
      'not a cursor!',
      `${canonical}=`, // padding: not the one spelling
      encode(`${campaign}.12`),
      encode(`${campaign}.012.0`),
      encode(`${campaign}.-1.0`),
      encode(`${campaign}.9223372036854775808.0`), // past a bigint
      encode(`${campaign}.12.100`),
      encode(`${campaign}.12.0.extra`),
      'x'.repeat(300),
    ]) {
      expect(() => decodeTimelineCursor(campaign, bad), bad).toThrow(InvalidTimelineCursorError);
    }
    expect(() => decodeTimelineCursor(campaign, 'not a cursor!')).toThrow(
      expect.objectContaining({ code: 'invalid_cursor' }),
    );
  });
});
