import { createHash, randomUUID } from 'node:crypto';
import { InvalidContactError, PlanValidationError } from '@campaign/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, manualEngine, type TestDatabase } from './testing.ts';

const T0 = new Date('2026-06-01T10:00:00.000Z'); // a Monday
const HOUR = 3_600_000;

/** DESIGN section 10's assignment, written out independently of core: the oracle for the split tests. */
function expectedVariant(
  experiment: string,
  key: string,
  variants: { id: string; weight: number }[],
): string {
  const u = createHash('sha256').update(`${experiment}:${key}`).digest().readUInt32BE(0) / 2 ** 32;
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  let cumulative = 0;
  for (const v of variants) {
    cumulative += v.weight;
    if (cumulative / total > u) return v.id;
  }
  throw new Error('no variant');
}

const VARIANTS = [
  { id: 'A', weight: 30 },
  { id: 'B', weight: 70 },
];

const splitPlan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'ab',
  nodes: [
    {
      id: 'ab',
      action: 'split',
      experiment: 'subject-q4',
      variants: VARIANTS.map((v) => ({ ...v, to: `email_${v.id.toLowerCase()}` })),
    },
    { id: 'email_a', action: 'send', subject: 'A', body: 'Hi A', transitions: [] },
    { id: 'email_b', action: 'send', subject: 'B', body: 'Hi B', transitions: [] },
  ],
};

/** Sends at once, may go until due + 2 h; nothing after it. */
const expiringPlan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'email_offer',
  nodes: [
    {
      id: 'email_offer',
      action: 'send',
      subject: 'Today only',
      body: 'Hi',
      schedule: { delay: 'PT1H', expireAfter: 'PT2H' },
      transitions: [],
    },
  ],
};

/** Branches on a genuine open of the intro once the reply timeout fires. */
const engagedPlan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hello',
      body: 'Hi',
      transitions: [{ on: 'no_reply', to: 'check', after: 'PT2H' }],
    },
    {
      id: 'check',
      action: 'branch',
      branches: [{ when: { engaged: 'opened', node: 'intro' }, to: 'opened_end' }],
      otherwise: 'silent_end',
    },
    { id: 'opened_end', action: 'end' },
    { id: 'silent_end', action: 'end' },
  ],
};

const smsPlan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'sms',
  nodes: [{ id: 'sms', action: 'send', channel: 'sms', text: 'Hi {{name|there}}', transitions: [] }],
};

