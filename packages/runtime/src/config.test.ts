import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const base = { UNSUBSCRIBE_SECRET: 'u'.repeat(16), DATABASE_URL: 'postgres://127.0.0.1/x' };

describe('SES_SNS_REQUIRE_SIGNATURE_V2', () => {
  it('defaults to false (SNS signs with version 1 unless the topic is changed); 1/true require version 2', () => {
    expect(loadConfig(base).webhooks.sesRequireSignatureV2).toBe(false);
    expect(loadConfig({ ...base, SES_SNS_REQUIRE_SIGNATURE_V2: '' }).webhooks.sesRequireSignatureV2).toBe(
      false,
    );
    for (const value of ['1', 'true'])
      expect(
        loadConfig({ ...base, SES_SNS_REQUIRE_SIGNATURE_V2: value }).webhooks.sesRequireSignatureV2,
      ).toBe(true);
    for (const value of ['0', 'false'])
      expect(
        loadConfig({ ...base, SES_SNS_REQUIRE_SIGNATURE_V2: value }).webhooks.sesRequireSignatureV2,
      ).toBe(false);
  });

  it('any other value is a ConfigError naming the variable', () => {
    expect(() => loadConfig({ ...base, SES_SNS_REQUIRE_SIGNATURE_V2: 'yes' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, SES_SNS_REQUIRE_SIGNATURE_V2: 'yes' })).toThrow(
      /SES_SNS_REQUIRE_SIGNATURE_V2/,
    );
  });
});

describe('DATABASE_PREPARED_STATEMENTS', () => {
  it('is on by default (and when empty); 0/false turn it off, 1/true keep it', () => {
    expect(loadConfig(base).databasePreparedStatements).toBe(true);
    expect(loadConfig({ ...base, DATABASE_PREPARED_STATEMENTS: '' }).databasePreparedStatements).toBe(true);
    for (const value of ['1', 'true'])
      expect(loadConfig({ ...base, DATABASE_PREPARED_STATEMENTS: value }).databasePreparedStatements).toBe(
        true,
      );
    for (const value of ['0', 'false'])
      expect(loadConfig({ ...base, DATABASE_PREPARED_STATEMENTS: value }).databasePreparedStatements).toBe(
        false,
      );
  });

  it('any other value is a ConfigError naming the variable', () => {
    expect(() => loadConfig({ ...base, DATABASE_PREPARED_STATEMENTS: 'off' })).toThrow(
      /DATABASE_PREPARED_STATEMENTS/,
    );
  });
});

describe('EXECUTION_MODE', () => {
  it('is live by default and shadow when asked', () => {
    expect(loadConfig(base).executionMode).toBe('live');
    expect(loadConfig({ ...base, EXECUTION_MODE: 'shadow' }).executionMode).toBe('shadow');
  });

  it('anything else is a ConfigError naming the variable, never a silent live', () => {
    expect(() => loadConfig({ ...base, EXECUTION_MODE: 'dry-run' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, EXECUTION_MODE: 'dry-run' })).toThrow(/EXECUTION_MODE/);
  });
});

describe('CONTACT_FREQUENCY_CAP', () => {
  it('is absent by default and parsed as N/duration', () => {
    expect(loadConfig(base).contactFrequencyCap).toBeUndefined();
    expect(loadConfig({ ...base, CONTACT_FREQUENCY_CAP: '2/P7D' }).contactFrequencyCap).toEqual({
      count: 2,
      window: 'P7D',
    });
  });

  it.each(['2', '0/P7D', '2/7D', 'x/P1D'])('%j is a ConfigError naming the variable', (value) => {
    expect(() => loadConfig({ ...base, CONTACT_FREQUENCY_CAP: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, CONTACT_FREQUENCY_CAP: value })).toThrow(/CONTACT_FREQUENCY_CAP/);
  });
});
