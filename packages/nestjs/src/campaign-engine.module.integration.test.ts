import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService } from '@campaign/core';
import { RecordingTransport } from '@campaign/core/testing';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { createRuntime, loadConfig, type Runtime } from '@campaign/runtime';
import { Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Queue } from 'bullmq';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CampaignActionProcessor } from './action-processor.ts';
import { CampaignEngineModule } from './campaign-engine.module.ts';
import { CAMPAIGN_ENGINE_RUNTIME } from './tokens.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const silent = pino({ level: 'silent' });

/** One send, due at once, no quiet hours: its delivery is the job the module's consumer ran. */
const PLAN = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'hello',
  nodes: [
    { id: 'hello', action: 'send', subject: 'Hello', body: 'Hi {{name|there}}', schedule: { delay: 'PT0S' } },
  ],
};

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let database: TestDatabase;
let app: TestingModule | undefined;
const queues: string[] = [];

function env(backend: 'bullmq' | 'pgboss', queueName = `module-${randomUUID()}`): NodeJS.ProcessEnv {
  queues.push(queueName);
  return {
    DATABASE_URL: database.url,
    REDIS_URL: backend === 'bullmq' ? REDIS_URL : undefined,
    QUEUE_BACKEND: backend,
    QUEUE_NAME: queueName,
    QUEUE_POLL_SECONDS: '0.5',
    UNSUBSCRIBE_SECRET: 'module-test-unsubscribe-secret',
    LOG_LEVEL: 'silent',
  };
}

beforeAll(async () => {
  database = await createTestDatabase('postgres');
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

afterAll(async () => {
  for (const name of queues.splice(0)) {
    const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix: '{campaign}' });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await database.dispose();
});

describe('CampaignEngineModule', { timeout: 30_000 }, () => {
  it('forRoot on BullMQ: the injected service persists a plan and its first send goes out through the @nestjs/bullmq processor', async () => {
    const transport = new RecordingTransport();
    const config = loadConfig(env('bullmq'));
    app = await Test.createTestingModule({
      imports: [CampaignEngineModule.forRoot({ config, transport, logger: silent })],
    }).compile();
    await app.init();

    const service = app.get(CampaignPlanExecutionService);
    const runtime = app.get<Runtime>(CAMPAIGN_ENGINE_RUNTIME);
    expect(service).toBe(runtime.service);
    const processor = app.get(CampaignActionProcessor, { strict: false });
    expect(processor.worker.name).toBe(config.queueName);
    expect(processor.worker.isRunning()).toBe(true);

    const { campaign } = await service.persistPlan({
      contact: { email: 'ada@example.com', name: 'Ada' },
      plan: PLAN,
    });
    await until(() => transport.sent.length === 1);
    expect(transport.sent[0]).toMatchObject({
      campaignId: campaign.id,
      to: 'ada@example.com',
      subject: 'Hello',
    });
  });

  it('forRootAsync on pg-boss: options from an imported module, the same handler on the pg-boss consumer', async () => {
    const transport = new RecordingTransport();
    const ENV = Symbol('ENV');
    const settings = env('pgboss');
    class HostConfigModule {}
    Module({ providers: [{ provide: ENV, useValue: settings }], exports: [ENV] })(HostConfigModule);
    app = await Test.createTestingModule({
      imports: [
        CampaignEngineModule.forRootAsync({
          imports: [HostConfigModule],
          inject: [ENV],
          useFactory: (hostEnv: NodeJS.ProcessEnv) => ({
            config: loadConfig(hostEnv),
            transport,
            logger: silent,
          }),
          queueBackend: 'pgboss',
          queueName: settings.QUEUE_NAME,
        }),
      ],
    }).compile();
    await app.init();

    expect(() => app?.get(CampaignActionProcessor, { strict: false })).toThrow();
    const service = app.get(CampaignPlanExecutionService);
    const { campaign } = await service.persistPlan({ contact: { email: 'grace@example.com' }, plan: PLAN });
    await until(() => transport.sent.length === 1);
    expect(transport.sent[0]).toMatchObject({ campaignId: campaign.id, to: 'grace@example.com' });
  });

  it('forRootAsync fails at boot when the factory configures another backend or queue than declared', async () => {
    const settings = env('pgboss');
    const boot = Test.createTestingModule({
      imports: [
        CampaignEngineModule.forRootAsync({
          useFactory: () => ({ config: loadConfig(settings), logger: silent }),
          queueBackend: 'bullmq',
          queueName: settings.QUEUE_NAME,
        }),
      ],
    }).compile();
    await expect(boot).rejects.toThrow(
      `declared for bullmq queue ${settings.QUEUE_NAME}, configured for pgboss queue ${settings.QUEUE_NAME}`,
    );
  });

  it('forRuntime uses a runtime the app made: its service, its jobs run, and closing the app leaves it open', async () => {
    const transport = new RecordingTransport();
    const runtime = await createRuntime(loadConfig(env('bullmq')), {
      transport,
      logger: silent,
      ownQueueWorker: false,
    });
    try {
      app = await Test.createTestingModule({ imports: [CampaignEngineModule.forRuntime(runtime)] }).compile();
      await app.init();
      const service = app.get(CampaignPlanExecutionService);
      expect(service).toBe(runtime.service);
      const { campaign } = await service.persistPlan({
        contact: { email: 'edsger@example.com' },
        plan: PLAN,
      });
      await until(() => transport.sent.length === 1);

      await app.close();
      app = undefined;
      // Its maker still has it: the database answers.
      expect((await runtime.service.getCampaign(campaign.id)).campaign.id).toBe(campaign.id);
    } finally {
      await runtime.close();
    }
  });

  it('workers: false declares no processor and leaves the scheduled job in the queue', async () => {
    const transport = new RecordingTransport();
    const config = loadConfig(env('bullmq'));
    app = await Test.createTestingModule({
      imports: [CampaignEngineModule.forRoot({ config, transport, logger: silent, workers: false })],
    }).compile();
    await app.init();

    expect(() => app?.get(CampaignActionProcessor, { strict: false })).toThrow();
    await app
      .get(CampaignPlanExecutionService)
      .persistPlan({ contact: { email: 'alan@example.com' }, plan: PLAN });
    const queue = new Queue(config.queueName, { connection: { url: REDIS_URL }, prefix: '{campaign}' });
    try {
      // Every job of the adapter has a priority (so an urgent one can go first): it waits as `prioritized`.
      expect(await queue.getJobCounts('waiting', 'prioritized', 'active', 'completed')).toEqual({
        waiting: 0,
        prioritized: 1,
        active: 0,
        completed: 0,
      });
    } finally {
      await queue.close();
    }
    expect(transport.attempts).toEqual([]);
  });
});
