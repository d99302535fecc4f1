import { randomUUID } from 'node:crypto';
import { CampaignListError, type Plan, planShape } from '@campaign/core';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { listCampaigns } from './kysely-contact-admin.ts';
import { createTestDatabase, manualEngine, type TestDatabase } from './testing.ts';

/*
 * GET /v1/campaigns (issue 14): filters, newest-first keyset pages, the stored plan; and on a few thousand
 * campaigns every list query reads contact_campaigns through an index (EXPLAIN), never a whole-table scan.
 */

const T0 = new Date('2026-01-05T10:00:00.000Z');

function sendPlan(subject: string): Plan {
  return {
    version: '1.0',
    timezone: 'UTC',
    startNodeId: 'intro',
    nodes: [
      { id: 'intro', action: 'send', subject, body: 'Hi', schedule: { delay: 'PT1H' }, transitions: [] },
    ],
  };
}

/** A split; `experiment` named or not (then its node id, `pick`, is the experiment). */
function splitPlan(experiment?: string): Plan {
  return {
    version: '1.1',
    timezone: 'UTC',
    startNodeId: 'pick',
    nodes: [
      {
        id: 'pick',
        action: 'split',
        ...(experiment ? { experiment } : {}),
        variants: [
          { id: 'a', weight: 1, to: 'a' },
          { id: 'b', weight: 1, to: 'b' },
        ],
      },
      { id: 'a', action: 'send', subject: 'A', body: 'Hi', schedule: { delay: 'PT1H' }, transitions: [] },
      { id: 'b', action: 'send', subject: 'B', body: 'Hi', schedule: { delay: 'PT1H' }, transitions: [] },
    ],
  };
}

