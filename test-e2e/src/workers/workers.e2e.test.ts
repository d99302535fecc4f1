import { randomUUID } from 'node:crypto';
import { type Plan, verifyUnsubscribeToken } from '@campaign/core';
import { openClickBumpPlan } from '@campaign/core/testing';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { createRuntime, loadConfig, type Runtime } from '@campaign/runtime';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { liveWork, waitForDrained } from '../support/drain.ts';
import {
  type NodeProcess,
  type RedisServer,
  spawnWorker,
  startRedis,
  waitFor,
} from '../support/processes.ts';
import { type ReceivedMail, SmtpSink } from '../support/smtp-sink.ts';

/*
 * Whole campaigns through real worker processes, on both queue backends: real Postgres, a real Redis
 * (a private server, so FLUSHALL touches nothing else), a real SMTP server, second-scale durations.
 * `bullmq-cluster`: BullMQ on the shared three-master Redis Cluster of scripts/services
 * (REDIS_CLUSTER_NODES, default 127.0.0.1:7001-7003), the jobs sharded over QUEUE_SHARDS queues.
 */

const CLUSTER_NODES = process.env.REDIS_CLUSTER_NODES ?? '127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003';

const SECRET = 'e2e-unsubscribe-secret-0123456789';

const plan: Plan = openClickBumpPlan({
  subject: 'Hello {{name}}',
  body: '<p>Hi {{name}}, a note for {{company|your team}}.</p>',
  openWithin: 'PT3S',
  noOpenAfter: 'PT2S',
  clickAfter: 'PT1S',
  bumpSubject: 'Bump for {{name}}',
  bumpDelay: 'PT1S',
});

