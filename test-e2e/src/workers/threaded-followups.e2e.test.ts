import { randomUUID } from 'node:crypto';
import { CampaignPlanExecutionService, type Plan, type TimelineEntry } from '@campaign/core';
import { InMemoryScheduler, ManualClock } from '@campaign/core/testing';
import { KyselyCampaignStore } from '@campaign/db';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { SmtpTransport } from '@campaign/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReceivedMail, SmtpSink } from '../support/smtp-sink.ts';

/*
 * Threaded follow-ups (DESIGN section 10) through the real SMTP transport into a real SMTP server, each
 * message parsed back with mailparser: a `thread: true` send replies to the campaign's latest sent email
 * (In-Reply-To its Message-ID, References its chain then its Message-ID, "Re: " + its subject unless the
 * node gives one). Time is a manual clock; the sends run as the scheduler delivers them.
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');
const DAY_MS = 86_400_000;
const DOMAIN = 'threads.e2e.test';

const plan: Plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Offer for {{name}}',
      body: '<p>Hi {{name}}</p>',
      transitions: [{ on: 'no_reply', to: 'nudge', after: 'P1D' }],
    },
    {
      id: 'nudge',
      action: 'send',
      thread: true,
      body: '<p>Any thoughts?</p>',
      transitions: [{ on: 'no_reply', to: 'last', after: 'P1D' }],
    },
    {
      id: 'last',
      action: 'send',
      thread: true,
      subject: 'Last note',
      body: '<p>Closing the loop.</p>',
      transitions: [],
    },
  ],
};

describe('threaded follow-ups over SMTP', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let transport: SmtpTransport;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    sink = new SmtpSink();
    transport = new SmtpTransport({ url: await sink.listen(), from: 'Campaigns <campaigns@e2e.test>' });
  }, 30_000);
  afterAll(async () => {
    transport?.close();
    await sink?.close();
    await database?.dispose();
  });

  it('the follow-ups reply in the thread of the latest sent email', async () => {
    const clock = new ManualClock(T0);
    const scheduler = new InMemoryScheduler(clock);
    const service = new CampaignPlanExecutionService({
      store: new KyselyCampaignStore(database.db),
      scheduler,
      transport,
      clock,
      messageIdDomain: DOMAIN,
    });
    await scheduler.start(async (id) => {
      await service.executeAction(id);
    });
    const to = `${randomUUID()}@example.com`;
    const { campaign } = await service.persistPlan({ contact: { email: to, name: 'Ada' }, plan });
    const mine = (mail: ReceivedMail) => mail.to === to;

    await scheduler.runDue();
    const [first] = await sink.waitFor(mine, 1);
    await scheduler.advanceTo(new Date(T0.getTime() + DAY_MS));
    const [, second] = await sink.waitFor(mine, 2);
    await scheduler.advanceTo(new Date(T0.getTime() + 2 * DAY_MS));
    const [, , third] = await sink.waitFor(mine, 3);
    if (!first || !second || !third) throw new Error('three messages expected');

    expect(first.subject).toBe('Offer for Ada');
    expect(first.raw.inReplyTo).toBeUndefined();
    expect(first.messageId).toMatch(new RegExp(`^<[0-9a-f-]{36}\\.[^@]+@${DOMAIN.replaceAll('.', '\\.')}>$`));

    expect(second.raw.inReplyTo).toBe(first.messageId);
    expect(second.raw.references).toBe(first.messageId);
    expect(second.subject).toBe(`Re: ${first.subject}`);

    // The node's own subject wins; the chain grows by the email replied to.
    expect(third.subject).toBe('Last note');
    expect(third.raw.inReplyTo).toBe(second.messageId);
    expect(third.raw.references).toEqual([first.messageId, second.messageId]);

    // The timeline's send entries name our id of the email replied to, as the simulator does.
    const { timeline } = await service.getCampaign(campaign.id);
    const sends = timeline.filter(
      (entry): entry is Extract<TimelineEntry, { kind: 'send' }> => entry.kind === 'send',
    );
    expect(sends.map((s) => s.node)).toEqual(['intro', 'nudge', 'last']);
    const ids = sends.map((s) => s.message);
    // Each Message-ID carries the message id and its contact's (DESIGN section 9).
    expect(first.messageId).toBe(`<${ids[0]}.${campaign.contactId}@${DOMAIN}>`);
    expect(second.messageId).toBe(`<${ids[1]}.${campaign.contactId}@${DOMAIN}>`);
    expect(sends.map((s) => ('inReplyTo' in s ? s.inReplyTo : undefined))).toEqual([
      undefined,
      ids[0],
      ids[1],
    ]);
    expect(sends.map((s) => ('subject' in s ? s.subject : undefined))).toEqual([
      'Offer for Ada',
      'Re: Offer for Ada',
      'Last note',
    ]);
  });
});
