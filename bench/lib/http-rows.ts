import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { createTestDatabase } from '@campaign/db/testing';
import { createRuntime, loadConfig } from '../../packages/runtime/src/index.ts';
import { freePort, spawnApi, waitUntilReady } from '../../test-e2e/src/support/processes.ts';
import { rate, rssMiB } from './measure.ts';
import { plan } from './service-rows.ts';

/*
 * Events through the real API process (apps/nest-service dist, pg-boss, no workers): POST /v1/events in
 * batches of 100 (an event that changes nothing, one that moves a campaign, a duplicate) and a signed
 * SendGrid webhook batch of 100 opens. The messages are sent beforehand by this process on the service.
 */

const API_KEY = 'bench-api-key-0123456789abcdef';
const BATCH = 100;

export interface HttpRows {
  /** Events per second (batches of 100, `inFlight` requests at once). */
  ignored: number;
  transitions: number;
  duplicates: number;
  webhookOpens: number;
  apiRssMiB: { idle: number; load: number };
}

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export async function httpRows(messagesPerRow: number, inFlight: number): Promise<HttpRows> {
  const database = await createTestDatabase('postgres');
  const sendgrid = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: database.url,
    REDIS_URL: '',
    QUEUE_BACKEND: 'pgboss',
    QUEUE_NAME: `bench-http-${randomUUID().slice(0, 8)}`,
    API_KEY,
    RUN_WORKERS: '0',
    LOG_LEVEL: 'warn',
    UNSUBSCRIBE_SECRET: 'bench-unsubscribe-secret-0123456789',
    MESSAGE_ID_DOMAIN: 'bench.test',
    SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid.publicKey
      .export({ type: 'spki', format: 'der' })
      .toString('base64'),
    METRICS_PORT: '',
  };
  const runtime = await createRuntime(loadConfig(env));
  const api = spawnApi({ ...env, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  try {
    // 2 x messagesPerRow sent messages: half for POST /v1/events, half for the webhook.
    const contacts = Array.from({ length: 2 * messagesPerRow }, () => ({
      id: randomUUID(),
      email: `${randomUUID()}@bench.test`,
    }));
    await rate(contacts, 8, (contact) => runtime.service.persistPlan({ contact, plan }));
    const actions = await database.db
      .selectFrom('scheduled_actions')
      .select('id')
      .where('kind', '=', 'send')
      .execute();
    await rate(actions, 8, (a) => runtime.service.executeAction(a.id));
    const messages = (await database.db.selectFrom('outbound_messages').select('id').execute()).map(
      (m) => m.id,
    );
    if (messages.length !== 2 * messagesPerRow)
      throw new Error(`expected ${2 * messagesPerRow} messages, got ${messages.length}`);
    const forApi = messages.slice(0, messagesPerRow);
    const forHook = messages.slice(messagesPerRow);
    await waitUntilReady(api, base);
    const pid = api.child.pid;
    const idle = rssMiB(pid);
    let load = idle;
    const sampler = setInterval(() => {
      load = Math.max(load, rssMiB(pid));
    }, 200);
    const at = new Date().toISOString();
    const postEvents = async (type: string, prefix: string, ids: string[]) => {
      const response = await fetch(`${base}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
        body: JSON.stringify({
          events: ids.map((messageId) => ({ id: `${prefix}-${messageId}`, messageId, type, occurredAt: at })),
        }),
      });
      const json = (await response.json()) as { accepted?: number; duplicates?: number };
      if (response.status !== 202)
        throw new Error(`POST /v1/events: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    const perEvent = async (type: string, prefix: string) => {
      const batches = chunk(forApi, BATCH);
      return (await rate(batches, inFlight, (ids) => postEvents(type, prefix, ids))) * BATCH;
    };
    const ignored = await perEvent('delivered', 'd');
    const transitions = await perEvent('opened', 'o');
    const duplicates = await perEvent('opened', 'o');
    const now = Math.floor(Date.now() / 1000);
    const hookBatches = chunk(forHook, BATCH).map((ids) =>
      JSON.stringify(
        ids.map((id) => ({
          event: 'open',
          email: 'x@bench.test',
          timestamp: now,
          sg_event_id: `o-${id}`,
          sg_message_id: `sg.${id}`,
          'smtp-id': `<${id}@bench.test>`,
          sg_machine_open: false,
        })),
      ),
    );
    let hookAccepted = 0;
    const webhookOpens =
      (await rate(hookBatches, inFlight, async (body) => {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const response = await fetch(`${base}/v1/webhooks/sendgrid`, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'x-twilio-email-event-webhook-timestamp': timestamp,
            'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(timestamp + body), {
              key: sendgrid.privateKey,
              dsaEncoding: 'der',
            }).toString('base64'),
          },
        });
        const json = (await response.json()) as { accepted?: number };
        if (response.status !== 200) throw new Error(`webhook: ${response.status} ${JSON.stringify(json)}`);
        hookAccepted += json.accepted ?? 0;
      })) * BATCH;
    clearInterval(sampler);
    if (hookAccepted !== forHook.length)
      throw new Error(`webhook accepted ${hookAccepted} of ${forHook.length} opens`);
    return { ignored, transitions, duplicates, webhookOpens, apiRssMiB: { idle, load } };
  } finally {
    await api.stop('SIGKILL');
    await runtime.close();
    await database.dispose();
  }
}
