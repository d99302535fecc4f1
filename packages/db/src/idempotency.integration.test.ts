import { randomUUID } from 'node:crypto';
import { IdempotencyConflictError, type Plan } from '@campaign/core';
import { noOpenEndPlan } from '@campaign/core/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyCampaignStore } from './kysely-campaign-store.ts';
import { createTestDatabase, manualEngine, type TestDatabase } from './testing.ts';

/*
 * Idempotency keys on a real database (issue 9 item 5). Keys are scoped per contact; the same key with
 * the same request (contact, plan, activate as canonical JSON) returns the campaign it created, and with
 * a different request is an IdempotencyConflictError that changes nothing. 6996e46 returned the old
 * campaign for any request that reused the key.
 */

const T0 = new Date('2026-01-05T10:00:00.000Z');

const plan: Plan = noOpenEndPlan({ subject: 'Hello {{name|there}}', body: '<p>Hi</p>' });

/** The same plan with every object's keys written in reverse order: the same request as `plan`. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reordered(v)]),
  );
}

describe.each(['postgres', 'pglite'] as const)('idempotency keys on %s', (kind) => {
  let database: TestDatabase;
  let store: KyselyCampaignStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new KyselyCampaignStore(database.db);
  }, 30_000);
  afterAll(async () => database?.dispose());

  const newContact = () => ({ id: randomUUID(), email: `${randomUUID()}@example.com`, name: 'Ada' });

  async function campaignsOf(contactId: string): Promise<number> {
    const row = await database.db
      .selectFrom('contact_campaigns')
      .select(sql<string>`count(*)`.as('n'))
      .where('contact_id', '=', contactId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it('the same request again, its keys in another order, returns the same campaign and creates nothing', async () => {
    const { service } = manualEngine(store, T0);
    const contact = newContact();
    const first = await service.persistPlan({ contact, plan, idempotencyKey: 'k1' });
    const again = await service.persistPlan({
      idempotencyKey: 'k1',
      plan: reordered(plan),
      contact: reordered(contact) as typeof contact,
    });
    expect(first.created).toBe(true);
    expect(again).toEqual({ campaign: first.campaign, created: false });
    expect(await campaignsOf(contact.id)).toBe(1);
  });

  it('regression: the key reused with another plan, activate or contact is idempotency_conflict and changes nothing', async () => {
    const { service } = manualEngine(store, T0);
    const contact = newContact();
    const { campaign } = await service.persistPlan({ contact, plan, idempotencyKey: 'k1' });
    const otherPlan = {
      ...plan,
      nodes: plan.nodes.map((n) => (n.id === 'intro' ? { ...n, subject: 'Hey' } : n)),
    };
    const conflicts = [
      { contact, plan: otherPlan },
      { contact, plan, activate: false },
      // `activate` left out the first time: true is not the same request, though it is the default.
      { contact, plan, activate: true },
      { contact: { ...contact, name: 'Grace' }, plan },
    ];
    for (const request of conflicts) {
      const error = await service.persistPlan({ ...request, idempotencyKey: 'k1' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdempotencyConflictError);
      expect(error).toMatchObject({
        code: 'idempotency_conflict',
        contactId: contact.id,
        idempotencyKey: 'k1',
        campaignId: campaign.id,
      });
    }
    expect(await campaignsOf(contact.id)).toBe(1);
    // The refused request's contact fields were not written either.
    const stored = await database.db
      .selectFrom('contacts')
      .select('name')
      .where('id', '=', contact.id)
      .executeTakeFirstOrThrow();
    expect(stored.name).toBe('Ada');
    expect(await service.persistPlan({ contact, plan, idempotencyKey: 'k1' })).toMatchObject({
      campaign: { id: campaign.id },
      created: false,
    });
  });

  it('keys are scoped per contact: the same key for another contact creates its own campaign', async () => {
    const { service } = manualEngine(store, T0);
    const [ada, grace] = [newContact(), newContact()];
    const first = await service.persistPlan({ contact: ada, plan, idempotencyKey: 'shared-key' });
    const other = await service.persistPlan({ contact: grace, plan, idempotencyKey: 'shared-key' });
    expect(other.created).toBe(true);
    expect(other.campaign.id).not.toBe(first.campaign.id);
    expect(other.campaign.contactId).toBe(grace.id);
    expect(await campaignsOf(grace.id)).toBe(1);
  });

  it('a campaign created before migration 0005 (request_hash null) matches any request with its key', async () => {
    const { service } = manualEngine(store, T0);
    const contact = newContact();
    const { campaign } = await service.persistPlan({ contact, plan, idempotencyKey: 'legacy' });
    await database.db
      .updateTable('contact_campaigns')
      .set({ request_hash: null })
      .where('id', '=', campaign.id)
      .execute();
    const again = await service.persistPlan({ contact, plan, activate: false, idempotencyKey: 'legacy' });
    expect(again).toMatchObject({ campaign: { id: campaign.id, status: 'active' }, created: false });
    expect(await campaignsOf(contact.id)).toBe(1);
  });

  it('two racing requests with one key and different bodies: one creates, the other is a conflict', async () => {
    const { service } = manualEngine(store, T0);
    const contact = newContact();
    const results = await Promise.allSettled([
      service.persistPlan({ contact, plan, idempotencyKey: 'race' }),
      service.persistPlan({ contact, plan, activate: false, idempotencyKey: 'race' }),
    ]);
    const created = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(created).toHaveLength(1);
    expect(created[0]?.status === 'fulfilled' && created[0].value.created).toBe(true);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.status === 'rejected' && refused[0].reason).toBeInstanceOf(IdempotencyConflictError);
    expect(await campaignsOf(contact.id)).toBe(1);
  });
});
