import { SmtpTransport } from '@campaign/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSink } from '../../../test-e2e/src/support/smtp-sink.ts';

/*
 * Issue 12: the SMTP transport sends `From:` the campaign's sender, else the MAIL_FROM default (what
 * every email went from before senders existed). A real SMTP server on loopback reads the header.
 */

describe('SMTP From: the campaign’s sender, else MAIL_FROM', () => {
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

  const email = (messageId: string) => ({
    messageId,
    messageIdHeader: `<${messageId}@engine.example>`,
    campaignId: 'c1',
    contactId: 'k1',
    to: 'lead@example.com',
    subject: messageId,
    html: '<p>Hi</p>',
    headers: {},
  });

  it('goes from the sender named on the request', async () => {
    await transport.send({
      ...email('with-sender'),
      sender: { id: 'snd_ada', from: 'Ada Lovelace <ada@acme.example>', transport: 'smtp' },
    });
    const [mail] = await sink.waitFor((m) => m.subject === 'with-sender');
    expect(mail?.raw.from?.value).toEqual([{ name: 'Ada Lovelace', address: 'ada@acme.example' }]);
  });

  it('goes from MAIL_FROM without a sender', async () => {
    await transport.send(email('no-sender'));
    const [mail] = await sink.waitFor((m) => m.subject === 'no-sender');
    expect(mail?.raw.from?.value).toEqual([{ name: 'Default', address: 'default@engine.example' }]);
  });
});
