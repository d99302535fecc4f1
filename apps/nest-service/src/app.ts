import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { CampaignEngineModule } from '@campaign/nestjs';
import {
  INBOUND_BODY_LIMIT_BYTES,
  InboundMailIntake,
  type Runtime,
  TwilioWebhookIntake,
  WebhookIntake,
  watchEngineGauges,
} from '@campaign/runtime';
import {
  createMailgunInboundCheck,
  createWebhookVerifier,
  InMemoryReplayCache,
  PROVIDER_NAMES,
  type ProviderName,
} from '@campaign/webhooks';
import { type DynamicModule, type INestApplication, Module, type Type } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import { AdminController } from './controllers/admin.controller.ts';
import { AnalyticsController } from './controllers/analytics.controller.ts';
import { AuthController } from './controllers/auth.controller.ts';
import { CampaignsController } from './controllers/campaigns.controller.ts';
import { ContactsController } from './controllers/contacts.controller.ts';
import { DocsController } from './controllers/docs.controller.ts';
import { EventsController } from './controllers/events.controller.ts';
import { HealthController } from './controllers/health.controller.ts';
import {
  INBOUND_INTAKE,
  InboundController,
  InboundWebhooksController,
} from './controllers/inbound.controller.ts';
import { PlansController } from './controllers/plans.controller.ts';
import { SendersController } from './controllers/senders.controller.ts';
import { TWILIO_INTAKE, TwilioWebhookController } from './controllers/twilio-webhook.controller.ts';
import { UnsubscribeController } from './controllers/unsubscribe.controller.ts';
import { WebhooksController } from './controllers/webhooks.controller.ts';
import { ApiKeyGuard, Authenticator } from './http/api-key.guard.ts';
import { mountConsole } from './http/console.ts';
import { httpMetrics } from './http/http-metrics.ts';
import { ProblemFilter } from './http/problem.filter.ts';
import { serializeRequestForLog } from './http/request-log.ts';
import { RUNTIME, WEBHOOK_INTAKE } from './tokens.ts';

/**
 * The one wiring module: the engine (CampaignEngineModule on the runtime shared with the workers) and the
 * runtime as providers.
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a NestJS dynamic module is a class with a static factory
export class AppModule {
  static forRuntime(
    runtime: Runtime,
    authenticator: Authenticator,
    extraControllers: Type[] = [],
    workers = false,
  ): DynamicModule {
    return {
      module: AppModule,
      // The engine (CampaignPlanExecutionService) and, with `workers`, its jobs in this process.
      imports: [CampaignEngineModule.forRuntime(runtime, { workers })],
      controllers: [
        AuthController,
        PlansController,
        CampaignsController,
        EventsController,
        // Before WebhooksController: its /v1/webhooks/:provider would take `twilio`.
        TwilioWebhookController,
        InboundWebhooksController,
        WebhooksController,
        InboundController,
        UnsubscribeController,
        HealthController,
        DocsController,
        AdminController,
        SendersController,
        AnalyticsController,
        ContactsController,
        ...extraControllers,
      ],
      providers: [
        { provide: Authenticator, useValue: authenticator },
        { provide: RUNTIME, useValue: runtime },
        { provide: WEBHOOK_INTAKE, useValue: webhookIntake(runtime) },
        { provide: TWILIO_INTAKE, useValue: twilioIntake(runtime) },
        { provide: INBOUND_INTAKE, useValue: inboundIntake(runtime) },
      ],
    };
  }
}

const BODY_LIMIT = '1mb';

/** The provider verifier from the configured secrets; SNS certificates are fetched (and cached by it). */
function webhookVerifier(runtime: Runtime) {
  const w = runtime.config.webhooks;
  return createWebhookVerifier(
    {
      sendgridPublicKey: w.sendgridPublicKey,
      mailgunSigningKey: w.mailgunSigningKey,
      postmark: w.postmark,
      resendSecret: w.resendSecret,
      ...(w.sesTopicArns.length > 0
        ? {
            ses: {
              topicArns: w.sesTopicArns,
              requireSignatureVersion2: w.sesRequireSignatureV2,
              fetchCertificate: async (url: string) => {
                const res = await fetch(url);
                if (!res.ok) throw new Error(`certificate fetch failed: ${res.status}`);
                return res.text();
              },
            },
          }
        : {}),
    },
    { replayCache: new InMemoryReplayCache() },
  );
}

