import type { ContactInput, StoreTransaction } from '../ports/campaign-store.ts';
import type { ContactRecord } from '../ports/records.ts';
import { contactIdFor } from './contact-input.ts';

/*
 * Suppression belongs to the address, not to the contact id (DESIGN section 10: an SMS unsubscribe
 * suppresses the phone number for SMS, an email unsubscribe the address for email). A contact id the caller
 * gives may change its email or phone, and a derived id may change its phone; the suppression recorded on
 * that contact row would then follow the new address and leave the old one free to be reached again (under
 * another contact id). So the old address's suppression is kept on the address's own contact (the id
 * derived from it, as a contact given without an id gets).
 */

/** The addresses of `before` that `input` replaces, with the suppression each had (null: none). */
export interface ReplacedAddresses {
  email: { address: string; reason: string } | null;
  /** `replacement`: the new number, when no contact had it suppressed before (its suppression then is ours). */
  phone: { address: string; reason: string; replacement: string | null } | null;
}

/** Read before the upsert: which suppressed addresses of the stored contact the input replaces. */
export async function suppressedAddressesReplaced(
  tx: StoreTransaction,
  before: ContactRecord | null,
  input: ContactInput,
): Promise<ReplacedAddresses> {
  const replaced: ReplacedAddresses = { email: null, phone: null };
  if (before === null) return replaced;
  if (before.email !== null && input.email !== undefined && !sameEmail(before.email, input.email)) {
    const reason = await tx.contacts.emailSuppressed(before.email);
    if (reason !== null) replaced.email = { address: before.email, reason };
  }
  if (before.phone !== null && input.phone !== undefined && input.phone !== before.phone) {
    const reason = await tx.contacts.phoneSuppressed(before.phone);
    const replacement =
      input.phone !== null && (await tx.contacts.phoneSuppressed(input.phone)) === null ? input.phone : null;
    if (reason !== null) replaced.phone = { address: before.phone, reason, replacement };
  }
  return replaced;
}

/**
 * After the upsert: an old address that no contact holds suppressed any more is suppressed again on its
 * own contact (created with only that address when it does not exist); a new phone number is not
 * suppressed for SMS by the old number's opt-out. (A contact suppressed for email stays so, as in 1.0.)
 */
export async function keepSuppressed(
  tx: StoreTransaction,
  replaced: ReplacedAddresses,
  at: Date,
): Promise<void> {
  const { email, phone } = replaced;
  if (email !== null && (await tx.contacts.emailSuppressed(email.address)) === null) {
    const id = contactIdFor({ email: email.address });
    await tx.contacts.upsertAndLock({ id, email: email.address, idGiven: false });
    await tx.contacts.suppress(id, email.reason, at);
  }
  if (phone !== null && (await tx.contacts.phoneSuppressed(phone.address)) === null) {
    const id = contactIdFor({ phone: phone.address });
    await tx.contacts.upsertAndLock({ id, phone: phone.address, idGiven: false });
    await tx.contacts.suppressSms(id, phone.reason, at);
  }
  // The contact's own SMS suppression moved to its new number with the row: a number that never opted
  // out is not suppressed (only this contact can hold it suppressed, no other did before).
  if (phone?.replacement && (await tx.contacts.phoneSuppressed(phone.replacement)) !== null) {
    await tx.contacts.unsuppressSms(phone.replacement, at);
  }
}

function sameEmail(a: string, b: string | null): boolean {
  return b !== null && a.trim().toLowerCase() === b.trim().toLowerCase();
}
