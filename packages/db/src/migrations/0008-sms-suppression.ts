import { type Kysely, sql } from 'kysely';

/*
 * Suppression per channel (DESIGN section 10): an SMS unsubscribe (or complaint) suppresses the phone
 * number for SMS only, recorded apart from the email suppression (`suppressed_at`), which keeps its
 * meaning: the address is suppressed for email. A number is suppressed when any contact with it is
 * (the lookup goes by phone, on contacts_phone_idx of 0006).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table contacts
    add column sms_suppressed_at timestamptz,
    add column sms_suppression_reason text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table contacts drop column sms_suppressed_at, drop column sms_suppression_reason`.execute(
    db,
  );
}