/** Provider webhooks in: the verifier above, then the engine's batch intake (see WebhookIntake). */
function webhookIntake(runtime: Runtime): WebhookIntake<ProviderName> {
  return new WebhookIntake({
    providers: PROVIDER_NAMES,
    verifier: webhookVerifier(runtime),
    recordEvents: (batch) => runtime.service.recordEvents(batch),
    metrics: runtime.metrics,
    clock: runtime.clock,
    logger: runtime.logger,
  });
}

/** Twilio's status callbacks and inbound SMS (see TwilioWebhookIntake). */
function twilioIntake(runtime: Runtime): TwilioWebhookIntake {
  return new TwilioWebhookIntake({
    settings: runtime.config.twilio,
    publicUrl: runtime.config.publicUrl,
    engine: runtime.service,
    metrics: runtime.metrics,
    clock: runtime.clock,
  });
}

/** Inbound mail over HTTP (see InboundMailIntake); Mailgun's forwards are checked as its events are. */
function inboundIntake(runtime: Runtime): InboundMailIntake {
  const w = runtime.config.webhooks;
  return new InboundMailIntake({
    engine: runtime.service,
    sendgrid: w.sendgridInbound,
    postmark: w.postmark,
    mailgun: w.mailgunSigningKey ? createMailgunInboundCheck(w.mailgunSigningKey) : undefined,
    metrics: runtime.metrics,
    clock: runtime.clock,
    logger: runtime.logger,
  });
}

/**
 * The inbound mail routes read their body whole, whatever its type, up to INBOUND_BODY_LIMIT_BYTES (a 25
 * MB message and its form or JSON): over it, 413 message_too_large. Mounted before the JSON parser, which
 * then leaves these requests alone; every other route keeps the 1 MiB limit.
 */
const INBOUND_PATHS = [
  '/v1/inbound/mime',
  '/v1/webhooks/sendgrid-inbound',
  '/v1/webhooks/mailgun-inbound',
  '/v1/webhooks/postmark-inbound',
];

function inboundParser() {
  const parse = express.raw({ type: () => true, limit: INBOUND_BODY_LIMIT_BYTES });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (error?: unknown) => {
      const e = error as { type?: string } | undefined;
      if (e?.type === 'entity.too.large')
        return sendProblem(
          res,
          413,
          'message_too_large',
          'Message too large',
          'inbound messages are limited to 25 MB',
        );
      if (e)
        return sendProblem(res, 400, 'malformed_request', 'Malformed body', 'the body could not be read');
      if (Buffer.isBuffer(req.body)) (req as Request & { rawBody?: Buffer }).rawBody = req.body;
      next();
    });
}

function sendProblem(res: Response, status: number, code: string, title: string, detail: string): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title, status, code, detail }));
}

/** A body parser whose errors leave as problems (413 over 1 MiB, 400 for malformed JSON); keeps the raw bytes for signatures. */
function parser(make: typeof express.json) {
  const parse = make({
    limit: BODY_LIMIT,
    verify: (req, _res, buf) => {
      (req as Request & { rawBody?: Buffer }).rawBody = buf;
    },
  });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (error?: unknown) => {
      const e = error as { type?: string } | undefined;
      if (!e) return next();
      if (e.type === 'entity.too.large')
        return sendProblem(res, 413, 'payload_too_large', 'Payload too large', 'bodies are limited to 1 MiB');
      return sendProblem(res, 400, 'invalid_json', 'Malformed body', 'the body could not be parsed');
    });
}

/**
 * Builds the HTTP app on a runtime (not listening yet). `extraControllers` are added as they are (tests
 * use it to show that a route nobody marked public needs the key).
 */
