import { BullmqScheduler } from '@campaign/adapter-bullmq';
import { CampaignPlanExecutionService, type Clock, type Transport } from '@campaign/core';
import {
  createRuntime,
  type PrometheusMetrics,
  type RunningWorker,
  type Runtime,
  type RuntimeConfig,
  startWorker,
} from '@campaign/runtime';
import { BullModule } from '@nestjs/bullmq';
import {
  type DynamicModule,
  type FactoryProvider,
  Module,
  type ModuleMetadata,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { CampaignActionProcessor, createActionProcessor } from './action-processor.ts';
import { CAMPAIGN_ENGINE_RUNTIME, CAMPAIGN_ENGINE_SETTINGS, CAMPAIGN_ENGINE_WORKER } from './tokens.ts';

/** What the engine is built from; everything but `config` has the runtime's default. */
export interface CampaignEngineSettings {
  /** The database, queue backend and engine settings, as `loadConfig(env)` of @campaign/runtime reads them. */
  config: RuntimeConfig;
  /** Where sends go. Default: SMTP when `config.smtpUrl` is set, else the log. */
  transport?: Transport;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: pino at `config.logLevel`, secrets redacted. */
  logger?: Logger;
  metrics?: PrometheusMetrics;
}

export interface CampaignEngineOptions extends CampaignEngineSettings {
  /**
   * Run the engine's jobs in this app: the BullMQ processor or the pg-boss consumer, and the reconcile
   * loop. Default true. False: this app only schedules (an API whose workers run elsewhere).
   */
  workers?: boolean;
}

export interface CampaignEngineAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: never[]) => CampaignEngineSettings | Promise<CampaignEngineSettings>;
  inject?: FactoryProvider['inject'];
  /**
   * The queue backend and queue name, fixed when the module is declared (they decide whether a BullMQ
   * processor is declared, and for which queue). Boot fails when the factory's `config` says otherwise.
   */
  queueBackend: RuntimeConfig['queueBackend'];
  /** Default `campaign-actions` (QUEUE_NAME's default). */
  queueName?: string;
  /**
   * QUEUE_SHARDS, fixed here too: with more than one BullMQ queue no `@nestjs/bullmq` processor is declared
   * (the scheduler runs a Worker per shard). Default 1.
   */
  queueShards?: number;
  /** As in `forRoot`. Default true. */
  workers?: boolean;
}

interface Shape {
  queueBackend: RuntimeConfig['queueBackend'];
  queueName: string;
  queueShards: number;
  workers: boolean;
  /** Whether the module made the runtime, and so closes it. */
  owned: boolean;
}

/** Stops the jobs, then closes the engine's queue clients and database, when the app closes. */
class EngineShutdown implements OnApplicationShutdown {
  readonly #runtime: Runtime;
  readonly #worker: RunningWorker | undefined;

  readonly #owned: boolean;

  constructor(runtime: Runtime, worker: RunningWorker | undefined, owned: boolean) {
    this.#runtime = runtime;
    this.#worker = worker;
    this.#owned = owned;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.#worker?.stop();
    if (this.#owned) await this.#runtime.close();
  }
}

/** One BullMQ queue run by this app's workers: a `@nestjs/bullmq` processor takes its jobs. */
function hasProcessor(shape: Shape): boolean {
  return shape.workers && shape.queueBackend === 'bullmq' && shape.queueShards === 1;
}

function bullmqScheduler(runtime: Runtime): BullmqScheduler {
  if (!(runtime.scheduler instanceof BullmqScheduler))
    throw new Error('CampaignEngineModule: a BullMQ processor needs QUEUE_BACKEND=bullmq');
  return runtime.scheduler;
}

/**
 * The campaign engine for a NestJS app: `CampaignPlanExecutionService` by injection (its class is the
 * token), built by @campaign/runtime from the options (database migrated, the Scheduler of the queue
 * backend, the transport). With BullMQ the jobs run in a `@nestjs/bullmq` processor declared here (its
 * queue injectable with `@InjectQueue(queueName)`); with pg-boss the same handler runs on pg-boss's
 * consumer, started on init. On shutdown the jobs in flight finish before the database closes (call
 * `enableShutdownHooks()` for signals).
 */
// biome-ignore lint/complexity/noStaticOnlyClass: a NestJS dynamic module is a class with static factories
export class CampaignEngineModule {
  static forRoot(options: CampaignEngineOptions): DynamicModule {
    const { workers = true, ...settings } = options;
    return CampaignEngineModule.build(
      {
        queueBackend: settings.config.queueBackend,
        queueName: settings.config.queueName,
        queueShards: settings.config.queueShards,
        workers,
        owned: true,
      },
      {
        module: CampaignEngineSettingsModule,
        providers: [{ provide: CAMPAIGN_ENGINE_SETTINGS, useValue: settings }],
      },
    );
  }

