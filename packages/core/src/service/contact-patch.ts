import { isValidTimezone } from '@campaign/schedule-utils';
import { DomainError } from '../errors.ts';
import type { ContactFields } from '../ports/contact-admin.ts';
import type { ContactRecord } from '../ports/records.ts';
import { checkedContact } from './contact-input.ts';

/*
 * `PATCH /v1/contacts/:id` (issue 14): a JSON Merge Patch (RFC 7396) of the contact's name, timezone,
 * phone and attributes. A member set to null removes it; `attributes` merges member by member (nested
 * objects too), so `{"attributes": {"plan": null}}` removes one attribute and keeps the others. The email
 * is the contact's address of record and is not patched here (an erasure removes it).
 */

/** The members a contact patch may have. */
export const PATCHABLE_CONTACT_FIELDS = ['name', 'timezone', 'phone', 'attributes'] as const;
export type PatchableContactField = (typeof PATCHABLE_CONTACT_FIELDS)[number];

/** A contact patch the API cannot apply (HTTP 400): not an object, an unknown member, a value of the wrong type. */
export class InvalidContactPatchError extends DomainError {
  readonly code: 'invalid_contact' | 'invalid_timezone';
  constructor(code: InvalidContactPatchError['code'], message: string) {
    super(message);
    this.code = code;
    this.name = 'InvalidContactPatchError';
  }
}

/** The stored contact with `body` applied: its new fields and the names of those that changed. */
export interface PatchedContact {
  fields: ContactFields;
  /** In PATCHABLE_CONTACT_FIELDS order; empty when the patch changes nothing. */
  changed: PatchableContactField[];
}

/**
 * RFC 7396 section 2 MergePatch(target, patch): an object patch merges into the target member by member
 * (null removes), anything else replaces the target.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete result[name];
    else result[name] = mergePatch(result[name], value);
  }
  return result;
}

/**
 * Applies a merge patch to the stored contact. Throws InvalidContactPatchError (`invalid_contact`,
 * `invalid_timezone`) or InvalidContactError (`invalid_phone`; `missing_contact_address` when the
 * contact would be left with neither an email nor a phone).
 */
export function applyContactPatch(contact: ContactRecord, body: unknown): PatchedContact {
  if (!isObject(body)) {
    throw new InvalidContactPatchError('invalid_contact', 'a contact patch is a JSON object (RFC 7396)');
  }
  for (const name of Object.keys(body)) {
    if (!(PATCHABLE_CONTACT_FIELDS as readonly string[]).includes(name)) {
      throw new InvalidContactPatchError(
        'invalid_contact',
        `contact member ${JSON.stringify(name)} cannot be patched; a patch may set ${PATCHABLE_CONTACT_FIELDS.join(', ')}`,
      );
    }
  }
  const fields: ContactFields = {
    name: 'name' in body ? text(body.name, 'name') : contact.name,
    timezone: 'timezone' in body ? zone(body.timezone) : contact.timezone,
    phone: 'phone' in body ? text(body.phone, 'phone') : contact.phone,
    attributes: 'attributes' in body ? attributes(contact.attributes, body.attributes) : contact.attributes,
  };
  if ('phone' in body) {
    // The same checks as a campaign's contact: E.164, and an email or a phone left.
    fields.phone = checkedContact({ email: contact.email, phone: fields.phone }).phone ?? null;
  }
  const changed = PATCHABLE_CONTACT_FIELDS.filter(
    (name) => canonical(fields[name]) !== canonical(contact[name]),
  );
  return { fields, changed };
}

function text(value: unknown, name: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') {
    throw new InvalidContactPatchError(
      'invalid_contact',
      `contact ${name} must be a string, or null to remove it`,
    );
  }
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function zone(value: unknown): string | null {
  const name = text(value, 'timezone');
  if (name !== null && !isValidTimezone(name)) {
    throw new InvalidContactPatchError(
      'invalid_timezone',
      `contact timezone ${JSON.stringify(name)} is not an IANA zone name such as "Europe/Berlin"`,
    );
  }
  return name;
}

function attributes(current: Record<string, unknown>, patch: unknown): Record<string, unknown> {
  if (patch === null) return {};
  if (!isObject(patch)) {
    throw new InvalidContactPatchError(
      'invalid_contact',
      'contact attributes must be an object (members merge; null removes one), or null to remove them all',
    );
  }
  return mergePatch(current, patch) as Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys: equal values, equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
