import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.ts';

/*
 * Regressions (F1 items 2 and 3): POST /v1/webhooks/twilio was missing from the document, and the
 * senders' `imap` settings were undocumented (the password must be write-only, answers say hasPassword).
 */

const doc = openApiDocument('http://localhost:3000') as {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, Schema> };
};
type Schema = {
  required?: string[];
  properties?: Record<string, Schema & { writeOnly?: boolean; const?: unknown; $ref?: string }>;
  anyOf?: Schema[];
  $ref?: string;
};
const schemas = doc.components.schemas;

describe('the OpenAPI document: Twilio webhook and sender imap settings', () => {
  it('documents POST /v1/webhooks/twilio as a public, form-encoded route answering a WebhookResult', () => {
    const op = doc.paths['/v1/webhooks/twilio']?.post as {
      security: unknown[];
      requestBody: { content: Record<string, { schema: Schema }> };
      responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
      parameters: { name: string; in: string }[];
    };
    expect(op).toBeDefined();
    expect(op.security).toEqual([]);
    expect(op.parameters).toContainEqual(
      expect.objectContaining({ name: 'X-Twilio-Signature', in: 'header' }),
    );
    const form = op.requestBody.content['application/x-www-form-urlencoded']?.schema;
    expect(form?.required).toEqual(['MessageSid']);
    expect(Object.keys(form?.properties ?? {})).toEqual(
      expect.arrayContaining(['MessageSid', 'MessageStatus', 'From', 'To', 'Body']),
    );
    expect(op.responses['200']?.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/WebhookResult',
    });
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '401']));
  });

  it('takes imap on create (password write-only) and imap or null on update', () => {
    const settings = schemas.SenderImapSettings;
    expect(settings?.required).toEqual(expect.arrayContaining(['host', 'port', 'tls', 'user']));
    expect(settings?.required).not.toContain('password');
    expect(settings?.properties?.password?.writeOnly).toBe(true);
    expect(schemas.CreateSender?.properties?.imap?.$ref).toBe('#/components/schemas/SenderImapSettings');
    expect(schemas.UpdateSender?.properties?.imap?.anyOf).toEqual([
      { $ref: '#/components/schemas/SenderImapSettings' },
      { type: 'null' },
    ]);
  });

  it('answers imap with hasPassword and the watcher error, never the password', () => {
    expect(schemas.Sender?.properties?.imap?.$ref).toBe('#/components/schemas/SenderImap');
    expect(schemas.Sender?.required).not.toContain('imap');
    const answer = schemas.SenderImap;
    expect(answer?.properties?.hasPassword?.const).toBe(true);
    expect(answer?.required).toEqual(expect.arrayContaining(['hasPassword', 'error', 'errorAt', 'mailbox']));
    expect(Object.keys(answer?.properties ?? {})).not.toContain('password');
  });
});
