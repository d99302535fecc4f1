/*
 * The last pass over the OpenAPI document, so that generators and linters can use every operation
 * whoever wrote it: an `operationId` and a tag each, `security: []` on the public routes, the 401 of
 * every secured one, and the license. Routes are written where they belong (openapi.ts and its
 * siblings); this pass only adds what every operation needs alike.
 */

type Operation = {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  responses?: Record<string, unknown>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Route prefixes the API key does not guard (controllers marked `@Public()`: they authenticate
 * otherwise or serve nothing secret); openapi.test.ts checks this list against those controllers.
 */
export const PUBLIC_PREFIXES = [
  '/v1/webhooks/',
  '/v1/unsubscribe/',
  '/health/',
  '/metrics',
  '/docs',
  '/auth/',
];

export function isPublicPath(path: string): boolean {
  return PUBLIC_PREFIXES.some((prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix));
}

/** Hand-picked operation ids of the routes that have one obvious name; others get a derived one. */
const OPERATION_IDS: Record<string, string> = {
  'get /v1/plans/schema': 'getPlanSchema',
  'post /v1/plans/validate': 'validatePlan',
  'get /v1/campaigns': 'listCampaigns',
  'post /v1/campaigns': 'createCampaign',
  'get /v1/campaigns/{id}': 'getCampaign',
  'get /v1/campaigns/{id}/timeline': 'getCampaignTimeline',
  'post /v1/campaigns/{id}/pause': 'pauseCampaign',
  'post /v1/campaigns/{id}/resume': 'resumeCampaign',
  'post /v1/campaigns/{id}/cancel': 'cancelCampaign',
  'get /v1/campaigns/{id}/plan': 'getCampaignPlan',
  'put /v1/campaigns/{id}/plan': 'updateCampaignPlan',
  'post /v1/senders': 'createSender',
  'get /v1/senders': 'listSenders',
  'get /v1/senders/{id}': 'getSender',
  'patch /v1/senders/{id}': 'updateSender',
  'delete /v1/senders/{id}': 'deleteSender',
  'get /v1/contacts/{id}': 'getContact',
  'patch /v1/contacts/{id}': 'updateContact',
  'delete /v1/contacts/{id}': 'eraseContact',
  'get /v1/admin/sending': 'getSending',
  'post /v1/admin/sending': 'setSending',
  'post /v1/events': 'postEvents',
  'post /v1/webhooks/{provider}': 'receiveProviderWebhook',
  'get /v1/unsubscribe/{token}': 'showUnsubscribe',
  'post /v1/unsubscribe/{token}': 'unsubscribe',
  'get /health/live': 'getLiveness',
  'get /health/ready': 'getReadiness',
  'get /metrics': 'getMetrics',
};

const TAGS: Record<string, string> = {
  plans: 'Plan schema and validation',
  campaigns: 'Campaigns: create, read, control, update the plan',
  contacts: 'Contacts',
  senders: 'Senders (email and SMS) with caps, warm-up and health',
  events: 'Engagement and custom events',
  inbound: 'Inbound mail (replies, bounces, complaints)',
  webhooks: 'Provider webhooks, verified by signature',
  unsubscribe: 'Signed unsubscribe links',
  analytics: 'Analytics',
  admin: 'Operations: the emergency stop',
  auth: 'Sign-in for the console and Bull Board',
  health: 'Health and metrics',
  docs: 'This document',
};

/** The tag of a path: its first segment after `/v1` (health and metrics share one). */
export function tagOf(path: string): string {
  const [first, second] = path.split('/').filter(Boolean);
  if (first === 'metrics') return 'health';
  return (first === 'v1' ? second : first) ?? 'health';
}

const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** `post /v1/webhooks/twilio/status` → `postWebhooksTwilioStatus`; `{id}` → `ById`. */
export function derivedOperationId(method: string, path: string): string {
  const words = path
    .split('/')
    .filter((s) => s !== '' && s !== 'v1')
    .map((s) => (s.startsWith('{') ? `By${capital(s.slice(1, -1))}` : s))
    .flatMap((s) => s.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
    .map(capital);
  return `${method}${words.join('')}`;
}

const unauthorized = {
  description:
    'unauthorized: no valid API key (`Authorization: Bearer <key>`) or session; forbidden (403): a session request from another origin',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

/**
 * Completes `doc` in place and returns it: document-wide API-key security, `security: []` on public
 * operations, a 401 on secured ones, operation ids (unique; a repeat gets a numeric suffix), tags.
 */
export function finishDocument(doc: Record<string, unknown>): Record<string, unknown> {
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const used = new Set<string>();
  const tags = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      let id = op.operationId ?? OPERATION_IDS[`${method} ${path}`] ?? derivedOperationId(method, path);
      for (let n = 2; used.has(id); n++) id = `${id.replace(/\d+$/, '')}${n}`;
      used.add(id);
      op.operationId = id;
      op.tags ??= [tagOf(path)];
      for (const tag of op.tags) tags.add(tag);
      if (isPublicPath(path)) op.security = [];
      else {
        op.security ??= [{ apiKey: [] }];
        op.responses = { ...op.responses, 401: op.responses?.[401] ?? unauthorized };
      }
    }
  }
  doc.security = [{ apiKey: [] }];
  doc.tags = [...tags].sort().map((name) => ({ name, description: TAGS[name] ?? name }));
  doc.info = {
    ...(doc.info as object),
    license: { name: 'Apache 2.0', identifier: 'Apache-2.0' },
  };
  return doc;
}
