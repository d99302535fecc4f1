import { echoHeaders, type OutboundEmail, type Transport, TransportError } from '@campaign/core';
import { describe, expect, it } from 'vitest';
import { senderEnvName } from './credentials.ts';
import { emailParts } from './email-parts.ts';
import { credentialVariables, ProviderTransports } from './provider-transports.ts';

class Recording implements Transport {
  readonly sent: OutboundEmail[] = [];
  private readonly id: string;
  constructor(id: string) {
    this.id = id;
  }
  async send(email: OutboundEmail) {
    this.sent.push(email);
    return { providerMessageId: this.id };
  }
}

const email = (sender?: OutboundEmail['sender']): OutboundEmail => ({
  messageId: '0b5e2d4c-1f3a-4c9e-8d7b-2a6f9e1c3b5d',
  messageIdHeader: '<m@x>',
  campaignId: 'c',
  contactId: 'k',
  to: 'ada@lovelace.example',
  subject: 's',
  html: '<p>x</p>',
  headers: {},
  ...(sender ? { sender } : {}),
});

describe('senderEnvName', () => {
  it('upper-cases the id and turns every other character into _', () => {
    expect(senderEnvName('snd_01hx-eu', 'API_KEY')).toBe('SENDER_SND_01HX_EU_API_KEY');
    expect(senderEnvName('Acme.Mail', 'AWS_SECRET_ACCESS_KEY')).toBe(
      'SENDER_ACME_MAIL_AWS_SECRET_ACCESS_KEY',
    );
  });
});

describe('ProviderTransports routing', () => {
  const setup = (env: Record<string, string> = {}) => {
    const fallback = new Recording('smtp');
    const log = new Recording('log');
    return { fallback, log, router: new ProviderTransports({ env, fallback, log }) };
  };

  it('sends an email without a sender, and a sender on smtp, through the fallback', async () => {
    const { fallback, log, router } = setup();
    await router.send(email());
    await router.send(email({ id: 'a', from: 'a@x.example', transport: 'smtp' }));
    expect(fallback.sent).toHaveLength(2);
    expect(log.sent).toHaveLength(0);
  });

  it('sends a sender on log to the log transport', async () => {
    const { fallback, log, router } = setup();
    expect(await router.send(email({ id: 'a', from: 'a@x.example', transport: 'log' }))).toEqual({
      providerMessageId: 'log',
    });
    expect(fallback.sent).toHaveLength(0);
    expect(log.sent).toHaveLength(1);
  });

  it.each(['sendgrid', 'mailgun', 'postmark', 'resend', 'ses'])(
    'refuses a %s sender whose credential is not set as bad_credentials, naming the variable',
    async (transport) => {
      const { router } = setup({ SENDER_OTHER_API_KEY: 'not-this-senders-key' });
      const error = await router.send(email({ id: 'snd_1', from: 'a@x.example', transport })).catch((e) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error.kind).toBe('bad_credentials');
      const [variable] = credentialVariables('snd_1', transport);
      expect(error.message).toContain(variable);
      expect(error.message).not.toContain('not-this-senders-key');
    },
  );

  it('refuses an unknown transport as permanent', async () => {
    const { router } = setup();
    const error = await router
      .send(email({ id: 'a', from: 'a@x.example', transport: 'pigeon' }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error.kind).toBe('permanent');
  });

  it('names the SES key pair, and one API key for the others', () => {
    expect(credentialVariables('snd_1', 'ses')).toEqual([
      'SENDER_SND_1_AWS_ACCESS_KEY_ID',
      'SENDER_SND_1_AWS_SECRET_ACCESS_KEY',
    ]);
    expect(credentialVariables('snd_1', 'postmark')).toEqual(['SENDER_SND_1_API_KEY']);
    expect(credentialVariables('snd_1', 'smtp')).toEqual([]);
  });
});

describe('emailParts', () => {
  it("drops every relay echo header core adds (an API transport echoes through the provider's own field)", () => {
    const id = '0b5e2d4c-1f3a-4c9e-8d7b-2a6f9e1c3b5d';
    const relay = echoHeaders(id, 'k');
    const parts = emailParts(
      { ...email(), messageId: id, headers: { ...relay, 'List-Unsubscribe': '<u>' } },
      'a@x.example',
    );
    for (const name of Object.keys(relay)) expect(parts.headers).not.toHaveProperty(name);
    expect(parts.headers['List-Unsubscribe']).toBe('<u>');
    expect(parts.echoId).toBe(id);
    expect(parts.routedEchoId).toBe(`${id}.k`); // the contact of email(): routed by it (DESIGN section 9)
  });

  it('refuses an email with neither a sender nor a default from', () => {
    expect(() => emailParts(email())).toThrow(/no sender and no default from/);
  });
});
