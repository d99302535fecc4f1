import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InboundError } from './errors.ts';
import { parseInbound } from './parse.ts';
import { MAX_INBOUND_BYTES } from './types.ts';

const message = (headers: string[], body = 'Hello') =>
  [...headers, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n');
const base = ['From: Ana <Ana@Example.org>', 'To: sales@ours.example', 'Message-ID: <m1@example.org>'];
const classify = async (extra: string[], subject = 'Re: our offer') =>
  (await parseInbound(message([...base, `Subject: ${subject}`, ...extra]))).classification;

describe('classification rules (DESIGN section 14)', () => {
  it.each([
    ['Auto-Submitted: auto-replied', 'Auto-Submitted: auto-replied'],
    ['Auto-Submitted: Auto-Generated; owner-email="x@y.z"', 'Auto-Submitted: auto-generated'],
    ['X-Autoreply: yes', 'X-Autoreply: yes'],
    ['X-Autorespond: vacation', 'X-Autorespond: vacation'],
    ['Precedence: auto_reply', 'Precedence: auto_reply'],
    ['Precedence: bulk', 'Precedence: bulk'],
    ['Precedence: junk', 'Precedence: junk'],
  ])('header %s makes an auto-reply', async (header, decidedBy) => {
    expect(await classify([header])).toEqual({
      kind: 'auto_reply',
      event: 'replied',
      autoReply: true,
      decidedBy,
    });
  });

  it.each([
    ['Auto-Submitted: no'],
    ['X-Autoreply: no'],
    ['Precedence: list'],
    ['X-Auto-Response-Suppress: All'],
  ])('%s is no automatic marker', async (header) => {
    expect((await classify([header])).kind).toBe('reply');
  });

  it.each([
    ['Out of Office: back on Monday', 'out of office'],
    ['Automatic reply: our offer', 'automatic reply'],
    ['Autoreply', 'autoreply'],
    ['Abwesenheitsnotiz: Ihr Angebot', 'abwesenheitsnotiz'],
    ['Automatische Antwort: Ihr Angebot', 'automatische antwort'],
    ['Réponse automatique : votre offre', 'réponse automatique'],
    ['Absence : du 1er au 15 août', 'absence'],
    ['Respuesta automática: su oferta', 'respuesta automática'],
    ['Fuera de la oficina', 'fuera de la oficina'],
  ])('subject "%s" makes an auto-reply', async (subject, phrase) => {
    expect((await classify([], subject)).decidedBy).toBe(`subject: ${phrase}`);
  });

  it.each([
    ['Re: out of office next week?'],
    ['Absence of data in your report'],
    ['Automatically generated?'],
  ])('subject "%s" written by a person stays a reply', async (subject) => {
    expect((await classify([], subject)).kind).toBe('reply');
  });

  const report = (reportType: string, part: string) =>
    [
      ...base,
      'Subject: report',
      'Auto-Submitted: auto-generated',
      `Content-Type: multipart/report; report-type=${reportType}; boundary="b"`,
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'A report.',
      '--b',
      part,
      '--b--',
      '',
    ].join('\r\n');
  const dsnPart = (status: string) =>
    [
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.net',
      '',
      'Final-Recipient: rfc822; Bob@Example.net',
      'Action: failed',
      `Status: ${status}`,
      '',
    ].join('\r\n');

  it('a DSN recipient with 5.x.x is a hard bounce, before the Auto-Submitted marker', async () => {
    const parsed = await parseInbound(report('delivery-status', dsnPart('5.2.2')));
    expect(parsed.classification).toMatchObject({ kind: 'hard_bounce', event: 'bounced', status: '5.2.2' });
    expect(parsed.originalRecipient).toBe('bob@example.net');
  });

  it('a DSN with 4.x.x is a soft bounce: no event', async () => {
    expect((await parseInbound(report('delivery-status', dsnPart('4.4.7')))).classification).toMatchObject({
      kind: 'soft_bounce',
      event: null,
      status: '4.4.7',
    });
  });

  it('a DSN without Status takes the enhanced code of its Diagnostic-Code', async () => {
    const part = [
      'Content-Type: message/delivery-status',
      '',
      'Final-Recipient: rfc822; b@example.net',
      'Action: failed',
      'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
      '',
    ].join('\r\n');
    expect((await parseInbound(report('delivery-status', part))).classification.status).toBe('5.1.1');
  });

  it('an ARF report is a complaint even with Auto-Submitted; Original-Rcpt-To is the recipient', async () => {
    const part = [
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: abuse',
      'Version: 1',
      'Original-Rcpt-To: <Bob@Example.net>',
      '',
    ].join('\r\n');
    const parsed = await parseInbound(report('feedback-report', part));
    expect(parsed.classification).toEqual({
      kind: 'complaint',
      event: 'complained',
      autoReply: false,
      decidedBy: 'report-type=feedback-report; feedback-type=abuse',
    });
    expect(parsed.originalRecipient).toBe('bob@example.net');
  });

  it('a read receipt (report-type=disposition-notification) is automatic, not genuine', async () => {
    const part = [
      'Content-Type: message/disposition-notification',
      '',
      'Disposition: manual-action/MDN-sent-manually; displayed',
      '',
    ].join('\r\n');
    expect((await parseInbound(report('disposition-notification', part))).classification.decidedBy).toBe(
      'report-type=disposition-notification',
    );
  });

  it('the embedded original Message-ID (text/rfc822-headers) comes after References', async () => {
    const part = [
      'Content-Type: text/rfc822-headers',
      '',
      'From: sales@ours.example',
      'Message-ID: <ours-1@ours.example>',
      '',
    ].join('\r\n');
    const raw = report('delivery-status', `${dsnPart('5.1.1')}--b\r\n${part}`).replace(
      'Subject: report',
      'Subject: report\r\nReferences: <a@x> <b@x>',
    );
    expect((await parseInbound(raw)).refersTo).toEqual(['b@x', 'a@x', 'ours-1@ours.example']);
  });
});

describe('parsing', () => {
  it('without Message-ID the id is sha256 of the raw bytes', async () => {
    const raw = message(['From: a@example.org', 'Subject: hi']);
    const expected = createHash('sha256').update(Buffer.from(raw, 'utf8')).digest('hex');
    expect((await parseInbound(raw)).messageId).toBe(`sha256:${expected}`);
  });

  it('To and Cc are lower-cased and de-duplicated; an unreadable Date is null, not now', async () => {
    const parsed = await parseInbound(
      message([
        'From: a@example.org',
        'To: X@Ours.example, y@ours.example',
        'Cc: x@ours.example, Z@z.example',
        'Date: yesterday-ish',
      ]),
    );
    expect(parsed.to).toEqual(['x@ours.example', 'y@ours.example', 'z@z.example']);
    expect(parsed.date).toBeNull();
  });

  it.each([
    ['', 'malformed_mime'],
    ['   \r\n\r\n', 'malformed_mime'],
    ['just some text\r\nwith lines\r\n', 'malformed_mime'],
    ['Subject: no sender\r\n\r\nbody', 'malformed_mime'],
  ])('refuses %j with %s', async (raw, code) => {
    await expect(parseInbound(raw)).rejects.toMatchObject({ name: 'InboundError', code });
  });

  it('refuses one byte over 25 MiB as message_too_large, and reads exactly 25 MiB', async () => {
    const head = Buffer.from('From: a@example.org\r\nSubject: big\r\n\r\n');
    const exact = Buffer.concat([head, Buffer.alloc(MAX_INBOUND_BYTES - head.length, 0x61)]);
    expect((await parseInbound(exact)).from).toBe('a@example.org');
    await expect(parseInbound(Buffer.concat([exact, Buffer.from('a')]))).rejects.toMatchObject({
      code: 'message_too_large',
    });
  });

  it('never throws anything but InboundError on arbitrary bytes (and header-shaped junk)', async () => {
    const headerish = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            'From: a@b.c',
            'Content-Type: multipart/report; report-type=delivery-status; boundary=b',
            '--b',
            '--b--',
            'Content-Type: message/delivery-status',
            'Status: 5.1.1',
            'Content-Type: message/rfc822',
            'Content-Transfer-Encoding: base64',
            '',
            'Message-ID: <',
            'References: <<>>',
          ),
          fc.string({ maxLength: 40 }),
        ),
        { maxLength: 30 },
      )
      .map((lines) => Buffer.from(lines.join('\r\n')));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
          headerish,
        ),
        async (raw) => {
          try {
            await parseInbound(raw);
          } catch (error) {
            expect(error).toBeInstanceOf(InboundError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
