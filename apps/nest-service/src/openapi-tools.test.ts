import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AuthController } from './controllers/auth.controller.ts';
import { DocsController } from './controllers/docs.controller.ts';
import { HealthController } from './controllers/health.controller.ts';
import { InboundWebhooksController } from './controllers/inbound.controller.ts';
import { TwilioWebhookController } from './controllers/twilio-webhook.controller.ts';
import { UnsubscribeController } from './controllers/unsubscribe.controller.ts';
import { WebhooksController } from './controllers/webhooks.controller.ts';
import { IS_PUBLIC } from './http/public.ts';
import { createCampaignBody, parseBody } from './http/schemas.ts';
import { openApiDocument } from './openapi.ts';
import { derivedOperationId, isPublicPath, PUBLIC_PREFIXES, tagOf } from './openapi-finish.ts';

/*
 * What generators and linters need of the document (issue 14 item 2). `redocly lint` with its
 * recommended rules runs on it in `pnpm lint` (packages/client `check`).
 */

type Op = {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
};

const doc = openApiDocument('http://127.0.0.1:3000');
const paths = doc.paths as Record<string, Record<string, Op>>;
const operations = Object.entries(paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => method !== 'parameters')
    .map(([method, op]) => ({ path, method, op })),
);

describe('the OpenAPI document for tools', () => {
  it('every operation has a unique operationId and a tag', () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]*$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations.filter(({ op }) => (op.tags ?? []).length === 0)).toEqual([]);
    expect(paths['/v1/campaigns']?.post?.operationId).toBe('createCampaign');
    expect(paths['/v1/campaigns/{id}']?.get?.operationId).toBe('getCampaign');
  });

  it('derives ids and tags by hand-checked examples', () => {
    expect(derivedOperationId('post', '/v1/webhooks/twilio/status')).toBe('postWebhooksTwilioStatus');
    expect(derivedOperationId('get', '/v1/campaigns/{id}/plan')).toBe('getCampaignsByIdPlan');
    expect(derivedOperationId('post', '/v1/webhooks/mailgun-inbound')).toBe('postWebhooksMailgunInbound');
    expect(tagOf('/v1/senders/{id}')).toBe('senders');
    expect(tagOf('/metrics')).toBe('health');
    expect(tagOf('/health/ready')).toBe('health');
  });

  it('public routes (the @Public() controllers) declare security: [], every other one the API key and its 401', () => {
    const publicControllers = [
      AuthController,
      DocsController,
      HealthController,
      InboundWebhooksController,
      TwilioWebhookController,
      UnsubscribeController,
      WebhooksController,
    ];
    for (const controller of publicControllers) {
      expect(Reflect.getMetadata(IS_PUBLIC, controller)).toBe(true);
      const prefix = `/${Reflect.getMetadata('path', controller) as string}`.replace(/\/+$/, '');
      // HealthController has no prefix: its routes are /health/* and /metrics, both listed.
      if (prefix === '') continue;
      const covered = PUBLIC_PREFIXES.some(
        (p) => prefix === p.replace(/\/$/, '') || `${prefix}/`.startsWith(p) || p.startsWith(`${prefix}/`),
      );
      expect(covered, prefix).toBe(true);
    }
    for (const { path, op } of operations) {
      if (isPublicPath(path)) expect(op.security, path).toEqual([]);
      else {
        expect(op.security, path).toEqual([{ apiKey: [] }]);
        expect(Object.keys(op.responses), path).toContain('401');
      }
    }
    expect(isPublicPath('/v1/webhooks/sendgrid')).toBe(true);
    expect(isPublicPath('/v1/inbound/mime')).toBe(false);
    expect(isPublicPath('/v1/campaigns')).toBe(false);
  });

  it('every JSON success body has a schema with its fields, never a bare object', () => {
    const bare: string[] = [];
    for (const { path, method, op } of operations)
      for (const [status, response] of Object.entries(op.responses)) {
        const schema = response.content?.['application/json']?.schema;
        if (!status.startsWith('2') || schema === undefined) continue;
        const keys = Object.keys(schema);
        if (!keys.some((k) => ['$ref', 'properties', 'items', 'anyOf', 'oneOf', 'const'].includes(k)))
          bare.push(`${method} ${path} ${status}`);
      }
    expect(bare).toEqual([]);
    expect(paths['/v1/campaigns']?.post?.responses['201']?.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/CampaignSummary',
    });
  });

  it('every 4xx answer for a program is a problem+json document (HTML pages are for people)', () => {
    for (const { path, method, op } of operations)
      for (const [status, response] of Object.entries(op.responses))
        if (status.startsWith('4') && Object.keys(response.content ?? {}).some((t) => t !== 'text/html'))
          expect(Object.keys(response.content), `${method} ${path} ${status}`).toContain(
            'application/problem+json',
          );
  });

  it('the create example is the seed campaign of examples/, and the API accepts it', () => {
    const read = (file: string) =>
      JSON.parse(readFileSync(new URL(`../../../examples/${file}`, import.meta.url), 'utf8')) as unknown;
    const example = paths['/v1/campaigns']?.post?.requestBody?.content['application/json']?.examples?.seed
      ?.value as { plan: unknown; contact: unknown };
    expect(example.plan).toEqual(read('seed-campaign.json'));
    expect(example.contact).toEqual(read('contact.json'));
    expect(() => parseBody(createCampaignBody, example)).not.toThrow();
  });

  it('the plan schemas carry the seed plan as their example', () => {
    const schemas = (doc.components as { schemas: Record<string, { examples?: unknown[] }> }).schemas;
    const seed = JSON.parse(
      readFileSync(new URL('../../../examples/seed-campaign.json', import.meta.url), 'utf8'),
    ) as unknown;
    expect(schemas.Plan?.examples).toEqual([seed]);
    expect(schemas.PlanBody?.examples).toEqual([{ plan: seed }]);
  });

  it('states its license', () => {
    expect((doc.info as { license: unknown }).license).toEqual({
      name: 'Apache 2.0',
      identifier: 'Apache-2.0',
    });
  });
});
