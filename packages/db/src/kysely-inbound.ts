import type {
  InboundKind,
  InboundRepository,
  InboundSource,
  NewUnmatchedInbound,
  OutboundMessageRecord,
  UnmatchedInboundRecord,
} from '@campaign/core';
import { type Kysely, type Selectable, sql } from 'kysely';
import { contactIdsByDigest } from './contact-addresses.ts';
import { emailDigest } from './kysely-contact-admin.ts';
import { toMessage } from './row-mappers.ts';
import type { Database, InboundUnmatchedTable } from './schema.ts';

/** Inbound mail on Postgres (DESIGN section 14): the address-pair match and the unmatched list. */
export class KyselyInboundRepository implements InboundRepository {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async insertUnmatched(row: NewUnmatchedInbound): Promise<boolean> {
    const inserted = await this.db
      .insertInto('inbound_unmatched')
      .values({
        message_id: row.messageId,
        source: row.source,
        from_address: row.from,
        to_addresses: row.to,
        subject: row.subject,
        kind: row.kind,
        decided_by: row.decidedBy,
        refers_to: row.refersTo,
        received_at: row.receivedAt,
      })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .returning('message_id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async latestEmailBetween(
    contactAddress: string,
    senderAddresses: readonly string[],
    defaultFromListed: boolean,
  ): Promise<OutboundMessageRecord | null> {
    // The contacts through contact_addresses (0018), their emails by outbound_messages_contact_email_idx
    // (0011). A sender's `from` may be `Name <address>`: its bare address is compared.
    const contactIds = await contactIdsByDigest(this.db, emailDigest(contactAddress));
    if (contactIds.length === 0) return null;
    const senderAddress = sql<string>`lower(trim(coalesce(substring(s.from_address from '<([^<>]+)>\\s*$'), s.from_address)))`;
    const row = await this.db
      .selectFrom('contacts as c')
      .innerJoin('outbound_messages as m', 'm.contact_id', 'c.id')
      .leftJoin('senders as s', 's.id', 'm.sender_id')
      .selectAll('m')
      .where('m.contact_id', 'in', contactIds)
      .where(sql`lower(c.email)`, '=', contactAddress.trim().toLowerCase())
      .where('m.status', '=', 'sent')
      .where('m.channel', '=', 'email')
      .where((eb) =>
        eb.or([
          eb.and([eb('m.sender_id', 'is', null), sql<boolean>`${defaultFromListed}`]),
          senderAddresses.length > 0 ? eb(senderAddress, 'in', [...senderAddresses]) : sql<boolean>`false`,
        ]),
      )
      .orderBy('m.sent_at', 'desc')
      .orderBy('m.seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toMessage(row) : null;
  }

  /** See CampaignReader.unmatchedInbound. */
  async unmatched(after: string | null, limit: number): Promise<UnmatchedInboundRecord[]> {
    const rows = await this.db
      .selectFrom('inbound_unmatched')
      .selectAll()
      .$if(after !== null, (q) => q.where(sql`seq`, '<', sql`${after}::bigint`))
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toUnmatched);
  }
}

function toUnmatched(row: Selectable<InboundUnmatchedTable>): UnmatchedInboundRecord {
  return {
    seq: String(row.seq),
    messageId: row.message_id,
    source: row.source as InboundSource,
    from: row.from_address,
    to: row.to_addresses,
    subject: row.subject,
    kind: row.kind as InboundKind,
    decidedBy: row.decided_by,
    refersTo: row.refers_to,
    receivedAt: row.received_at,
  };
}
