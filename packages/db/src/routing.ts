import { type Expression, type SqlBool, sql } from 'kysely';

/*
 * How the repositories name a statement's contact, so that a store distributed by contact (DESIGN
 * section 9, docs/scaling.md) routes it to one shard.
 */

/**
 * A statement of a transaction that is one contact's (`TransactionOptions.contactId`) also filters on
 * `contact_id`, so a store distributed by contact (DESIGN section 9) routes it to that contact's shard;
 * without a contact it finds its rows by id alone. `column`: the contact id column, qualified in a join.
 */
export const routedTo =
  (contactId: string | undefined, column = 'contact_id') =>
  <T extends { where(expression: Expression<SqlBool>): T }>(query: T): T =>
    contactId === undefined ? query : query.where(sql<SqlBool>`${sql.ref(column)} = ${contactId}`);

/**
 * The contact a store transaction is one contact's (`TransactionOptions.contactId`), shared by its
 * repositories. A transaction begun without one takes the contact of the first campaign it locks: the
 * rest of a campaign's work is that campaign's contact's, so only the lookup by a bare id fans out.
 */
export interface TransactionScope {
  contactId?: string | undefined;
}

/** `and <alias>contact_id = $n` for raw SQL, under the same rule as `routedTo`; empty without a contact. */
export function andContact(contactId: string | undefined, alias = '') {
  return contactId === undefined ? sql`` : sql`and ${sql.raw(alias)}contact_id = ${contactId}`;
}
