import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.ts';

// biome-ignore lint/suspicious/noExplicitAny: the document is walked by path
const doc = openApiDocument('http://127.0.0.1:3000') as any;

describe('OpenAPI: the campaign list, stored plans and contacts (issue 14 item 1)', () => {
  it('adds GET next to the existing operations of /v1/campaigns and /v1/campaigns/{id}/plan', () => {
    expect(Object.keys(doc.paths['/v1/campaigns']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/v1/campaigns/{id}/plan']).sort()).toEqual(['get', 'put']);
    expect(doc.paths['/v1/campaigns'].get.operationId).toBe('listCampaigns');
    expect(doc.paths['/v1/campaigns/{id}/plan'].get.operationId).toBe('getCampaignPlan');
    expect(doc.paths['/v1/campaigns'].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CampaignList',
    });
  });

  it('documents the contact routes with their bodies and refusals', () => {
    const item = doc.paths['/v1/contacts/{id}'];
    expect([item.get.operationId, item.patch.operationId, item.delete.operationId]).toEqual([
      'getContact',
      'updateContact',
      'eraseContact',
    ]);
    expect(Object.keys(item.patch.requestBody.content)).toContain('application/merge-patch+json');
    expect(Object.keys(item.patch.responses)).toEqual(
      expect.arrayContaining(['200', '400', '404', '409', '415']),
    );
    for (const name of [
      'Contact',
      'ContactPatch',
      'ContactErasure',
      'CampaignList',
      'CampaignListItem',
      'StoredPlan',
    ]) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
  });
});
