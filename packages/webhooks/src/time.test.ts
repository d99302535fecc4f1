import { describe, expect, it } from 'vitest';
import { WebhookVerificationError } from './errors.ts';
import { assertFresh, dateFromEpochSeconds, parseEpochSecondsText, parseIsoDateTime } from './time.ts';

describe('parseIsoDateTime', () => {
  it.each([
    ['2026-03-06T16:33:54.9070259Z', '2026-03-06T16:33:54.907Z'],
    ['2026-03-06T13:28:10.2735393-04:00', '2026-03-06T17:28:10.273Z'],
    ['2026-03-06 16:59:11.894719+00', '2026-03-06T16:59:11.894Z'],
    ['2026-03-06T16:59:11+0530', '2026-03-06T11:29:11.000Z'],
    ['2012-04-26T20:45:04.751Z', '2012-04-26T20:45:04.751Z'],
    ['2024-02-29T00:00:00z', '2024-02-29T00:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseIsoDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2026-03-06T16:33:54',
    '2026-03-06',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-03-06T24:00:00Z',
    '2026-03-06T16:33:54+25:00',
    '06/03/2026 16:33',
    '1772816400',
    '',
  ])('refuses %j', (text) => {
    expect(parseIsoDateTime(text)).toBeNull();
  });
});

describe('epoch seconds', () => {
  it('reads integer and fractional seconds', () => {
    expect(dateFromEpochSeconds(1772816405)?.toISOString()).toBe('2026-03-06T17:00:05.000Z');
    expect(dateFromEpochSeconds(1770146431.6585283)?.toISOString()).toBe('2026-02-03T19:20:31.659Z');
  });

  it.each([['1772816405'], [-1], [Number.NaN], [1e13], [null], [undefined]])('refuses %j', (value) => {
    expect(dateFromEpochSeconds(value)).toBeNull();
  });

  it('reads only plain digits as a signature timestamp', () => {
    expect(parseEpochSecondsText('1772816405')).toBe(1772816405);
    for (const text of ['1.5', '-1', '1e9', ' 17', '0x10', '9999999999999']) {
      expect(parseEpochSecondsText(text), text).toBeNull();
    }
  });
});

describe('assertFresh', () => {
  const now = new Date('2026-03-06T17:00:00.000Z');

  it('accepts the window edges and refuses beyond them, both ways', () => {
    expect(() => assertFresh(now.getTime() - 300_000, now, 300)).not.toThrow();
    expect(() => assertFresh(now.getTime() + 300_000, now, 300)).not.toThrow();
    for (const offset of [-300_001, 300_001]) {
      try {
        assertFresh(now.getTime() + offset, now, 300);
        expect.unreachable(`offset ${offset} passed`);
      } catch (error) {
        expect(error).toBeInstanceOf(WebhookVerificationError);
        expect(error).toMatchObject({ status: 401, code: 'stale_timestamp' });
      }
    }
  });
});
