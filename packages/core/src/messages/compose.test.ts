import { describe, expect, it } from 'vitest';
import type { SendNode } from '../plan/plan-schema.ts';
import { MissingVariableError } from '../template/template-errors.ts';
import { composeMessage, MissingRecipientError, threadHeaders } from './compose.ts';

/* Threaded follow-ups and SMS sends as DESIGN section 10 writes them; expected values written by hand. */

const DOMAIN = 'mail.example';
const FIRST = '11111111-1111-4111-8111-111111111111';
const SECOND = '22222222-2222-4222-8222-222222222222';

const contact = {
  email: 'ada@example.com',
  name: 'Ada',
  phone: '+4915112345678',
  attributes: { company: 'Acme & Co' },
};

function send(fields: Partial<SendNode>): SendNode {
  return { id: 'n', action: 'send', transitions: [], ...fields } as SendNode;
}

describe('threadHeaders', () => {
  it('replies to a first email: In-Reply-To and References are its Message-ID as it went', () => {
    const sentWith = `<${FIRST}.crm-7@mail.example>`;
    expect(threadHeaders({ id: FIRST, references: null, messageIdHeader: sentWith }, DOMAIN)).toEqual({
      inReplyTo: FIRST,
      inReplyToHeader: sentWith,
      references: sentWith,
    });
  });

  it('an email sent before its Message-ID was recorded went as <uuid@domain>: that is what is replied to', () => {
    expect(threadHeaders({ id: FIRST, references: null, messageIdHeader: null }, DOMAIN)).toEqual({
      inReplyTo: FIRST,
      inReplyToHeader: `<${FIRST}@mail.example>`,
      references: `<${FIRST}@mail.example>`,
    });
  });

  it('continues the chain: the parent reply`s References, then the parent`s Message-ID', () => {
    const headers = threadHeaders(
      {
        id: SECOND,
        references: `<${FIRST}@mail.example>`,
        messageIdHeader: `<${SECOND}.crm-7@mail.example>`,
      },
      DOMAIN,
    );
    expect(headers.inReplyToHeader).toBe(`<${SECOND}.crm-7@mail.example>`);
    expect(headers.references).toBe(`<${FIRST}@mail.example> <${SECOND}.crm-7@mail.example>`);
  });
});

describe('composeMessage', () => {
  const parent = { id: FIRST, subject: 'Offer for Ada', references: null, messageIdHeader: null };

  it('a threaded node without a subject goes as "Re: " + the parent`s rendered subject, with reply headers', () => {
    const message = composeMessage(
      send({ thread: true, body: '<p>Any thoughts?</p>' }),
      contact,
      parent,
      DOMAIN,
    );
    expect(message).toEqual({
      channel: 'email',
      to: 'ada@example.com',
      subject: 'Re: Offer for Ada',
      body: '<p>Any thoughts?</p>',
      thread: {
        inReplyTo: FIRST,
        inReplyToHeader: `<${FIRST}@mail.example>`,
        references: `<${FIRST}@mail.example>`,
      },
    });
  });

  it('a threaded node with its own subject keeps it, and still replies in the thread', () => {
    const message = composeMessage(
      send({ thread: true, subject: 'Last note, {{name}}', body: 'b' }),
      contact,
      parent,
      DOMAIN,
    );
    expect(message.channel === 'email' && message.subject).toBe('Last note, Ada');
    expect(message.channel === 'email' && message.thread?.inReplyTo).toBe(FIRST);
  });

  it('thread is ignored when the campaign sent no email before', () => {
    const message = composeMessage(
      send({ thread: true, subject: 'Hello', body: 'b' }),
      contact,
      null,
      DOMAIN,
    );
    expect(message).toEqual({ channel: 'email', to: 'ada@example.com', subject: 'Hello', body: 'b' });
  });

  it('a node without thread is not a reply, even when an earlier email exists', () => {
    const message = composeMessage(send({ subject: 'Hello', body: 'b' }), contact, parent, DOMAIN);
    expect(message.channel === 'email' && message.thread).toBeUndefined();
  });

  it('an SMS renders its text without HTML escaping, to the phone, with its segment count', () => {
    const message = composeMessage(
      send({ channel: 'sms', text: 'Hi {{name}} at {{company}}' }),
      contact,
      parent,
      DOMAIN,
    );
    // "Hi Ada at Acme & Co": 19 GSM-7 characters, one part; '&' stays '&'.
    expect(message).toEqual({
      channel: 'sms',
      to: '+4915112345678',
      text: 'Hi Ada at Acme & Co',
      segments: 1,
    });
  });

  it('an SMS to a contact without a phone is refused with a clear error', () => {
    expect(() =>
      composeMessage(send({ channel: 'sms', text: 'Hi' }), { ...contact, phone: null }, null, DOMAIN),
    ).toThrow(MissingRecipientError);
  });

  it('an email to a contact without an email address is refused', () => {
    expect(() =>
      composeMessage(send({ subject: 's', body: 'b' }), { ...contact, email: null }, null, DOMAIN),
    ).toThrow(/no email address/);
  });

  it('an SMS with a variable the contact lacks and no default is a MissingVariableError', () => {
    expect(() =>
      composeMessage(send({ channel: 'sms', text: 'Hi {{plan}}' }), contact, null, DOMAIN),
    ).toThrow(MissingVariableError);
  });
});
