import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { JobHandler, ScheduledJob, Scheduler } from '@campaign/core';
import { schedulerContractSuite } from '@campaign/core/testing';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { loadConfig, type Runtime } from '@campaign/runtime';
import { Test, type TestingModule } from '@nestjs/testing';
import { Queue } from 'bullmq';
import pino from 'pino';
import { CampaignEngineModule } from './campaign-engine.module.ts';
import { CAMPAIGN_ENGINE_RUNTIME, CAMPAIGN_ENGINE_WORKER } from './tokens.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The Scheduler of a Nest testing module built by CampaignEngineModule: `start` boots the module with the
 * suite's handler in place of the execution service's (the CAMPAIGN_ENGINE_WORKER provider), so with
 * BullMQ every delivery comes through the module's @nestjs/bullmq processor (the runtime's scheduler has
 * no Worker of its own), and with pg-boss through the consumer the module starts.
 */
class ModuleScheduler implements Scheduler {
  #app: TestingModule | undefined;
  #inner: Scheduler | undefined;
  readonly #env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv) {
    this.#env = env;
  }

  get enqueuesInTransaction(): boolean {
    return this.#inner?.enqueuesInTransaction ?? false;
  }

  get app(): TestingModule {
    if (!this.#app) throw new Error('not started');
    return this.#app;
  }

  async start(handler: JobHandler): Promise<void> {
    this.#app = await Test.createTestingModule({
      imports: [
        CampaignEngineModule.forRoot({ config: loadConfig(this.#env), logger: pino({ level: 'silent' }) }),
      ],
    })
      .overrideProvider(CAMPAIGN_ENGINE_WORKER)
      .useFactory({
        inject: [CAMPAIGN_ENGINE_RUNTIME],
        factory: async (runtime: Runtime) => {
          await runtime.scheduler.start(handler);
          return { onApplicationShutdown: () => runtime.close() };
        },
      })
      .compile();
    await this.#app.init();
    this.#inner = this.#app.get<Runtime>(CAMPAIGN_ENGINE_RUNTIME).scheduler;
  }

  private get inner(): Scheduler {
    if (!this.#inner) throw new Error('ModuleScheduler: start first');
    return this.#inner;
  }

  schedule(jobs: readonly ScheduledJob[]): Promise<void> {
    return this.inner.schedule(jobs);
  }

  cancel(actionIds: readonly string[]): Promise<void> {
    return this.inner.cancel(actionIds);
  }

  async close(): Promise<void> {
    await this.#app?.close();
    this.#app = undefined;
    this.#inner = undefined;
  }
}

for (const backend of ['bullmq', 'pgboss'] as const) {
  schedulerContractSuite(
    `CampaignEngineModule on ${backend}`,
    async () => {
      const database: TestDatabase = await createTestDatabase('postgres');
      const queueName = `module-contract-${randomUUID()}`;
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: backend === 'bullmq' ? REDIS_URL : undefined,
        QUEUE_BACKEND: backend,
        QUEUE_NAME: queueName,
        QUEUE_POLL_SECONDS: '0.5',
        UNSUBSCRIBE_SECRET: 'module-contract-unsubscribe-secret',
        LOG_LEVEL: 'silent',
      };
      let current = new ModuleScheduler(env);
      return {
        scheduler: current,
        now: () => new Date(),
        wait: sleep,
        restart: async () => {
          await current.close();
          current = new ModuleScheduler(env);
          return current;
        },
        dispose: async () => {
          await current.close();
          if (backend === 'bullmq') {
            const queue = new Queue(queueName, { connection: { url: REDIS_URL }, prefix: '{campaign}' });
            await queue.obliterate({ force: true });
            await queue.close();
          }
          await database.dispose();
        },
      };
    },
    { maxLatenessMs: backend === 'bullmq' ? 1000 : 1500 },
  );
}
