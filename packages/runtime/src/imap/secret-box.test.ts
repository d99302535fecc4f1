import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { configSecrets, LOG_REDACT_PATHS, lineScrubber } from '../redact.ts';
import { decryptSecret, encryptSecret, imapSecretKey } from './secret-box.ts';

const HEX = '0f'.repeat(32);

describe('IMAP password encryption (AES-256-GCM under IMAP_SECRET_KEY)', () => {
  it('round-trips, with a fresh IV each time, and the ciphertext does not hold the password', () => {
    const key = imapSecretKey({ IMAP_SECRET_KEY: HEX }) as Buffer;
    const a = encryptSecret(key, 'hunter2-password');
    const b = encryptSecret(key, 'hunter2-password');
    expect(a).not.toBe(b);
    expect(a.startsWith('v1:')).toBe(true);
    expect(a).not.toContain('hunter2');
    expect(decryptSecret(key, a)).toBe('hunter2-password');
  });

  it('a changed byte or another key is an error, never a wrong password', () => {
    const key = Buffer.from(HEX, 'hex');
    const stored = encryptSecret(key, 'secret');
    const raw = Buffer.from(stored.slice(3), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => decryptSecret(key, `v1:${raw.toString('base64')}`)).toThrow(/does not decrypt/);
    expect(() => decryptSecret(Buffer.from('10'.repeat(32), 'hex'), stored)).toThrow(/does not decrypt/);
    expect(() => decryptSecret(key, 'plain')).toThrow(/unknown format/);
  });

  it('IMAP_SECRET_KEY: 64 hex digits or 32 bytes of base64; anything else is refused naming it', () => {
    expect(imapSecretKey({})).toBeUndefined();
    expect(imapSecretKey({ IMAP_SECRET_KEY: HEX })?.length).toBe(32);
    expect(
      imapSecretKey({ IMAP_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') })?.equals(Buffer.alloc(32, 7)),
    ).toBe(true);
    for (const bad of ['short', '0f'.repeat(31), Buffer.alloc(16).toString('base64'), `${'0f'.repeat(32)}00`])
      expect(() => imapSecretKey({ IMAP_SECRET_KEY: bad }), bad).toThrow(/IMAP_SECRET_KEY/);
  });

  it('logs never show IMAP_SECRET_KEY nor a password field', () => {
    const env = { UNSUBSCRIBE_SECRET: 'unsubscribe-secret-0123456789', IMAP_SECRET_KEY: HEX };
    const scrub = lineScrubber(configSecrets(loadConfig(env), env));
    expect(scrub(`key=${HEX}`)).toBe('key=[redacted]');
    expect(LOG_REDACT_PATHS).toEqual(
      expect.arrayContaining(['imap.password', '*.imap.password', 'password']),
    );
  });
});
