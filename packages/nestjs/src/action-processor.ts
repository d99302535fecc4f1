import type { BullmqScheduler } from '@campaign/adapter-bullmq';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';

/*
 * No decorator syntax in this package: the workers' main runs it from its TypeScript source under Node's
 * type stripping, which has no decorators. `Processor(...)` is applied as a call, to a class made per
 * module instance, because the queue and the worker options come from the module's options.
 */

/**
 * The engine's BullMQ jobs as a `@nestjs/bullmq` processor: each job goes to the BullmqScheduler's
 * handler (`processJob`: the execution service's `executeAction`), which keeps the scheduler's guarantees
 * (a job its handler scheduled again goes back to delayed; a throwing handler is retried).
 */
export class CampaignActionProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  readonly #scheduler: BullmqScheduler;
  readonly #logger: Logger;

  constructor(scheduler: BullmqScheduler, logger: Logger) {
    super();
    this.#scheduler = scheduler;
    this.#logger = logger;
  }

  process(job: Job, token?: string): Promise<void> {
    return this.#scheduler.processJob(job, token);
  }

  onApplicationBootstrap(): void {
    // ioredis retries a lost connection; without a listener BullMQ's 'error' event would end the process.
    this.worker.on('error', (error) => this.#logger.warn({ err: error }, 'BullMQ worker error'));
  }

  /** Takes no more jobs and lets those in flight finish while the database is still open. */
  async onModuleDestroy(): Promise<void> {
    let worker: WorkerHost['worker'];
    try {
      worker = this.worker;
    } catch {
      return; // never registered: the app failed before onModuleInit
    }
    await worker.close();
  }
}

/** A processor for the scheduler's queue, with the worker options its own Worker would have. */
export function createActionProcessor(scheduler: BullmqScheduler, logger: Logger): CampaignActionProcessor {
  const settings = scheduler.workerOptions();
  class QueueActionProcessor extends CampaignActionProcessor {}
  Processor(settings.queueName, settings.worker)(QueueActionProcessor);
  return new QueueActionProcessor(scheduler, logger);
}
