/*
 * `pnpm demo`: talks to a running instance the way a product team would. It posts the example plan for
 * a sample contact, waits for the first email, posts an open for it, and prints the campaign's timeline.
 *
 *   CAMPAIGN_URL (default http://HOST:PORT, the server's own defaults 127.0.0.1 and 3000)
 *   API_KEY (default: the embedded start's ./.data/api-key)
 *
 * When no server answers, or there is no API key, it says so in one line and exits 1.
 */
import { readFileSync } from 'node:fs';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

// A server bound to every interface is reached on loopback.
const host =
  !process.env.HOST || ['0.0.0.0', '::'].includes(process.env.HOST) ? '127.0.0.1' : process.env.HOST;
const base = (
  process.env.CAMPAIGN_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${process.env.PORT || 3000}`
).replace(/\/$/, '');

const live = await fetch(`${base}/health/live`).then(
  (res) => res.ok,
  () => false,
);
if (!live) fail(`no server at ${base}: start it with scripts/run start`);

let apiKey = process.env.API_KEY;
if (!apiKey) {
  try {
    apiKey = readFileSync(new URL('../.data/api-key', import.meta.url), 'utf8').trim();
  } catch {
    fail('no API key: set API_KEY (the embedded start keeps its key in ./.data/api-key)');
  }
}
const plan = JSON.parse(readFileSync(new URL('../examples/seed-campaign.json', import.meta.url), 'utf8'));

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) fail(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
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
if (!send) fail('the first email was not sent within 20 s: are the workers running (RUN_WORKERS)?');
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