  /**
   * For an app that made its Runtime itself (`createRuntime`; with `workers` on BullMQ, made with
   * `ownQueueWorker: false`, or its scheduler would run a Worker of its own beside the processor). The
   * module uses it as it is and leaves closing it to its maker; on shutdown it stops the workers only.
   */
  static forRuntime(runtime: Runtime, options: { workers?: boolean } = {}): DynamicModule {
    const { queueBackend, queueName, queueShards } = runtime.config;
    return CampaignEngineModule.build(
      { queueBackend, queueName, queueShards, workers: options.workers ?? true, owned: false },
      {
        module: CampaignEngineSettingsModule,
        providers: [{ provide: CAMPAIGN_ENGINE_SETTINGS, useValue: runtime }],
      },
    );
  }

  static forRootAsync(options: CampaignEngineAsyncOptions): DynamicModule {
    const shape: Shape = {
      queueBackend: options.queueBackend,
      queueName: options.queueName ?? 'campaign-actions',
      queueShards: options.queueShards ?? 1,
      workers: options.workers ?? true,
      owned: true,
    };
    return CampaignEngineModule.build(shape, {
      module: CampaignEngineSettingsModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: CAMPAIGN_ENGINE_SETTINGS,
          useFactory: options.useFactory as (...args: unknown[]) => Promise<CampaignEngineSettings>,
          inject: options.inject ?? [],
        },
      ],
    });
  }

  private static build(shape: Shape, settingsModule: DynamicModule): DynamicModule {
    const engine: DynamicModule = {
      module: CampaignEngineRuntimeModule,
      imports: [{ ...settingsModule, exports: [CAMPAIGN_ENGINE_SETTINGS] }],
      providers: [
        {
          provide: CAMPAIGN_ENGINE_RUNTIME,
          inject: [CAMPAIGN_ENGINE_SETTINGS],
          useFactory: async (settings: CampaignEngineSettings | Runtime): Promise<Runtime> => {
            if (!shape.owned) return settings as Runtime;
            const { config, ...parts } = settings as CampaignEngineSettings;
            if (config.queueBackend !== shape.queueBackend || config.queueName !== shape.queueName) {
              throw new Error(
                `CampaignEngineModule: declared for ${shape.queueBackend} queue ${shape.queueName}, ` +
                  `configured for ${config.queueBackend} queue ${config.queueName}`,
              );
            }
            if (config.queueShards !== shape.queueShards) {
              throw new Error(
                `CampaignEngineModule: declared for ${shape.queueShards} queue shards, ` +
                  `configured for ${config.queueShards} (QUEUE_SHARDS)`,
              );
            }
            // BullMQ's jobs are taken by the processor below, not by a Worker of the scheduler's own.
            return createRuntime(config, { ...parts, ownQueueWorker: !hasProcessor(shape) });
          },
        },
      ],
      exports: [CAMPAIGN_ENGINE_RUNTIME],
    };
    const providers: Provider[] = [
      {
        provide: CampaignPlanExecutionService,
        inject: [CAMPAIGN_ENGINE_RUNTIME],
        useFactory: (runtime: Runtime) => runtime.service,
      },
      {
        // Instantiated before any onModuleInit: the handler is in place before the processor's Worker runs.
        provide: CAMPAIGN_ENGINE_WORKER,
        inject: [CAMPAIGN_ENGINE_RUNTIME],
        useFactory: async (runtime: Runtime) =>
          new EngineShutdown(runtime, shape.workers ? await startWorker(runtime) : undefined, shape.owned),
      },
    ];
    const imports: DynamicModule[] = [engine];
    // The runtime's module is exported whole: that is how Nest re-exports an imported provider.
    const exports: (DynamicModule | typeof CampaignPlanExecutionService)[] = [
      CampaignPlanExecutionService,
      engine,
    ];
    if (hasProcessor(shape)) {
      const queue = BullModule.registerQueueAsync({
        name: shape.queueName,
        imports: [engine],
        inject: [CAMPAIGN_ENGINE_RUNTIME],
        useFactory: (runtime: Runtime) => {
          const { connection, prefix } = bullmqScheduler(runtime).workerOptions();
          return { connection, prefix };
        },
      });
      imports.push(queue);
      exports.push(queue);
      providers.push({
        provide: CampaignActionProcessor,
        inject: [CAMPAIGN_ENGINE_RUNTIME],
        useFactory: (runtime: Runtime) => createActionProcessor(bullmqScheduler(runtime), runtime.logger),
      });
    }
    return {
      module: CampaignEngineModule,
      imports,
      providers,
      exports,
    };
  }
}

class CampaignEngineSettingsModule {}
class CampaignEngineRuntimeModule {}
for (const module of [CampaignEngineModule, CampaignEngineSettingsModule, CampaignEngineRuntimeModule])
  Module({})(module);
