import type { Transport } from '@campaign/core';
import { CampaignEngineModule } from '@campaign/nestjs';
import { loadConfig } from '@campaign/runtime';
import { type DynamicModule, Module } from '@nestjs/common';
import { ContactCampaignPlanService } from './contact-campaign-plan.service.ts';

/** The host's configuration, as its own config module would provide it. */
export const HOST_ENV = Symbol('HOST_ENV');

@Module({})
class HostConfigModule {
  static register(env: NodeJS.ProcessEnv): DynamicModule {
    return {
      module: HostConfigModule,
      providers: [{ provide: HOST_ENV, useValue: env }],
      exports: [HOST_ENV],
    };
  }
}

/**
 * The host app: its services, and the engine on BullMQ with the settings read from the host's
 * configuration (DATABASE_URL, REDIS_URL, UNSUBSCRIBE_SECRET, SMTP_URL, ...; see @campaign/runtime).
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a NestJS dynamic module is a class with a static factory
export class AppModule {
  /** `transport` replaces the one of the configuration (SMTP_URL, else the log). */
  static register(env: NodeJS.ProcessEnv, options: { transport?: Transport } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CampaignEngineModule.forRootAsync({
          imports: [HostConfigModule.register(env)],
          inject: [HOST_ENV],
          useFactory: (hostEnv: NodeJS.ProcessEnv) => ({ config: loadConfig(hostEnv), ...options }),
          queueBackend: 'bullmq',
          queueName: env.QUEUE_NAME,
        }),
      ],
      providers: [ContactCampaignPlanService],
      exports: [ContactCampaignPlanService],
    };
  }
}
