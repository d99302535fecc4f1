import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseInbound } from './parse.ts';

// Real messages, origins in fixtures/README.md. Every expected value was read off the fixture by hand.
const fixture = (name: string) => parseInbound(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));

describe('RFC 3464 delivery status notifications', () => {
  it('Postfix 5.1.1: hard bounce, the Original-Recipient over the rewritten Final-Recipient', async () => {
    const parsed = await fixture('postfix-dsn-5.1.1.eml');
    expect(parsed.classification).toEqual({
      kind: 'hard_bounce',
      event: 'bounced',
      autoReply: false,
      decidedBy: 'report-type=delivery-status; status 5.1.1',
      status: '5.1.1',
    });
    expect(parsed.originalRecipient).toBe('kijitora@example.org');
    expect(parsed.messageId).toBe('20130429234532.00000000000@p351355.pool.example.ne.jp');
    expect(parsed.from).toBe('mailer-daemon@p351355.pool.example.ne.jp');
    expect(parsed.to).toEqual(['shironeko@mx.example.jp']);
  });

  it('Postfix 4.1.1 (Action: failed but a 4.x.x status): soft bounce, no event, the original found', async () => {
    const parsed = await fixture('postfix-dsn-4.1.1.eml');
    expect(parsed.classification.kind).toBe('soft_bounce');
    expect(parsed.classification.event).toBeNull();
    expect(parsed.classification.status).toBe('4.1.1');
    expect(parsed.originalRecipient).toBe('kijitora@example.org');
    expect(parsed.refersTo).toEqual(['FFFFFFFF.0000000@example.co.jp']);
  });

  it('Exchange 2007 NDR is RFC 3464: 5.1.1 from its Status, recipient from Final-Recipient', async () => {
    const parsed = await fixture('exchange2007-dsn-5.1.1.eml');
    expect(parsed.classification.kind).toBe('hard_bounce');
    expect(parsed.classification.status).toBe('5.1.1');
    expect(parsed.originalRecipient).toBe('mikeneko@example.co.jp');
    expect(parsed.subject).toBe('Undeliverable: Nyaan');
  });

  it('Office 365 NDR with Auto-Submitted: the report decides (5.1.351), In-Reply-To is the original', async () => {
    const parsed = await fixture('office365-dsn-5.1.351.eml');
    expect(parsed.classification.decidedBy).toBe('report-type=delivery-status; status 5.1.351');
    expect(parsed.classification.event).toBe('bounced');
    expect(parsed.originalRecipient).toBe('otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp');
    expect(parsed.refersTo[0]).toBe(
      'SLXP216MB0381A8F03A83505296890D11A9950@SLXP216MB0381.KORP216.PROD.OUTLOOK.COM',
    );
  });

  it('Amazon SES: "Status: 5.0.0 (permanent failure)" is 5.0.0, the original Message-ID from the rfc822 part', async () => {
    const parsed = await fixture('amazonses-dsn-5.0.0.eml');
    expect(parsed.classification.kind).toBe('hard_bounce');
    expect(parsed.classification.status).toBe('5.0.0');
    expect(parsed.originalRecipient).toBe('shironeko@example.co.jp');
    expect(parsed.refersTo).toEqual([
      '000001321defbd2a-788e31c8-2be1-422f-a8d4-cf7765cc9ed7-000000@email.amazonses.com',
    ]);
  });
});

