import type { OutboundEmail, Transport } from '@campaign/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderStandIn } from './provider-stand-in.ts';
import { ProviderTransports } from './provider-transports.ts';

const unused: Transport = {
  send: () => Promise.reject(new Error('not this transport')),
};

const email = (senderId: string, transport: string): OutboundEmail => ({
  messageId: '0b5e2d4c-1f3a-4c9e-8d7b-2a6f9e1c3b5d',
  messageIdHeader: '<m@x>',
  campaignId: 'c',
  contactId: 'k',
  to: 'ada@lovelace.example',
  subject: 's',
  html: '<p>x</p>',
  headers: {},
  sender: { id: senderId, from: 'Acme <hello@acme.example>', transport },
});

describe('ProviderTransports: credentials per sender from the environment, base URL from the environment', () => {
  let standIn: ProviderStandIn;
  beforeAll(async () => {
    standIn = await ProviderStandIn.start((request) =>
      request.path === '/emails'
        ? { status: 200, body: { id: 're-1' } }
        : { status: 200, body: { To: 'x', SubmittedAt: '', MessageID: 'pm-1', ErrorCode: 0, Message: 'OK' } },
    );
  });
  afterAll(() => standIn.close());

  it("uses each sender's own key, through the configured base URL", async () => {
    const router = new ProviderTransports({
      env: {
        RESEND_API_BASE_URL: standIn.url,
        POSTMARK_API_BASE_URL: standIn.url,
        SENDER_SND_A_API_KEY: 're_key_of_a',
        SENDER_SND_B_API_KEY: 're_key_of_b',
        SENDER_SND_C_API_KEY: 'pm-token-of-c',
      },
      fallback: unused,
      log: unused,
    });
    expect(await router.send(email('snd_a', 'resend'))).toEqual({ providerMessageId: 're-1' });
    expect(await router.send(email('snd_b', 'resend'))).toEqual({ providerMessageId: 're-1' });
    expect(await router.send(email('snd_c', 'postmark'))).toEqual({ providerMessageId: 'pm-1' });
    expect(
      standIn.requests.map((r) => [r.path, r.headers.authorization ?? r.headers['x-postmark-server-token']]),
    ).toEqual([
      ['/emails', 'Bearer re_key_of_a'],
      ['/emails', 'Bearer re_key_of_b'],
      ['/email', 'pm-token-of-c'],
    ]);
  });
});
