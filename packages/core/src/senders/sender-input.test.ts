import { describe, expect, it } from 'vitest';
import type { Sender } from './sender.ts';
import type { SenderIssue } from './sender-errors.ts';
import { InvalidSenderError } from './sender-errors.ts';
import { newSenderFromBody, senderPatchFromBody } from './sender-input.ts';

const AT = new Date('2026-03-02T10:00:00.000Z');
const valid = {
  channel: 'email',
  from: 'Ada <ada@acme.example>',
  timezone: 'Europe/Berlin',
  caps: { daily: 100 },
};

function issuesOf(run: () => unknown): SenderIssue[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidSenderError) return [...error.issues];
    throw error;
  }
  throw new Error('expected InvalidSenderError');
}
const paths = (body: unknown) =>
  issuesOf(() => newSenderFromBody(body, () => 'snd_x', AT)).map((i) => i.path);

describe('newSenderFromBody', () => {
  it('takes a valid email sender with defaults: generated id, enabled, smtp, no warm-up', () => {
    expect(newSenderFromBody(valid, () => 'snd_gen', AT)).toEqual({
      id: 'snd_gen',
      channel: 'email',
      from: 'Ada <ada@acme.example>',
      timezone: 'Europe/Berlin',
      caps: { daily: 100 },
      warmup: null,
      enabled: true,
      transport: 'smtp',
      createdAt: AT,
    });
  });

  it('takes a bare address, an SMS sender in E.164 (default transport twilio), all caps and a warm-up', () => {
    const quoted = '"Lovelace, Ada" <ada@acme.example>';
    expect(newSenderFromBody({ ...valid, from: quoted }, () => 'a', AT).from).toBe(quoted);
    expect(newSenderFromBody({ ...valid, from: 'ada@acme.example' }, () => 'a', AT).from).toBe(
      'ada@acme.example',
    );
    const sms = newSenderFromBody(
      {
        id: 'sms-1',
        channel: 'sms',
        from: '+15550001111',
        timezone: 'America/New_York',
        caps: { daily: 500, hourly: 60, minGap: 'PT0.05S' },
        warmup: { start: 50, days: 366 },
        enabled: false,
      },
      () => 'unused',
      AT,
    );
    expect(sms).toMatchObject({
      id: 'sms-1',
      transport: 'twilio',
      caps: { daily: 500, hourly: 60, minGap: 'PT0.05S' },
      warmup: { start: 50, days: 366 },
      enabled: false,
    });
  });

  it.each([
    ['a daily cap of 0', { ...valid, caps: { daily: 0 } }, '/caps/daily'],
    ['a negative daily cap', { ...valid, caps: { daily: -5 } }, '/caps/daily'],
    ['a fractional daily cap', { ...valid, caps: { daily: 2.5 } }, '/caps/daily'],
    ['a daily cap as text', { ...valid, caps: { daily: '100' } }, '/caps/daily'],
    ['an hourly cap of 0', { ...valid, caps: { daily: 10, hourly: 0 } }, '/caps/hourly'],
    ['a minGap that is no duration', { ...valid, caps: { daily: 10, minGap: '30s' } }, '/caps/minGap'],
    ['a zero minGap', { ...valid, caps: { daily: 10, minGap: 'PT0S' } }, '/caps/minGap'],
    ['an unknown zone', { ...valid, timezone: 'Mars/Olympus' }, '/timezone'],
    ['a zone abbreviation', { ...valid, timezone: 'PST' }, '/timezone'],
    ['a from that is not an address', { ...valid, from: 'Ada Lovelace' }, '/from'],
    ['a named from without an address', { ...valid, from: 'Ada <ada>' }, '/from'],
    [
      'an unquoted display name with a comma',
      { ...valid, from: 'Lovelace, Ada <ada@acme.example>' },
      '/from',
    ],
    ['an SMS from not in E.164', { ...valid, channel: 'sms', from: '555-0001111' }, '/from'],
    ['an SMS from that is an email', { ...valid, channel: 'sms', from: 'ada@acme.example' }, '/from'],
    ['a warm-up of 367 days', { ...valid, warmup: { start: 10, days: 367 } }, '/warmup/days'],
    ['a warm-up of 0 days', { ...valid, warmup: { start: 10, days: 0 } }, '/warmup/days'],
    ['a warm-up starting at 0', { ...valid, warmup: { start: 0, days: 10 } }, '/warmup/start'],
    ['a warm-up starting above daily', { ...valid, warmup: { start: 200, days: 10 } }, '/warmup/start'],
    ['an unknown transport', { ...valid, transport: 'pigeon' }, '/transport'],
    ['an SMS transport on an email sender', { ...valid, transport: 'twilio' }, '/transport'],
    [
      'an email transport on an SMS sender',
      { ...valid, channel: 'sms', from: '+15550001111', transport: 'ses' },
      '/transport',
    ],
    ['an unknown channel', { ...valid, channel: 'fax' }, '/channel'],
    ['an unknown field', { ...valid, owner: 'x' }, ''],
    ['an id with a space', { ...valid, id: 'a b' }, '/id'],
    ['no caps', { channel: 'email', from: 'a@b.example', timezone: 'UTC' }, '/caps'],
  ])('refuses %s', (_name, body, path) => {
    expect(paths(body)).toContain(path);
  });

  it('lists every problem at once', () => {
    expect(paths({ ...valid, from: 'nobody', timezone: 'Nowhere/City', transport: 'pigeon' }).sort()).toEqual(
      ['/from', '/timezone', '/transport'],
    );
  });
});

describe('senderPatchFromBody', () => {
  const current: Sender = {
    id: 'snd_a',
    channel: 'email',
    from: 'a@acme.example',
    timezone: 'UTC',
    caps: { daily: 100, hourly: 20, minGap: 'PT1S' },
    warmup: { start: 10, days: 10 },
    enabled: false,
    transport: 'smtp',
    createdAt: AT,
    pausedAt: AT,
    pausedReason: 'complaint_rate',
    health: null,
  };

  it('merges caps (null clears one) and clears the warm-up with null', () => {
    expect(senderPatchFromBody({ caps: { daily: 50, minGap: null }, warmup: null }, current)).toEqual({
      caps: { daily: 50, hourly: 20 },
      warmup: null,
    });
  });

  it('enabled: true also lifts an automatic pause; enabled: false does not touch it', () => {
    expect(senderPatchFromBody({ enabled: true }, current)).toEqual({
      enabled: true,
      pausedAt: null,
      pausedReason: null,
    });
    expect(senderPatchFromBody({ enabled: false }, current)).toEqual({ enabled: false });
  });

  it('refuses a change of channel or id, and checks the patched sender as a whole', () => {
    expect(issuesOf(() => senderPatchFromBody({ channel: 'sms' }, current)).map((i) => i.path)).toEqual(['']);
    expect(issuesOf(() => senderPatchFromBody({ id: 'other' }, current)).map((i) => i.path)).toEqual(['']);
    // A daily cap below the warm-up start it keeps.
    expect(
      issuesOf(() => senderPatchFromBody({ caps: { daily: 5, hourly: null } }, current)).map((i) => i.path),
    ).toEqual(['/warmup/start']);
    expect(issuesOf(() => senderPatchFromBody({ transport: 'twilio' }, current)).map((i) => i.path)).toEqual([
      '/transport',
    ]);
    expect(issuesOf(() => senderPatchFromBody({ caps: { daily: 0 } }, current)).map((i) => i.path)).toEqual([
      '/caps/daily',
    ]);
  });
});