describe.each(['postgres', 'pglite'] as const)('campaign list on %s', (kind) => {
  let database: TestDatabase;
  let engine: ReturnType<typeof manualEngine>;
  /** Created in this order, a minute apart. */
  const ids: string[] = [];
  const emails = [`list-a-${randomUUID()}@example.com`, `list-b-${randomUUID()}@example.com`];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    engine = manualEngine(new KyselyCampaignStore(database.db), T0);
    const plans = [
      sendPlan('one'),
      sendPlan('two'),
      splitPlan('subject-test'),
      splitPlan(),
      sendPlan('five'),
    ];
    for (const [i, plan] of plans.entries()) {
      const email = emails[i % 2] as string;
      const { campaign } = await engine.service.persistPlan({ contact: { email }, plan });
      ids.push(campaign.id);
      engine.clock.advance(60_000);
    }
    await engine.service.cancel(ids[1] as string);
    // Made after the campaigns, so that none got it by default.
    await engine.service.senders.create({
      id: 'snd_x',
      channel: 'email',
      from: 'x@acme.example',
      timezone: 'UTC',
      caps: { daily: 10 },
    });
    await database.db
      .updateTable('contact_campaigns')
      .set({ email_sender_id: 'snd_x' })
      .where('id', '=', ids[3] as string)
      .execute();
  }, 60_000);
  afterAll(async () => database?.dispose());

  const listed = async (request: Parameters<typeof engine.service.listCampaigns>[0]) =>
    (await engine.service.listCampaigns(request)).items.map((c) => c.id);

  it('lists newest first and filters by status, email, sender, experiment and plan shape', async () => {
    const [c1, c2, c3, c4, c5] = ids as [string, string, string, string, string];
    expect(await listed({})).toEqual([c5, c4, c3, c2, c1]);
    expect(await listed({ status: 'cancelled' })).toEqual([c2]);
    expect(await listed({ status: 'active' })).toEqual([c5, c4, c3, c1]);
    // Campaigns 1, 3, 5 are the first address's; any letter case.
    expect(await listed({ email: (emails[0] as string).toUpperCase() })).toEqual([c5, c3, c1]);
    expect(await listed({ sender: 'snd_x' })).toEqual([c4]);
    expect(await listed({ experiment: 'subject-test' })).toEqual([c3]);
    // An unnamed split's experiment is its node id.
    expect(await listed({ experiment: 'pick' })).toEqual([c4]);
    // Same graph, other texts: one shape for 1, 2 and 5; the named and unnamed splits share theirs.
    expect(await listed({ planShape: planShape(sendPlan('any')) })).toEqual([c5, c2, c1]);
    expect(await listed({ planShape: planShape(splitPlan()) })).toEqual([c4, c3]);
    expect(await listed({ status: 'active', email: emails[1] })).toEqual([c4]);
  });

  it('pages by cursor: every campaign once, in order, the last page without a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await engine.service.listCampaigns({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('refuses a bad status, limit or cursor', async () => {
    for (const [request, code] of [
      [{ status: 'running' }, 'invalid_filter'],
      [{ planShape: 'abc' }, 'invalid_filter'],
      [{ limit: 0 }, 'invalid_limit'],
      [{ limit: 201 }, 'invalid_limit'],
      [{ limit: Number.NaN }, 'invalid_limit'],
      [{ cursor: 'not a cursor' }, 'invalid_cursor'],
      [{ cursor: Buffer.from('12.not-a-uuid').toString('base64url') }, 'invalid_cursor'],
    ] as const) {
      await expect(engine.service.listCampaigns(request)).rejects.toMatchObject({ code });
    }
    await expect(engine.service.listCampaigns({ status: 'x' })).rejects.toBeInstanceOf(CampaignListError);
  });

  it('answers the stored plan and its version; an update shows the new one', async () => {
    const id = ids[0] as string;
    const { contactId } = (await engine.service.getCampaign(id)).campaign;
    expect(await engine.service.getCampaignPlan(id)).toEqual({
      campaignId: id,
      contactId,
      planVersion: 1,
      plan: sendPlan('one'),
    });
    await engine.service.updatePlan(id, sendPlan('one, again'));
    // By the routed id (`<uuid>.<contact id>`) as by the bare one.
    expect(await engine.service.getCampaignPlan(`${id}.${contactId}`)).toEqual({
      campaignId: id,
      contactId,
      planVersion: 2,
      plan: sendPlan('one, again'),
    });
    await expect(engine.service.getCampaignPlan(`${id}.someone-else`)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(engine.service.getCampaignPlan(randomUUID())).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('campaign list index use on 3,000 campaigns (Postgres EXPLAIN)', { timeout: 120_000 }, () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const engine = manualEngine(new KyselyCampaignStore(database.db), T0);
    await engine.service.persistPlan({ contact: { email: 'seed@example.com' }, plan: splitPlan('exp') });
    await engine.service.senders.create({
      id: 'snd_3',
      channel: 'email',
      from: 'x@acme.example',
      timezone: 'UTC',
      caps: { daily: 10 },
    });
    // Copies of the contact and its campaign, each a minute apart, a third of them on a sender.
    await sql`insert into contacts (id, email, attributes)
      select 'c' || g, 'c' || g || '@example.com', '{}' from generate_series(1, 3000) g`.execute(database.db);
    await sql`insert into contact_campaigns (contact_id, plan, plan_shape, timezone, status, created_at, updated_at, email_sender_id)
      select 'c' || g, cc.plan, cc.plan_shape, cc.timezone, case when g % 3 = 0 then 'completed' else 'active' end,
        cc.created_at + g * interval '1 minute', cc.updated_at, case when g % 7 = 3 then 'snd_3' end
      from contact_campaigns cc, generate_series(1, 3000) g`.execute(database.db);
    await sql`analyze`.execute(database.db);
  }, 120_000);
  afterAll(async () => database?.dispose());

  it('reads contact_campaigns through an index for every filter and a later page', async () => {
    const statements: CompiledQuery[] = [];
    const watched = database.db.withPlugin({
      transformQuery: (args) => {
        statements.push(database.db.getExecutor().compileQuery(args.node, args.queryId));
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const after = { createdAt: new Date(T0.getTime() + 1500 * 60_000), id: randomUUID() };
    const shape = planShape(splitPlan('exp'));
    for (const filter of [
      {},
      { status: 'completed' as const },
      { email: 'c42@example.com' },
      { senderId: 'snd_3' },
      { experiment: 'exp' },
      { planShape: shape },
    ]) {
      await listCampaigns(watched, filter, null, 51);
      await listCampaigns(watched, filter, after, 51);
    }
    const scans: string[] = [];
    for (const statement of statements) {
      const { rows } = await database.db.executeQuery<{ 'QUERY PLAN': string }>(
        CompiledQuery.raw(`explain ${statement.sql}`, [...statement.parameters]),
      );
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      if (/Seq Scan on contact_campaigns/.test(plan)) scans.push(`${statement.sql}\n${plan}`);
    }
    expect(statements).toHaveLength(12);
    expect(scans).toEqual([]);
  });
});
