import type { Kysely } from 'kysely';
import { emailDigest, phoneDigest } from './kysely-contact-admin.ts';
import type { Database } from './schema.ts';

/*
 * contact_addresses (0018): the lookup table from an address's SHA-256 to the contacts known by it, so a
 * lookup by address reads one shard of it and then the contacts by id. Every write of a contact's email
 * or phone goes through `recordAddresses` in the same transaction.
 */

type Db = Kysely<Database>;

export interface Addresses {
  email: string | null;
  phone: string | null;
}

function digests(addresses: Addresses): { email: string | null; phone: string | null } {
  return {
    email: addresses.email === null ? null : emailDigest(addresses.email),
    phone: addresses.phone === null ? null : phoneDigest(addresses.phone),
  };
}

/**
 * Moves a contact's rows from the addresses it had (`before`; null for a new contact) to those it has:
 * the row of an address it no longer has goes, the row of a new one comes. Unchanged addresses write
 * nothing.
 */
export async function recordAddresses(
  db: Db,
  contactId: string,
  before: Addresses | null,
  after: Addresses,
): Promise<void> {
  const old = before === null ? { email: null, phone: null } : digests(before);
  const now = digests(after);
  const gone = [old.email, old.phone].filter((d) => d !== null && d !== now.email && d !== now.phone);
  for (const digest of gone) await forgetAddress(db, contactId, digest as string);
  const added = (['email', 'phone'] as const)
    .filter((kind) => now[kind] !== null && (before === null || now[kind] !== old[kind]))
    .map((kind) => ({ address_sha256: now[kind] as string, kind, contact_id: contactId }));
  if (added.length === 0) return;
  await db
    .insertInto('contact_addresses')
    .values(added)
    .onConflict((oc) => oc.columns(['address_sha256', 'contact_id']).doNothing())
    .execute();
}

/** Deletes the row of one address of a contact (by the hash: one shard). */
export async function forgetAddress(db: Db, contactId: string, digest: string): Promise<void> {
  await db
    .deleteFrom('contact_addresses')
    .where('address_sha256', '=', digest)
    .where('contact_id', '=', contactId)
    .execute();
}

/** The ids of the contacts an address (already hashed) may belong to; the caller checks the contact rows. */
export async function contactIdsByDigest(db: Db, digest: string): Promise<string[]> {
  const rows = await db
    .selectFrom('contact_addresses')
    .select('contact_id')
    .where('address_sha256', '=', digest)
    .execute();
  return rows.map((row) => row.contact_id);
}