describe('non-standard bounces (no message/delivery-status part)', () => {
  it('Gmail (2014, X-Failed-Recipients + text): hard by the quoted "550 5.1.1"', async () => {
    const parsed = await fixture('gmail-bounce-5.1.1-nonstandard.eml');
    expect(parsed.classification).toEqual({
      kind: 'hard_bounce',
      event: 'bounced',
      autoReply: false,
      decidedBy: 'non-standard bounce (X-Failed-Recipients); status 5.1.1 in the text',
      status: '5.1.1',
    });
    expect(parsed.originalRecipient).toBe('userunknown@example.jp');
    expect(parsed.refersTo).toContain('D992C2C3-F175-4C4D-97E2-53A90E4E5BF5@gmail.com');
  });

  it('Gmail delay notice: soft (4.2.2), ignored', async () => {
    const parsed = await fixture('gmail-delay-4.2.2-nonstandard.eml');
    expect(parsed.classification.kind).toBe('soft_bounce');
    expect(parsed.classification.event).toBeNull();
    expect(parsed.classification.status).toBe('4.2.2');
  });

  it('qmail "failure notice": hard by the first "Remote host said: 550 5.1.1"', async () => {
    const parsed = await fixture('qmail-bounce-5.1.1.eml');
    expect(parsed.classification.decidedBy).toBe(
      'non-standard bounce (from mailer-daemon, subject: failure notice); status 5.1.1 in the text',
    );
    expect(parsed.classification.event).toBe('bounced');
  });

  it('Exim (carries Auto-Submitted: auto-replied): a bounce, not an auto-reply', async () => {
    const parsed = await fixture('exim-bounce-5.1.1.eml');
    expect(parsed.classification.kind).toBe('hard_bounce');
    expect(parsed.classification.status).toBe('5.1.1');
    expect(parsed.originalRecipient).toBe('kijitora@example.jp');
    expect(parsed.refersTo).toContain('E1X58pB-0004bW-2s@marutamachi.example.org');
  });

  it('Postfix bounce quoting only "said: 550" (no enhanced code): soft, ignored, and says why', async () => {
    const parsed = await fixture('postfix-bounce-no-status.eml');
    expect(parsed.classification).toEqual({
      kind: 'soft_bounce',
      event: null,
      autoReply: false,
      decidedBy:
        'non-standard bounce (from mailer-daemon, subject: undelivered mail returned to sender); no machine-readable status',
    });
    expect(parsed.refersTo).toContain('8EF96F3F-377B-4E4D-9F3C-54EE1924B2BA@mirror.example.ne.jp');
  });
});

describe('ARF, auto-replies and a genuine reply', () => {
  it('ARF abuse report: complaint', async () => {
    const parsed = await fixture('arf-abuse.eml');
    expect(parsed.classification).toEqual({
      kind: 'complaint',
      event: 'complained',
      autoReply: false,
      decidedBy: 'report-type=feedback-report; feedback-type=abuse',
    });
  });

  it('vacation reply with Auto-Submitted: auto-replied', async () => {
    const parsed = await fixture('autoreply-auto-submitted.eml');
    expect(parsed.classification).toEqual({
      kind: 'auto_reply',
      event: 'replied',
      autoReply: true,
      decidedBy: 'Auto-Submitted: auto-replied',
    });
  });

  it('Outlook "Automatic reply:" without RFC 3834 headers: decided by the subject', async () => {
    const parsed = await fixture('outlook-automatic-reply.eml');
    expect(parsed.classification.kind).toBe('auto_reply');
    expect(parsed.classification.decidedBy).toBe('subject: automatic reply');
  });

  it('Apple-style "Auto reply:" answers our message: In-Reply-To kept', async () => {
    const parsed = await fixture('autoreply-subject.eml');
    expect(parsed.classification.decidedBy).toBe('subject: auto reply');
    expect(parsed.refersTo).toEqual(['25203A4E-F90F-4A14-BF51-3E7B9D39BE8E@libsisimai.org']);
  });

  it('Thunderbird reply: genuine, In-Reply-To first then References newest first, no duplicates', async () => {
    const parsed = await fixture('thunderbird-reply.eml');
    expect(parsed).toEqual({
      messageId: '473FFE27.20003@xxx.org',
      from: 'xxxxxxxx@xxx.org',
      to: ['mikel@xxxx.net'],
      subject: 'Re: Test reply email',
      date: new Date('2007-11-18T08:56:07Z'),
      refersTo: ['348F04F142D69C21-291E56D292BC@xxxx.net', '473FF3B8.9020707@xxx.org'],
      originalRecipient: null,
      classification: { kind: 'reply', event: 'replied', autoReply: false, decidedBy: 'no automatic marker' },
    });
  });
});
