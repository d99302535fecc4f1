import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import {
  configSecrets,
  LOG_REDACT_PATHS,
  lineScrubber,
  REDACTED,
  redactUrl,
  redactUrlsIn,
} from './redact.ts';

describe('redactUrl', () => {
  it('replaces the password and keeps the rest', () => {
    expect(redactUrl('postgres://app:s3cret@db.internal:5432/app?sslmode=require')).toBe(
      'postgres://app:***@db.internal:5432/app?sslmode=require',
    );
    expect(redactUrl('redis://:p%40ss@127.0.0.1:6379/0')).toBe('redis://:***@127.0.0.1:6379/0');
    expect(redactUrl('smtps://mailer:pw@smtp.example.com')).toBe('smtps://mailer:***@smtp.example.com');
  });

  it('leaves a URL without a password as it is', () => {
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBe(
      'postgres://postgres@127.0.0.1:5432/postgres',
    );
    expect(redactUrl('http://127.0.0.1:3000/v1')).toBe('http://127.0.0.1:3000/v1');
  });

  it('redacts what does not parse, textually', () => {
    expect(redactUrl('redis://:secretpw@host:notaport')).toBe('redis://:***@host:notaport');
  });
});

describe('redactUrlsIn', () => {
  it('redacts every connection string in a message, and nothing else', () => {
    const message =
      'connect to postgres://app:hunter22@db:5432/app failed; fallback redis://:r3d1s@cache:6379 also; see http://127.0.0.1:3000/docs';
    expect(redactUrlsIn(message)).toBe(
      'connect to postgres://app:***@db:5432/app failed; fallback redis://:***@cache:6379 also; see http://127.0.0.1:3000/docs',
    );
  });

  it('works inside a JSON log line', () => {
    const line = JSON.stringify({ msg: 'x', url: 'smtp://u:pass-word@mail:25' });
    expect(redactUrlsIn(line)).toBe(JSON.stringify({ msg: 'x', url: 'smtp://u:***@mail:25' }));
  });
});

describe('configSecrets and lineScrubber', () => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://app:db-pass%2Fword@db:5432/app',
    REDIS_URL: 'redis://:short@cache:6379',
    API_KEY: 'api-key-0123456789abcdef',
    UNSUBSCRIBE_SECRET: 'unsubscribe-secret-0123456789',
    POSTMARK_WEBHOOK_USER: 'hook',
    POSTMARK_WEBHOOK_PASSWORD: 'postmark-password',
  });

  it('lists every configured secret in its spellings, and no short value', () => {
    const secrets = configSecrets(config);
    expect(secrets).toEqual(
      expect.arrayContaining([
        'api-key-0123456789abcdef',
        'unsubscribe-secret-0123456789',
        'postmark-password',
        Buffer.from('hook:postmark-password').toString('base64'),
        'db-pass%2Fword',
        'db-pass/word',
      ]),
    );
    expect(secrets).not.toContain('short'); // under 8 characters: left to the URL rule
  });

  it('scrubs a secret wherever it appears in a line', () => {
    const scrub = lineScrubber(configSecrets(config));
    expect(scrub('{"msg":"key api-key-0123456789abcdef, db-pass/word"}')).toBe(
      `{"msg":"key ${REDACTED}, ${REDACTED}"}`,
    );
    expect(scrub('{"url":"redis://:short@cache:6379"}')).toBe('{"url":"redis://:***@cache:6379"}');
    expect(scrub('{"msg":"nothing here"}')).toBe('{"msg":"nothing here"}');
  });
});

describe('LOG_REDACT_PATHS on a pino logger', () => {
  it('removes credential headers of requests, responses and logged header bags, whatever their value', () => {
    const lines: string[] = [];
    const logger = pino(
      { redact: { paths: LOG_REDACT_PATHS, censor: REDACTED } },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    logger.info(
      {
        req: {
          headers: {
            authorization: 'Bearer anything-at-all',
            cookie: 'campaign_session=abc',
            'x-api-key': 'k',
            'svix-signature': 'v1,sig',
            'x-twilio-email-event-webhook-signature': 'sig',
            'content-type': 'application/json',
          },
        },
        res: { headers: { 'set-cookie': ['a=b', 'c=d'] } },
        headers: { authorization: 'Basic dXNlcjpwYXNz' },
      },
      'request completed',
    );
    const logged = JSON.parse(lines[0] ?? '{}');
    expect(logged.req.headers).toEqual({
      authorization: REDACTED,
      cookie: REDACTED,
      'x-api-key': REDACTED,
      'svix-signature': REDACTED,
      'x-twilio-email-event-webhook-signature': REDACTED,
      'content-type': 'application/json',
    });
    expect(logged.res.headers['set-cookie']).toBe(REDACTED);
    expect(logged.headers.authorization).toBe(REDACTED);
  });
});

describe('sender credentials from the environment', () => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://app@db:5432/app',
    REDIS_URL: 'redis://cache:6379',
    API_KEY: 'api-key-0123456789abcdef',
    UNSUBSCRIBE_SECRET: 'unsubscribe-secret-0123456789',
  });
  const env = {
    SENDER_SND_ACME_API_KEY: 'SG.sendgrid-key-0123456789',
    SENDER_SND_EU_AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE0123',
    SENDER_SND_EU_AWS_SECRET_ACCESS_KEY: 'aws-secret-0123456789abcdef',
    SENDER_SND_EU_MAILGUN_DOMAIN: 'mg.acme.example',
    SENDGRID_API_BASE_URL: 'http://127.0.0.1:9999',
  };

  it('lists every SENDER_<ID>_ credential value, and not the settings beside them', () => {
    const secrets = configSecrets(config, env);
    expect(secrets).toEqual(
      expect.arrayContaining([
        'SG.sendgrid-key-0123456789',
        'AKIAEXAMPLE0123',
        'aws-secret-0123456789abcdef',
      ]),
    );
    expect(secrets).not.toContain('mg.acme.example');
    expect(secrets).not.toContain('http://127.0.0.1:9999');
  });

  it('scrubs them from a log line (an SDK error that echoed the key)', () => {
    const scrub = lineScrubber(configSecrets(config, env));
    expect(scrub('{"err":"401 for key SG.sendgrid-key-0123456789"}')).toBe(
      `{"err":"401 for key ${REDACTED}"}`,
    );
  });
});