describe.each(['postgres', 'pglite'] as const)('plan v1.1 on the database service (%s)', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  const engine = () => {
    const e = manualEngine(store, T0);
    return {
      ...e,
      start: () =>
        e.scheduler.start(async (id) => {
          await e.service.executeAction(id);
        }),
    };
  };

  describe('split', () => {
    it('stores the variant of each contact where SQL finds it, as section 10 assigns it by the given id', async () => {
      const e = engine();
      await e.start();
      const ids = ['contact-1', 'contact-2', 'contact-3', 'contact-4', 'contact-5', 'contact-6'];
      const campaigns = new Map<string, string>();
      for (const id of ids) {
        const { campaign } = await e.service.persistPlan({
          contact: { id, email: `${randomUUID()}@example.com` },
          plan: splitPlan,
        });
        campaigns.set(id, campaign.id);
      }
      const { rows } = await sql<{
        contact_id: string;
        variant: string;
        experiment: string;
        node_id: string;
      }>`
        select contact_id, variant, experiment, node_id from split_assignments
        where campaign_id in (${sql.join([...campaigns.values()])}) order by contact_id`.execute(database.db);
      expect(rows).toEqual(
        ids.map((id) => ({
          contact_id: id,
          variant: expectedVariant('subject-q4', id, VARIANTS),
          experiment: 'subject-q4',
          node_id: 'ab',
        })),
      );
      // Both variants occur among these six, so the assertion above could not hold by a constant.
      expect(new Set(rows.map((r) => r.variant))).toEqual(new Set(['A', 'B']));
      // The timeline's transition out of the split names the variant; the campaign went on to its node.
      for (const id of ids) {
        const view = await e.service.getCampaign(campaigns.get(id) ?? '');
        const variant = expectedVariant('subject-q4', id, VARIANTS);
        expect(view.timeline.find((entry) => entry.kind === 'transition')).toEqual({
          at: T0.toISOString(),
          kind: 'transition',
          from: 'ab',
          to: `email_${variant.toLowerCase()}`,
          on: 'split',
          variant,
        });
      }
    });

    it('keys a contact without a given id by its email lower-cased, and a phone-only contact by its phone', async () => {
      const e = engine();
      await e.start();
      const email = `Mixed.${randomUUID()}@Example.COM`;
      const byEmail = await e.service.persistPlan({ contact: { email }, plan: splitPlan });
      const phone = '+14155550123';
      const phonePlan = {
        ...splitPlan,
        nodes: [
          splitPlan.nodes[0],
          { id: 'email_a', action: 'send', channel: 'sms', text: 'A', transitions: [] },
          { id: 'email_b', action: 'send', channel: 'sms', text: 'B', transitions: [] },
        ],
      };
      const byPhone = await e.service.persistPlan({ contact: { phone }, plan: phonePlan });
      const variantOf = async (campaignId: string) =>
        (
          await database.db
            .selectFrom('split_assignments')
            .select('variant')
            .where('campaign_id', '=', campaignId)
            .executeTakeFirstOrThrow()
        ).variant;
      expect(await variantOf(byEmail.campaign.id)).toBe(
        expectedVariant('subject-q4', email.toLowerCase(), VARIANTS),
      );
      expect(await variantOf(byPhone.campaign.id)).toBe(expectedVariant('subject-q4', phone, VARIANTS));
    });
  });

  describe('expiry', () => {
    it('a send that fell due while paused and is resumed past due + expireAfter is skipped and stops the campaign', async () => {
      const e = engine();
      await e.start();
      const { campaign } = await e.service.persistPlan({
        contact: { email: `${randomUUID()}@example.com` },
        plan: expiringPlan,
      });
      const [send] = (await e.service.getCampaign(campaign.id)).pendingActions;
      const stored = await database.db
        .selectFrom('scheduled_actions')
        .select(['expires_at', 'due_at'])
        .where('campaign_id', '=', campaign.id)
        .executeTakeFirstOrThrow();
      // due = T0 + 1 h (delay), expires = due + 2 h: stored so a worker need not recompute it.
      expect(stored.due_at.toISOString()).toBe(new Date(T0.getTime() + HOUR).toISOString());
      expect(stored.expires_at?.toISOString()).toBe(new Date(T0.getTime() + 3 * HOUR).toISOString());

      e.clock.set(new Date(T0.getTime() + 30 * 60_000));
      await e.service.pause(campaign.id);
      const resumeAt = new Date(T0.getTime() + 5 * HOUR);
      e.clock.set(resumeAt);
      await e.service.resume(campaign.id);
      await e.scheduler.runDue();

      expect(e.transport.sent).toHaveLength(0);
      const view = await e.service.getCampaign(campaign.id);
      expect(view.campaign.state.status).toBe('stopped');
      expect(view.campaign.state.stopReason).toBe('send_expired');
      expect(view.pendingActions).toEqual([]);
      expect(view.timeline.slice(-2)).toEqual([
        {
          at: resumeAt.toISOString(),
          kind: 'skipped',
          node: 'email_offer',
          dueAt: new Date(T0.getTime() + HOUR).toISOString(),
          reason: 'expired',
        },
        { at: resumeAt.toISOString(), kind: 'end', status: 'stopped', reason: 'send_expired' },
      ]);
      const action = await database.db
        .selectFrom('scheduled_actions')
        .select(['status', 'outcome'])
        .where('id', '=', send?.id ?? '')
        .executeTakeFirstOrThrow();
      expect(action).toEqual({ status: 'skipped', outcome: 'expired' });
    });

    it('a send resumed exactly at due + expireAfter still goes (the bound is inclusive)', async () => {
      const e = engine();
      await e.start();
      const { campaign } = await e.service.persistPlan({
        contact: { email: `${randomUUID()}@example.com` },
        plan: expiringPlan,
      });
      e.clock.set(new Date(T0.getTime() + 30 * 60_000));
      await e.service.pause(campaign.id);
      e.clock.set(new Date(T0.getTime() + 3 * HOUR));
      await e.service.resume(campaign.id);
      await e.scheduler.runDue();
      expect(e.transport.sent).toHaveLength(1);
      expect((await e.service.getCampaign(campaign.id)).campaign.state.status).toBe('completed');
    });
  });

  describe('engaged conditions', () => {
    it('a genuine open of the node takes the engaged branch; a machine open does not', async () => {
      const outcomes: string[] = [];
      for (const machine of [false, true]) {
        const e = engine();
        await e.start();
        const { campaign } = await e.service.persistPlan({
          contact: { email: `${randomUUID()}@example.com` },
          plan: engagedPlan,
        });
        await e.scheduler.runDue();
        const [message] = e.transport.sent;
        e.clock.set(new Date(T0.getTime() + HOUR));
        const recorded = await e.service.recordEvent({
          provider: 'api',
          providerEventId: `open-${randomUUID()}`,
          messageId: message?.messageId ?? '',
          type: 'opened',
          occurredAt: new Date(T0.getTime() + HOUR),
          machine,
        });
        expect(recorded).toMatchObject({ status: 'accepted' });
        await e.scheduler.advanceTo(new Date(T0.getTime() + 3 * HOUR));
        const view = await e.service.getCampaign(campaign.id);
        expect(view.campaign.state.status).toBe('completed');
        outcomes.push(view.campaign.state.currentNodeId ?? '');
      }
      expect(outcomes).toEqual(['opened_end', 'silent_end']);
    });
  });

  describe('contacts with a phone', () => {
    it('stores the phone of a contact reached by SMS only', async () => {
      const e = engine();
      await e.start();
      const { campaign } = await e.service.persistPlan({
        contact: { phone: '+4915112345678' },
        plan: smsPlan,
      });
      const row = await database.db
        .selectFrom('contacts')
        .select(['phone', 'email', 'id_given'])
        .where('id', '=', campaign.contactId)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ phone: '+4915112345678', email: null, id_given: false });
    });

    it('refuses a phone that is not E.164, and a contact with neither email nor phone, storing nothing', async () => {
      const e = engine();
      const before = await database.db
        .selectFrom('contacts')
        .select(sql<string>`count(*)`.as('n'))
        .executeTakeFirstOrThrow();
      for (const phone of ['0151 12345678', '+49 151 12345678', '+999123']) {
        const error = await e.service
          .persistPlan({ contact: { email: `${randomUUID()}@example.com`, phone }, plan: smsPlan })
          .catch((caught: unknown) => caught);
        expect(error, phone).toBeInstanceOf(InvalidContactError);
        expect((error as InvalidContactError).code).toBe('invalid_phone');
      }
      const none = await e.service
        .persistPlan({ contact: { name: 'Nobody' }, plan: smsPlan })
        .catch((c: unknown) => c);
      expect((none as InvalidContactError).code).toBe('missing_contact_address');
      const after = await database.db
        .selectFrom('contacts')
        .select(sql<string>`count(*)`.as('n'))
        .executeTakeFirstOrThrow();
      expect(after.n).toBe(before.n);
    });

    it('refuses an SMS plan for a contact without a phone (missing_phone) at activation', async () => {
      const e = engine();
      const error = await e.service
        .persistPlan({ contact: { email: `${randomUUID()}@example.com` }, plan: smsPlan })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PlanValidationError);
      expect((error as PlanValidationError).issues.map((i) => [i.code, i.path])).toContainEqual([
        'missing_phone',
        '/nodes/0',
      ]);
    });

    it('refuses at activation a plan whose SMS window never meets the legal SMS hours (no_send_time), storing no campaign', async () => {
      const e = engine();
      const contactId = `late-${randomUUID()}`;
      const never = {
        ...smsPlan,
        // 21:00-23:00 every day: outside [08:00, 21:00) for SMS, so no instant is ever allowed.
        sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '21:00', end: '23:00' },
      };
      const error = await e.service
        .persistPlan({ contact: { id: contactId, phone: '+4915112345678' }, plan: never })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PlanValidationError);
      expect((error as PlanValidationError).issues.map((i) => i.code)).toEqual(['no_send_time']);
      const campaigns = await database.db
        .selectFrom('contact_campaigns')
        .select('id')
        .where('contact_id', '=', contactId)
        .execute();
      expect(campaigns).toEqual([]);
    });
  });
});
