import { SmtpTransport } from '@campaign/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSink } from '../../../test-e2e/src/support/smtp-sink.ts';

/*
 * Issue 12: every email goes as multipart/alternative with a plain-text part derived from its HTML
 * (HTML-only mail is scored as spam more often). A real SMTP server on loopback receives the message;
 * mailparser reads both parts back.
 */

describe('SMTP: multipart/alternative with a plain-text part', () => {
  const sink = new SmtpSink();
  let transport: SmtpTransport;

  beforeAll(async () => {
    const url = await sink.listen();
    transport = new SmtpTransport({ url, from: 'Default <default@engine.example>' });
  });
  afterAll(async () => {
    transport.close();
    await sink.close();
  });

  it('sends the HTML and its plain text, the text with link targets kept and no markup', async () => {
    const html =
      '<h1>Welcome</h1><p>Hi <b>Ada</b>,</p><p>read <a href="https://acme.example/guide">the guide</a>.</p><img src="https://acme.example/pixel.gif">';
    await transport.send({
      messageId: 'plain-text-1',
      messageIdHeader: '<plain-text-1@engine.example>',
      campaignId: 'c1',
      contactId: 'k1',
      to: 'lead@example.com',
      subject: 'plain-text-1',
      html,
      headers: {},
    });
    const [mail] = await sink.waitFor((m) => m.subject === 'plain-text-1');
    if (!mail) throw new Error('no mail');
    expect(
      String(
        mail.raw.headers.get('content-type') &&
          (mail.raw.headers.get('content-type') as { value: string }).value,
      ),
    ).toBe('multipart/alternative');
    expect(mail.raw.html).toBe(html);
    // By hand: html-to-text upper-cases an h1, keeps a link's target in brackets, skips the image.
    expect(mail.raw.text?.trim()).toBe('WELCOME\n\nHi Ada,\n\nread the guide [https://acme.example/guide].');
  });
});
