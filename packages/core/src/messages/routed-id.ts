import { contactIdProblem } from '../service/contact-input.ts';

/*
 * An id that travels outside the engine with its contact's id (DESIGN section 9): `<uuid>.<contact id>`.
 * The uuid is the row's own id; the contact id lets every lookup by it go to that contact's shard, with
 * no global index. Message-ID local parts, echo fields and unsubscribe tokens carry a message's; campaign
 * URLs a campaign's. Contact ids are dot-atoms of URL-unreserved characters, so the whole is one too.
 * A bare uuid (an id handed out before ids carried their contact, or by a caller who has only that)
 * still reads, as the id alone.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_LENGTH = 36;

/**
 * A routed id or a bare uuid as a JSON Schema / OpenAPI `pattern` (the API documents its campaign ids with
 * it): what `parseRoutedId` reads, but for the 128-character bound of a contact id.
 */
export const ROUTED_ID_PATTERN =
  '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\\.[A-Za-z0-9_~-]+(\\.[A-Za-z0-9_~-]+)*)?$';

/** An id read from outside: the row's uuid, and its contact's id when the text carried it. */
export interface RoutedId {
  id: string;
  contactId?: string;
}

/** `<id>.<contactId>`. Throws a RangeError when `id` is not a uuid or `contactId` not a contact id. */
export function formatRoutedId(id: string, contactId: string): string {
  if (!UUID.test(id)) throw new RangeError(`an id is a UUID, got ${JSON.stringify(id)}`);
  const problem = contactIdProblem(contactId);
  if (problem !== undefined) throw new RangeError(`contact id ${JSON.stringify(contactId)} ${problem}`);
  return `${id.toLowerCase()}.${contactId}`;
}

/**
 * The id and contact id of `<uuid>.<contact id>`, or the id alone of a bare uuid; undefined for anything
 * else (a uuid followed by something that is not a contact id included).
 */
export function parseRoutedId(text: string): RoutedId | undefined {
  const id = text.slice(0, UUID_LENGTH);
  if (!UUID.test(id)) return undefined;
  if (text.length === UUID_LENGTH) return { id: id.toLowerCase() };
  const contactId = text.slice(UUID_LENGTH + 1);
  if (text[UUID_LENGTH] !== '.' || contactIdProblem(contactId) !== undefined) return undefined;
  return { id: id.toLowerCase(), contactId };
}
