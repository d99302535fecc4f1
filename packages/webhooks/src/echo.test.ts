import { describe, expect, it } from 'vitest';
import { ECHO_FIELD } from './normalize.ts';
import { normalizeMailgunEvent } from './providers/mailgun.ts';
import { normalizePostmarkRecord } from './providers/postmark.ts';
import { normalizeResendEvent } from './providers/resend.ts';
import { normalizeSendgridEvent } from './providers/sendgrid.ts';
import { normalizeSesMessage } from './providers/ses.ts';
import {
  mailgunOpened,
  postmarkOpen,
  resendOpened,
  sendgridOpen,
  sesOpen,
} from './test-support/documented-samples.ts';
import type { NormalizedEvent } from './types.ts';

/*
 * Our message id as each provider echoes it back, read from the providers' own documented sample
 * events with the echo field added where each puts it.
 */

const ID = '0f8e7a52-3c1d-4b6e-9a2f-5d4c3b2a1908';
const AT = '2026-02-03T19:30:00.000Z';
const SECONDS = Date.parse(AT) / 1000;

/** Each provider's documented open, carrying `value` in its echo field (or nothing when undefined). */
const PROVIDERS: Record<string, (value?: string) => NormalizedEvent> = {
  sendgrid: (value) => normalizeSendgridEvent(sendgridOpen(SECONDS, field(value))),
  mailgun: (value) => normalizeMailgunEvent(mailgunOpened(SECONDS, field(value))),
  postmark: (value) => normalizePostmarkRecord(postmarkOpen(AT, field(value))),
  ses: (value) =>
    normalizeSesMessage(
      JSON.stringify(sesOpen(AT, value === undefined ? {} : { [ECHO_FIELD]: [value] })),
      'sns-1',
    ),
  resend: (value) => normalizeResendEvent(resendOpened(AT, field(value)), 'msg_1'),
};

function field(value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [ECHO_FIELD]: value };
}

describe.each(Object.entries(PROVIDERS))('echo field of %s', (_name, open) => {
  it('reads our message id from the documented sample, next to the provider’s own fields', () => {
    const event = open(ID);
    expect(event).toMatchObject({ type: 'opened', echoedMessageId: ID });
    // The sample's own ids stay what they are: the echo is what names our message.
    expect(event.providerMessageId).not.toContain(ID);
  });

  it('is null when the message carried no echo field', () => {
    expect(open().echoedMessageId).toBeNull();
  });

  it('reads the routed id (our message id with its contact id) as the engine writes it', () => {
    expect(open(`${ID}.crm.42~a_b-c`).echoedMessageId).toBe(`${ID}.crm.42~a_b-c`);
    expect(open(`${ID.toUpperCase()}.Contact-7`).echoedMessageId).toBe(`${ID}.Contact-7`);
  });

  it('takes only a UUID or a routed id, the UUID lower-cased: a value of the same name set by someone else is not ours', () => {
    expect(open(ID.toUpperCase()).echoedMessageId).toBe(ID);
    expect(open(` ${ID} `).echoedMessageId).toBe(ID);
    expect(open('order-1042').echoedMessageId).toBeNull();
    expect(open(`${ID}x`).echoedMessageId).toBeNull();
    for (const bad of [`${ID}.`, `${ID}.a..b`, `${ID}.a b`, `${ID}.a@b`, `${ID}.${'c'.repeat(129)}`])
      expect(open(bad).echoedMessageId).toBeNull();
  });
});

describe('echo field shapes', () => {
  it('Resend tags given as a list of { name, value } are read too', () => {
    const sample = resendOpened(AT, {});
    const data = sample.data as Record<string, unknown>;
    const listed = { ...sample, data: { ...data, tags: [{ name: ECHO_FIELD, value: ID }] } };
    expect(normalizeResendEvent(listed, 'msg_2').echoedMessageId).toBe(ID);
  });

  it('an SES tag is read from its array, as SES publishes every tag', () => {
    const event = normalizeSesMessage(JSON.stringify(sesOpen(AT, { [ECHO_FIELD]: [ID] })), 'sns-2');
    expect(event.echoedMessageId).toBe(ID);
    const bare = normalizeSesMessage(JSON.stringify(sesOpen(AT, { [ECHO_FIELD]: [] })), 'sns-3');
    expect(bare.echoedMessageId).toBeNull();
  });
});
