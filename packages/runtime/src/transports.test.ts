import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LogSmsTransport } from './transports.ts';

describe('LogSmsTransport', () => {
  it('accepts the SMS and logs its recipient, text and segments (no provider id)', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const transport = new LogSmsTransport(pino({ level: 'info' }, stream));
    const result = await transport.send({
      channel: 'sms',
      messageId: '11111111-1111-4111-8111-111111111111',
      campaignId: 'c',
      contactId: 'k',
      to: '+4915112345678',
      text: 'Hi Ada',
      segments: 1,
    });
    expect(result).toEqual({ providerMessageId: null });
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'sms (log transport, not sent)',
        messageId: '11111111-1111-4111-8111-111111111111',
        to: '+4915112345678',
        text: 'Hi Ada',
        segments: 1,
      }),
    ]);
  });
});
