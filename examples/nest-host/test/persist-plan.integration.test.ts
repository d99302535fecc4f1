import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService, PlanValidationError } from '@campaign/core';
import { RecordingTransport } from '@campaign/core/testing';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { CampaignActionProcessor } from '@campaign/nestjs';
import { Test, type TestingModule } from '@nestjs/testing';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../src/app.module.ts';
import { ContactCampaignPlanService } from '../src/contact-campaign-plan.service.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const QUEUE_NAME = `nest-host-${randomUUID()}`;

/** The seed's plan shape: a send due at once (no quiet hours: the test runs at any hour), then a bump. */
const PLAN = {
  version: '1.0',
  timezone: 'UTC',
  startNodeId: 'email_intro',
  nodes: [
    {
      id: 'email_intro',
      action: 'send',
      subject: 'Introduction to our solution',
      body: 'Hi {{name|there}}, worth a look?',
      schedule: { delay: 'PT0S' },
      transitions: [{ on: 'no_open', to: 'email_bump_1', after: 'PT72H' }],
    },
    {
      id: 'email_bump_1',
      action: 'send',
      subject: 'Re: Introduction to our solution',
      body: 'Bumping this.',
      schedule: { delay: 'P1D' },
    },
  ],
};

let database: TestDatabase;
let app: TestingModule;
const transport = new RecordingTransport();

beforeAll(async () => {
  database = await createTestDatabase('postgres');
  app = await Test.createTestingModule({
    imports: [
      AppModule.register(
        {
          DATABASE_URL: database.url,
          REDIS_URL,
          QUEUE_NAME,
          UNSUBSCRIBE_SECRET: 'nest-host-unsubscribe-secret',
          LOG_LEVEL: 'silent',
        },
        { transport },
      ),
    ],
  }).compile();
  await app.init();
});

afterAll(async () => {
  await app?.close();
  const queue = new Queue(QUEUE_NAME, { connection: { url: REDIS_URL }, prefix: '{campaign}' });
  await queue.obliterate({ force: true });
  await queue.close();
  await database?.dispose();
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a host app embedding the engine', { timeout: 30_000 }, () => {
  it('persistPlan creates the campaign, and the BullMQ processor sends its first email', async () => {
    const plans = app.get(ContactCampaignPlanService);
    const persisted = await plans.persistPlan({ email: 'ada@example.com', name: 'Ada' }, PLAN, 'request-1');
    expect(persisted).toMatchObject({ status: 'active', created: true });

    await until(() => transport.sent.length === 1);
    expect(transport.sent[0]).toMatchObject({
      campaignId: persisted.campaignId,
      to: 'ada@example.com',
      subject: 'Introduction to our solution',
    });
    const processor = app.get(CampaignActionProcessor, { strict: false });
    expect(processor.worker.name).toBe(QUEUE_NAME);

    // The send's step commits after the provider accepted it: then its no_open timeout is all that is left.
    const engine = app.get(CampaignPlanExecutionService);
    let pending: unknown[] = [];
    await until(async () => {
      const details = await engine.getCampaign(persisted.campaignId);
      pending = details.pendingActions.map((a) => [a.kind, a.nodeId, a.event]);
      return details.pendingActions.some((a) => a.kind === 'timeout');
    });
    expect(pending).toEqual([['timeout', 'email_intro', 'no_open']]);
  });

  it('a retried request returns the first campaign; a bad plan is refused with the validator issues', async () => {
    const plans = app.get(ContactCampaignPlanService);
    const again = await plans.persistPlan({ email: 'ada@example.com', name: 'Ada' }, PLAN, 'request-1');
    expect(again.created).toBe(false);
    await expect(
      plans.persistPlan({ email: 'bob@example.com' }, { ...PLAN, startNodeId: 'nope' }),
    ).rejects.toThrow(PlanValidationError);
  });
});