export async function createApp(
  runtime: Runtime,
  apiKey: string,
  options: {
    extraControllers?: Type[];
    /**
     * Run the engine's jobs in this process (RUN_WORKERS, the embedded start). Default false. On BullMQ the
     * runtime must be made with `ownQueueWorker: false`: its jobs run in the module's processor.
     */
    workers?: boolean;
  } = {},
): Promise<INestApplication> {
  const authenticator = new Authenticator({
    apiKey,
    apiKeyPrevious: runtime.config.apiKeyPrevious,
    publicUrl: runtime.config.publicUrl,
    clock: runtime.clock,
  });
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRuntime(runtime, authenticator, options.extraControllers, options.workers),
    { bodyParser: false, logger: ['error', 'warn'] },
  );
  app.disable('x-powered-by');
  app.use(httpMetrics(runtime.metrics));
  watchEngineGauges(runtime);
  // Paths are matched exactly: /V1/... is not /v1/...
  app.set('case sensitive routing', true);
  app.use(
    pinoHttp({
      logger: runtime.logger,
      genReqId: (req, res) => {
        const id = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url?.startsWith('/health') ?? false },
      serializers: { req: serializeRequestForLog },
    }),
  );
  app.use(INBOUND_PATHS, inboundParser());
  app.use(parser(express.json));
  // A contact patch is a JSON Merge Patch (RFC 7396).
  app.use(
    '/v1/contacts',
    parser(((options: Parameters<typeof express.json>[0]) =>
      express.json({ ...options, type: 'application/merge-patch+json' })) as typeof express.json),
  );
  // HTML forms post urlencoded; only the sign-in and the unsubscribe links (RFC 8058's one-click body) take them.
  app.use('/auth', parser(express.urlencoded));
  app.use('/v1/unsubscribe', parser(express.urlencoded));
  // Twilio posts form-encoded; its signature covers the decoded params, the raw body is kept too.
  app.use('/v1/webhooks/twilio', parser(express.urlencoded));
  app.use(
    parser(((options: Parameters<typeof express.text>[0]) =>
      express.text({ ...options, type: 'text/plain' })) as typeof express.json),
  );
  app.useGlobalFilters(new ProblemFilter(runtime.logger));
  app.useGlobalGuards(new ApiKeyGuard(authenticator, app.get(Reflector)));
  const swaggerUi = createRequire(import.meta.url)('swagger-ui-dist') as { getAbsoluteFSPath(): string };
  app.useStaticAssets(swaggerUi.getAbsoluteFSPath(), { prefix: '/docs/assets' });
  mountConsole(app);
  if (runtime.dashboardQueues.length > 0) await mountBullBoard(app, runtime.dashboardQueues, authenticator);
  return app;
}

/**
 * Bull Board at /admin/queues, behind the API key or the sign-in (a browser without it is sent there):
 * every shard's queue (QUEUE_SHARDS). The shards share one queue name, which the board keys its queues
 * by, so each is listed under its key prefix (`{campaign-2}:campaign-actions`); one queue keeps its name.
 */
async function mountBullBoard(
  app: NestExpressApplication,
  queues: Runtime['dashboardQueues'],
  authenticator: Authenticator,
): Promise<void> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
  ]);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({
    queues: queues.map(
      (queue) =>
        new BullMQAdapter(queue, {
          readOnlyMode: false,
          prefix: queues.length > 1 ? `${queue.opts.prefix}:` : '',
        }),
    ),
    serverAdapter,
  });
  app.use('/admin/queues', (req: Request, res: Response, next: NextFunction) => {
    const result = authenticator.authenticate(req);
    if (result.ok) return next();
    if (result.status === 401 && req.method === 'GET' && req.accepts(['json', 'html']) === 'html')
      return res.redirect(303, `/auth/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
    sendProblem(
      res,
      result.status,
      result.code,
      result.status === 401 ? 'Unauthorized' : 'Forbidden',
      result.detail,
    );
  });
  // The queues are the scheduler's: the runtime closes them.
  app.use('/admin/queues', serverAdapter.getRouter());
}
