/*
 * `pnpm demo`: talks to a running instance the way a product team would. It posts the example plan for
 * a sample contact, waits for the first email, posts an open for it, and prints the campaign's timeline.
 *
 *   CAMPAIGN_URL (default http://127.0.0.1:3000)   API_KEY (default: the embedded start's ./.data/api-key)
 */
import { readFileSync } from 'node:fs';

const base = process.env.CAMPAIGN_URL ?? 'http://127.0.0.1:3000';
const apiKey =
  process.env.API_KEY ?? readFileSync(new URL('../.data/api-key', import.meta.url), 'utf8').trim();
const plan = JSON.parse(readFileSync(new URL('../examples/seed-campaign.json', import.meta.url), 'utf8'));

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const contact = {
  email: `demo-${Date.now()}@example.com`,
  name: 'Ada',
  attributes: { company: 'Analytical Engines' },
};
// The example plan keeps quiet hours in Los Angeles; drop them so the demo's first email goes out now.
const created = await call('POST', '/v1/campaigns', { contact, plan: { ...plan, quietHours: undefined } });
console.log(`created campaign ${created.id} (${created.status} at ${created.currentNodeId})`);

let campaign = await call('GET', `/v1/campaigns/${created.id}`);
for (let i = 0; i < 100 && !campaign.timeline.some((e: { kind: string }) => e.kind === 'send'); i += 1) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  campaign = await call('GET', `/v1/campaigns/${created.id}`);
}
const send = campaign.timeline.find((e: { kind: string }) => e.kind === 'send');
if (!send) throw new Error('the first email was not sent within 20 s: are the workers running?');
const result = await call('POST', '/v1/events', {
  events: [
    {
      id: `demo-open-${created.id}`,
      messageId: send.message,
      type: 'opened',
      occurredAt: new Date().toISOString(),
    },
  ],
});
console.log(`posted an open: ${JSON.stringify(result)}`);
campaign = await call('GET', `/v1/campaigns/${created.id}`);
console.log(
  JSON.stringify(
    {
      status: campaign.status,
      currentNodeId: campaign.currentNodeId,
      pendingActions: campaign.pendingActions,
      timeline: campaign.timeline,
    },
    null,
    2,
  ),
);
