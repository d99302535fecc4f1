import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { parsePayloadRetention } from './payload-retention.ts';

const base = { UNSUBSCRIBE_SECRET: 'a-shared-secret-of-16+' };

describe('EVENT_PAYLOAD_RETENTION', () => {
  it('reads weeks, days, hours, minutes and seconds', () => {
    expect(parsePayloadRetention('P30D')).toBe(30 * 24 * 3600 * 1000);
    expect(parsePayloadRetention('P4W')).toBe(28 * 24 * 3600 * 1000);
    expect(parsePayloadRetention('PT720H')).toBe(720 * 3600 * 1000);
    expect(parsePayloadRetention('P1DT12H30M15S')).toBe(((24 + 12) * 3600 + 30 * 60 + 15) * 1000);
  });

  it.each(['30d', 'P', 'PT', 'P1DT', 'P1Y', 'P1M', 'PT0S', '-P1D', 'P1.5D', ''])(
    'refuses %j naming the variable',
    (v) => {
      expect(() => parsePayloadRetention(v)).toThrow(/EVENT_PAYLOAD_RETENTION/);
    },
  );

  it('loadConfig: unset keeps payloads, a value is milliseconds, a bad value is a ConfigError naming it', () => {
    expect(loadConfig(base).eventPayloadRetentionMs).toBeUndefined();
    expect(loadConfig({ ...base, EVENT_PAYLOAD_RETENTION: 'P7D' }).eventPayloadRetentionMs).toBe(
      7 * 86_400_000,
    );
    expect(() => loadConfig({ ...base, EVENT_PAYLOAD_RETENTION: '7 days' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, EVENT_PAYLOAD_RETENTION: '7 days' })).toThrow(
      /EVENT_PAYLOAD_RETENTION/,
    );
  });
});
