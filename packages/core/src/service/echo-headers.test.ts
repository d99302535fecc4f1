import { describe, expect, it } from 'vitest';
import { echoHeaders } from './echo-headers.ts';

const ID = '0f8e7a52-3c1d-4b6e-9a2f-5d4c3b2a1908';

describe('echoHeaders', () => {
  it('carries the id in each provider’s echo header, in the syntax each documents', () => {
    const headers = echoHeaders(ID);
    // SendGrid SMTP API: {"unique_args": {...}}; unique args come back as top-level event keys.
    expect(JSON.parse(headers['X-SMTPAPI'] ?? '')).toEqual({ unique_args: { campaign_message_id: ID } });
    // Mailgun: a JSON object of variables.
    expect(JSON.parse(headers['X-Mailgun-Variables'] ?? '')).toEqual({ campaign_message_id: ID });
    // Postmark SMTP: one X-PM-Metadata-<key> header per metadata field.
    expect(headers['X-PM-Metadata-campaign_message_id']).toBe(ID);
    // SES SMTP: comma-separated name=value tags.
    expect(headers['X-SES-MESSAGE-TAGS']).toBe(`campaign_message_id=${ID}`);
    expect(Object.keys(headers)).toHaveLength(4);
  });

  it('no header value can break a header line', () => {
    for (const value of Object.values(echoHeaders(ID.toUpperCase()))) expect(value).not.toMatch(/[\r\n]/);
  });

  it('refuses anything but a UUID, so no text of ours can reach a header', () => {
    for (const bad of ['', 'x', `${ID}\r\nBcc: a@example.com`, `${ID},other=1`, `"${ID}"`]) {
      expect(() => echoHeaders(bad)).toThrow(RangeError);
    }
  });
});
