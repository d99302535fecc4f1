import { describe, expect, it } from 'vitest';
import { echoHeaders } from './echo-headers.ts';

const ID = '0f8e7a52-3c1d-4b6e-9a2f-5d4c3b2a1908';
const CONTACT = 'crm.4711';
const ROUTED = `${ID}.${CONTACT}`;

describe('echoHeaders', () => {
  it('carries the routed id (message and contact) in each provider’s echo header, in the syntax each documents', () => {
    const headers = echoHeaders(ID, CONTACT);
    // SendGrid SMTP API: {"unique_args": {...}}; unique args come back as top-level event keys.
    expect(JSON.parse(headers['X-SMTPAPI'] ?? '')).toEqual({ unique_args: { campaign_message_id: ROUTED } });
    // Mailgun: a JSON object of variables.
    expect(JSON.parse(headers['X-Mailgun-Variables'] ?? '')).toEqual({ campaign_message_id: ROUTED });
    // Postmark SMTP: one X-PM-Metadata-<key> header per metadata field.
    expect(headers['X-PM-Metadata-campaign_message_id']).toBe(ROUTED);
    // SES SMTP: comma-separated name=value tags; a value allows only letters, digits, _ and -.
    expect(headers['X-SES-MESSAGE-TAGS']).toBe(`campaign_message_id=${ID}`);
    expect(Object.keys(headers)).toHaveLength(4);
  });

  it('gives Postmark the message id alone when the routed id is over its 80-character metadata limit', () => {
    const long = 'c'.repeat(44); // 36 + 1 + 44 = 81
    expect(echoHeaders(ID, 'c'.repeat(43))['X-PM-Metadata-campaign_message_id']).toBe(
      `${ID}.${'c'.repeat(43)}`,
    );
    expect(echoHeaders(ID, long)['X-PM-Metadata-campaign_message_id']).toBe(ID);
    expect(JSON.parse(echoHeaders(ID, long)['X-SMTPAPI'] ?? '').unique_args.campaign_message_id).toBe(
      `${ID}.${long}`,
    );
  });

  it('no header value can break a header line', () => {
    for (const value of Object.values(echoHeaders(ID.toUpperCase(), 'a~b_c-d.e')))
      expect(value).not.toMatch(/[\r\n]/);
  });

  it('refuses anything but a UUID and a contact id, so no text of ours can reach a header', () => {
    for (const bad of ['', 'x', `${ID}\r\nBcc: a@example.com`, `${ID},other=1`, `"${ID}"`]) {
      expect(() => echoHeaders(bad, CONTACT)).toThrow(RangeError);
    }
    for (const bad of ['', 'a\r\nBcc: x', 'a,b=1', '"a"', 'a b', 'a@b', 'a;b']) {
      expect(() => echoHeaders(ID, bad)).toThrow(RangeError);
    }
  });
});
