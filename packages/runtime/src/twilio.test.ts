import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { configSecrets } from './redact.ts';
import { twilioSettings } from './twilio.ts';

const SID = `AC${'a'.repeat(32)}`;

describe('Twilio settings from the environment', () => {
  it('none set: undefined (SMS go to the log transport)', () => {
    expect(twilioSettings({})).toBeUndefined();
  });

  it('reads the four variables', () => {
    expect(
      twilioSettings({
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: 'token',
        TWILIO_FROM: '+15550001111',
        TWILIO_API_BASE_URL: 'http://127.0.0.1:4010',
      }),
    ).toEqual({
      accountSid: SID,
      authToken: 'token',
      from: '+15550001111',
      apiBaseUrl: 'http://127.0.0.1:4010',
    });
  });

  it.each([
    ['a SID without a token', { TWILIO_ACCOUNT_SID: SID }, /TWILIO_AUTH_TOKEN/],
    ['a base URL alone', { TWILIO_API_BASE_URL: 'http://127.0.0.1:4010' }, /TWILIO_ACCOUNT_SID/],
    ['a SID not AC + 32 hex', { TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: 't' }, /TWILIO_ACCOUNT_SID/],
    [
      'a FROM not E.164',
      { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '555-0100' },
      /TWILIO_FROM/,
    ],
    [
      'a base URL that is not http(s)',
      { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 't', TWILIO_API_BASE_URL: 'ftp://x' },
      /TWILIO_API_BASE_URL/,
    ],
  ])('%s is refused, naming the variable', (_, env, message) => {
    expect(() => twilioSettings(env)).toThrow(message);
  });

  it('loadConfig refuses an unusable Twilio setting with a ConfigError', () => {
    const base = { UNSUBSCRIBE_SECRET: 'u'.repeat(16), DATABASE_URL: 'postgres://127.0.0.1/x' };
    expect(loadConfig(base).twilio).toBeUndefined();
    expect(loadConfig({ ...base, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 't' }).twilio?.accountSid).toBe(
      SID,
    );
    expect(() => loadConfig({ ...base, TWILIO_ACCOUNT_SID: SID })).toThrow(/TWILIO_AUTH_TOKEN/);
    expect(() => loadConfig({ ...base, TWILIO_ACCOUNT_SID: SID })).toThrow(ConfigError);
  });

  it('the auth token and the Basic authorization made of it are secrets the logs never show', () => {
    const config = loadConfig({
      UNSUBSCRIBE_SECRET: 'u'.repeat(16),
      DATABASE_URL: 'postgres://127.0.0.1/x',
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'twilio-auth-token-123',
    });
    expect(configSecrets(config)).toEqual(
      expect.arrayContaining([
        'twilio-auth-token-123',
        Buffer.from(`${SID}:twilio-auth-token-123`).toString('base64'),
      ]),
    );
  });
});
