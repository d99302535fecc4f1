import type { ContactFacts } from '../engine/types.ts';
import { DomainError } from '../errors.ts';
import { isValidPhoneNumber } from '../input/phone-numbers.ts';
import type { ContactInput } from '../ports/campaign-store.ts';
import type { ContactRecord } from '../ports/records.ts';
import { contactIdForEmail, stableUuid } from './campaign-record.ts';

/** A contact the engine cannot store: a phone that is not E.164, or neither an email nor a phone (HTTP 400). */
export class InvalidContactError extends DomainError {
  readonly code: 'invalid_phone' | 'missing_contact_address' | 'invalid_contact';
  constructor(code: InvalidContactError['code'], message: string) {
    super(message);
    this.code = code;
    this.name = 'InvalidContactError';
  }
}

/**
 * A contact id travels outside (URLs, Message-IDs, unsubscribe tokens, job payloads) and is the Citus
 * distribution key (DESIGN section 9): 1 to 128 characters that are both URL-unreserved (RFC 3986) and
 * a Message-ID dot-atom (RFC 5322): letters, digits, `-`, `_`, `~`, and `.` between them.
 */
const CONTACT_ID = /^[A-Za-z0-9_~-]+(?:\.[A-Za-z0-9_~-]+)*$/;

/** Why `id` cannot be a contact id, or undefined when it can. */
export function contactIdProblem(id: string): string | undefined {
  if (id.length === 0 || id.length > 128) return 'must be 1 to 128 characters';
  if (!CONTACT_ID.test(id)) {
    return 'may hold only letters, digits, "-", "_", "~" and "." between them (safe in URLs and Message-IDs)';
  }
  return undefined;
}

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
const E164 = /^\+[1-9][0-9]{1,14}$/;

/**
 * The contact as the caller gave it, checked: a phone must be written in E.164 (`+4915112345678`, no spaces
 * or punctuation) and be a number that can exist (libphonenumber's metadata), and a contact needs an email
 * or a phone. Empty strings count as absent. Throws InvalidContactError.
 */
export function checkedContact(input: ContactInput): ContactInput {
  const idProblem = input.id === undefined ? undefined : contactIdProblem(input.id);
  if (idProblem !== undefined) {
    throw new InvalidContactError('invalid_contact', `contact id ${JSON.stringify(input.id)} ${idProblem}`);
  }
  const email = blankToNull(input.email);
  const phone = blankToNull(input.phone);
  if (phone !== null && !(E164.test(phone) && isValidPhoneNumber(phone))) {
    throw new InvalidContactError(
      'invalid_phone',
      `contact phone ${JSON.stringify(phone)} is not a valid phone number in E.164 form (a plus, the country code and the number, digits only: "+14155550123")`,
    );
  }
  if (email === null && phone === null) {
    throw new InvalidContactError('missing_contact_address', 'a contact needs an email or a phone (E.164)');
  }
  return {
    ...input,
    ...(input.email !== undefined ? { email } : {}),
    ...(input.phone !== undefined ? { phone } : {}),
  };
}

/**
 * A contact's id when the caller gives none: derived from the address (email, else phone), so one address
 * is one contact (and its suppression holds) without a unique index on it. An email-derived id is the one
 * 1.0 used.
 */
export function contactIdFor(contact: ContactInput): string {
  if (contact.id !== undefined) return contact.id;
  if (contact.email) return contactIdForEmail(contact.email);
  if (contact.phone) return stableUuid(`contact-phone:${contact.phone}`);
  throw new InvalidContactError('missing_contact_address', 'a contact needs an email or a phone (E.164)');
}

/**
 * What a plan may read of the contact (branch conditions, split assignment). The split key is the id the
 * caller gave, else the email lower-cased, else the phone (DESIGN section 10). For a contact stored before
 * `idGiven` was recorded, an id that is not the one derived from its email was the caller's.
 */
export function contactFacts(contact: ContactRecord): ContactFacts {
  const idGiven =
    contact.idGiven ?? (contact.email === null || contact.id !== contactIdForEmail(contact.email));
  const key = idGiven ? contact.id : (contact.email?.trim().toLowerCase() ?? contact.phone);
  return {
    key,
    attributes: contact.attributes,
    ...(contact.email !== null ? { email: contact.email } : {}),
    ...(contact.phone !== null ? { phone: contact.phone } : {}),
  };
}

function blankToNull(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}
