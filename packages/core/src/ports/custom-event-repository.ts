import type { CustomEventFact } from '../engine/types.ts';

/** A custom event to store (DESIGN section 14): a contact event that is not about a message. */
export interface NewCustomEvent {
  contactId: string;
  /** The caller's event id: unique per contact (the same id twice is stored once). */
  eventId: string;
  name: string;
  occurredAt: Date;
  /** The item as the caller sent it, kept for audit; null when there is none. */
  payload: unknown;
}

/** A stored custom event. */
export interface CustomEventRecord {
  /** Our id (a UUID): what the campaign transitions it caused name as their event. */
  id: string;
  contactId: string;
  eventId: string;
  name: string;
  occurredAt: Date;
}

/** The contact's custom events, stored per contact so a later branch can read them. */
export interface CustomEventRepository {
  /**
   * Stores the event; null when the contact already has an event with that `eventId` (a redelivery),
   * whatever its other fields: the first one stored stands.
   */
  insert(event: NewCustomEvent): Promise<CustomEventRecord | null>;
  /**
   * The earliest occurrence of each custom event name of the contact: what `event` branch conditions
   * read (one row per distinct name, however many events the contact has).
   */
  firstOccurrences(contactId: string): Promise<CustomEventFact[]>;
}