describe.each(['bullmq', 'pgboss', 'bullmq-cluster'] as const)(
  'workers on %s',
  { timeout: 60_000 },
  (variant) => {
    const backend = variant === 'pgboss' ? 'pgboss' : 'bullmq';
    const onCluster = variant === 'bullmq-cluster';
    let database: TestDatabase;
    let redis: RedisServer | undefined;
    let sink: SmtpSink;
    let env: NodeJS.ProcessEnv;
    let api: Runtime;
    const workers = new Set<NodeProcess>();

    beforeAll(async () => {
      [database, redis] = await Promise.all([
        createTestDatabase('postgres'),
        onCluster ? undefined : startRedis(),
      ]);
      sink = new SmtpSink();
      const smtpUrl = await sink.listen();
      env = {
        ...process.env,
        DATABASE_URL: database.url,
        ...(redis ? { REDIS_URL: redis.url } : { REDIS_CLUSTER_NODES: CLUSTER_NODES, QUEUE_SHARDS: '4' }),
        QUEUE_BACKEND: backend,
        QUEUE_NAME: `e2e-${randomUUID()}`,
        QUEUE_POLL_SECONDS: '0.5',
        SMTP_URL: smtpUrl,
        MAIL_FROM: 'Campaigns <campaigns@e2e.test>',
        PUBLIC_URL: 'https://engine.e2e.test',
        UNSUBSCRIBE_SECRET: SECRET,
        MESSAGE_ID_DOMAIN: 'e2e.test',
        RECONCILE_INTERVAL_MS: '500',
        RECONCILE_GRACE_MS: '1500',
        WORKER_CONCURRENCY: '4',
        QUEUE_LOCK_MS: '3000',
        SEND_CLAIM_LEASE_MS: '3000',
        SEND_RETRY_BASE_DELAY_MS: '300',
        SEND_MAX_ATTEMPTS: '3',
        LOG_LEVEL: 'warn',
      };
      // The test's own side, as the API would be: it creates campaigns and records events, runs no worker.
      api = await createRuntime(loadConfig(env));
    }, 60_000);

    // A test that failed leaves its workers running; they would take the next test's jobs.
    afterEach(async () => {
      await Promise.all([...workers].map((w) => w.stop('SIGKILL')));
    });

    afterAll(async () => {
      await Promise.all([...workers].map((w) => w.stop('SIGKILL')));
      await api?.close();
      await sink?.close();
      await redis?.stop();
      await database?.dispose();
    });

    function startWorker(overrides: NodeJS.ProcessEnv = {}): NodeProcess {
      const worker = spawnWorker({ ...env, ...overrides });
      worker.child.stderr?.pipe(process.stderr); // its warnings and errors, shown with the test's
      workers.add(worker);
      void worker.exited.then(() => workers.delete(worker));
      return worker;
    }

    async function createCampaign(name = 'Ada <Lovelace>') {
      const email = `${randomUUID()}@e2e.test`;
      const { campaign } = await api.service.persistPlan({
        contact: { email, name, attributes: { company: 'ACME' } },
        plan,
      });
      return { campaign, email };
    }

    async function statusOf(campaignId: string) {
      return (await api.service.getCampaign(campaignId)).campaign.state;
    }

    async function waitForStatus(campaignId: string, status: string, timeoutMs = 15_000) {
      let state: Awaited<ReturnType<typeof statusOf>> | undefined;
      return waitFor(
        async () => {
          state = await statusOf(campaignId);
          return state.status === status && state;
        },
        () => `campaign still ${state?.status} at ${state?.currentNodeId}`,
        { timeoutMs },
      );
    }

    async function waitForSent(campaignId: string, count: number) {
      await waitFor(
        async () => {
          const { timeline } = await api.service.getCampaign(campaignId);
          return timeline.filter((e) => e.kind === 'send').length >= count;
        },
        () => `campaign ${campaignId} never recorded ${count} sends`,
      );
    }

    const to = (email: string) => (mail: ReceivedMail) => mail.to === email;

    it('sends the rendered message with its headers; no_open fires and the bump goes out', async () => {
      const worker = startWorker();
      const { campaign, email } = await createCampaign();
      const [intro] = await sink.waitFor(to(email));
      await waitForSent(campaign.id, 1);
      expect(intro?.subject).toBe('Hello Ada <Lovelace>');
      expect(intro?.html).toContain('<p>Hi Ada &lt;Lovelace&gt;, a note for ACME.</p>');
      const messageRow = (await api.service.getCampaign(campaign.id)).timeline.find((e) => e.kind === 'send');
      if (messageRow?.kind !== 'send') throw new Error('no send in the timeline');
      // Our message id with its contact's (DESIGN section 9), in the Message-ID and the unsubscribe link.
      const routedId = `${messageRow.message}.${campaign.contactId}`;
      expect(intro?.messageId).toBe(`<${routedId}@e2e.test>`);
      const header = (name: string) =>
        intro?.raw.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '');
      const unsubscribe = header('list-unsubscribe') ?? '';
      const token = /^<https:\/\/engine\.e2e\.test\/v1\/unsubscribe\/([^>]+)>$/.exec(unsubscribe)?.[1];
      expect(token && verifyUnsubscribeToken(token, [SECRET])).toBe(routedId);
      expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

      const [, bump] = await sink.waitFor(to(email), 2);
      expect(bump?.subject).toBe('Bump for Ada <Lovelace>');
      const state = await waitForStatus(campaign.id, 'completed');
      expect(state.currentNodeId).toBe('bump');
      expect(await worker.stop()).toBe(0);
    });

    it('an open moves the campaign on; no bump goes out', async () => {
      const worker = startWorker();
      const { campaign, email } = await createCampaign();
      const [intro] = await sink.waitFor(to(email));
      await waitForSent(campaign.id, 1);
      const messageId = /^<(.+)@e2e\.test>$/.exec(intro?.messageId ?? '')?.[1];
      const recorded = await api.service.recordEvent({
        provider: 'test',
        providerEventId: randomUUID(),
        messageId,
        type: 'opened',
        occurredAt: new Date(),
      });
      expect(recorded).toMatchObject({ status: 'accepted', effect: 'transition' });
      const state = await waitForStatus(campaign.id, 'completed');
      expect(state.currentNodeId).toBe('done');
      await waitForDrained(api, [campaign.id]); // the no_open timeout can no longer fire
      expect(sink.received.filter(to(email))).toHaveLength(1);
      expect(await worker.stop()).toBe(0);
    });

    it('kill -9 of a worker mid-campaign: a fresh worker completes it with no duplicate and no lost step', async () => {
      const first = startWorker();
      const { campaign, email } = await createCampaign();
      await sink.waitFor(to(email));
      // mid-campaign: the intro is committed as sent, its no_open timeout is queued
      await waitForSent(campaign.id, 1);
      await first.stop('SIGKILL');
      const second = startWorker();
      await sink.waitFor(to(email), 2);
      await waitForStatus(campaign.id, 'completed');
      // No job left that could send again. The killed worker's job is active until its heartbeat lapses
      // (pg-boss: 10 s at least, supervised every 5 s) and its retry finds the action done.
      await waitForDrained(api, [campaign.id], { timeoutMs: 30_000 });
      const mails = sink.received.filter(to(email));
      expect(mails.map((m) => m.subject)).toEqual(['Hello Ada <Lovelace>', 'Bump for Ada <Lovelace>']);
      expect(new Set(mails.map((m) => m.messageId)).size).toBe(2);
      expect(await second.stop()).toBe(0);
    });

    it('regression: an error after the SMTP server took the message never sends it again; the campaign stops (send_failed) and the unsubscribe link works', async () => {
      // On 6996e46 a timeout that could not be scheduled rolled the send back: the same email went out
      // again on every retry and reconcile pass, and its List-Unsubscribe link answered 404.
      const worker = startWorker();
      const email = `${randomUUID()}@e2e.test`;
      const [intro, ...rest] = plan.nodes;
      if (intro?.action !== 'send') throw new Error('the plan starts with a send');
      const { campaign } = await api.service.persistPlan({
        contact: { email, name: 'Ada', attributes: { company: 'ACME' } },
        plan: { ...plan, nodes: [{ ...intro, schedule: { delay: 'PT2S' } }, ...rest] },
      });
      // the drain check below sees the delayed intro: a pending action and its live job
      expect(await liveWork(api, [campaign.id])).toEqual({
        openActions: [expect.stringMatching(/ pending$/)],
        liveJobs: [expect.any(String)],
      });
      // a stored plan whose timeout cannot be scheduled (as plans were stored before durations were bounded)
      const broken = {
        ...plan,
        nodes: [
          {
            ...intro,
            schedule: { delay: 'PT2S' },
            transitions: [intro.transitions?.[0], { on: 'no_open', to: 'bump', after: 'P300000Y' }],
          },
          ...rest,
        ],
      };
      await database.db
        .updateTable('contact_campaigns')
        .set({ plan: JSON.stringify(broken) })
        .where('id', '=', campaign.id)
        .execute();
      const [mail] = await sink.waitFor(to(email));
      const state = await waitForStatus(campaign.id, 'stopped', 20_000);
      expect(state.stopReason).toBe('send_failed');
      await waitForDrained(api, [campaign.id]); // no retry or reconciled job left that could send it again
      expect(sink.received.filter(to(email))).toHaveLength(1);
      const view = await api.service.getCampaign(campaign.id);
      expect(view.timeline.filter((e) => e.kind === 'send')).toHaveLength(1);
      expect(view.timeline.at(-1)).toMatchObject({ kind: 'end', status: 'stopped', reason: 'send_failed' });
      const unsubscribe =
        mail?.raw.headerLines.find((h) => h.key === 'list-unsubscribe')?.line.replace(/^[^:]+:\s*/, '') ?? '';
      const token = /\/v1\/unsubscribe\/([^>]+)>$/.exec(unsubscribe)?.[1] ?? '';
      expect(await api.service.unsubscribeByToken(token)).toMatchObject({ status: 'accepted' });
      expect(await worker.stop()).toBe(0);
    });

    it('a worker killed after the SMTP server took a message but before its commit: the resend carries the same Message-ID', async () => {
      const first = startWorker();
      const held = sink.holdNext();
      const { campaign, email } = await createCampaign();
      await held.arrived; // the server has the intro; the worker waits for its reply (its claim is committed)
      await first.stop('SIGKILL');
      held.release();
      const second = startWorker();
      const mails = await sink.waitFor(to(email), 3, 40_000);
      await waitForStatus(campaign.id, 'completed');
      const [intro, resent, bump] = mails;
      expect([intro?.subject, resent?.subject, bump?.subject]).toEqual([
        'Hello Ada <Lovelace>',
        'Hello Ada <Lovelace>',
        'Bump for Ada <Lovelace>',
      ]);
      // the only duplicate possible: the same message, with the same Message-ID, which receivers deduplicate
      expect(resent?.messageId).toBe(intro?.messageId);
      const { timeline } = await api.service.getCampaign(campaign.id);
      expect(timeline.filter((e) => e.kind === 'send')).toHaveLength(2);
      expect(await second.stop()).toBe(0);
    });

    it.runIf(backend === 'bullmq')(
      'FLUSHALL on Redis mid-campaign is repaired by the reconcile loop (on the shared cluster: every key of the queue)',
      async () => {
        const worker = startWorker();
        const { campaign, email } = await createCampaign();
        await sink.waitFor(to(email));
        if (redis) {
          const client = new Redis(redis.url);
          await client.flushall();
          client.disconnect();
        } else {
          // Other tests share the cluster: lose this queue's keys in every shard, as a flush would.
          for (const queue of api.dashboardQueues) await queue.obliterate({ force: true });
        }
        await sink.waitFor(to(email), 2, 20_000);
        await waitForStatus(campaign.id, 'completed');
        expect(sink.received.filter(to(email))).toHaveLength(2);
        expect(await worker.stop()).toBe(0);
      },
    );

    it('SIGTERM lets the send in flight finish before the worker exits', async () => {
      const worker = startWorker({ LOG_LEVEL: 'info' }); // its shutdown line is at info
      const held = sink.holdNext();
      const { campaign } = await createCampaign();
      await held.arrived; // the worker has claimed the send and waits for the SMTP reply
      const exited = worker.stop('SIGTERM');
      // The worker's own word that it took the signal; the send it holds keeps it from exiting.
      await waitFor(
        () => worker.output().includes('shutting down: finishing actions in flight'),
        () => `the worker never logged its shutdown:\n${worker.output()}`,
      );
      expect(worker.child.exitCode).toBeNull(); // still finishing
      expect(worker.output()).not.toContain('"msg":"stopped"');
      held.release();
      expect(await exited).toBe(0);
      await waitForSent(campaign.id, 1);
      const view = await api.service.getCampaign(campaign.id);
      expect(view.pendingActions).toEqual([expect.objectContaining({ kind: 'timeout', event: 'no_open' })]);
    });

    it('two worker processes on one queue never double-send', async () => {
      const pair = [startWorker(), startWorker()];
      const created = await Promise.all(Array.from({ length: 10 }, () => createCampaign()));
      for (const { email } of created) await sink.waitFor(to(email), 2, 30_000);
      for (const { campaign } of created) await waitForStatus(campaign.id, 'completed');
      await waitForDrained(
        api,
        created.map((c) => c.campaign.id),
      ); // no job left on either worker that could send again
      for (const { email } of created) {
        const mails = sink.received.filter(to(email));
        expect(mails.map((m) => m.subject)).toEqual(['Hello Ada <Lovelace>', 'Bump for Ada <Lovelace>']);
      }
      const emails = new Set(created.map((c) => c.email));
      const ids = sink.received.filter((m) => emails.has(m.to)).map((m) => m.messageId);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
      expect(await Promise.all(pair.map((w) => w.stop()))).toEqual([0, 0]);
    });
  },
);
