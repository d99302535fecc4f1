/** Base of the typed errors core throws; `code` is stable and part of the API. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
}

/** A pause, resume or cancel that the campaign's status does not allow (HTTP 409 at the edge). */
export class InvalidCampaignStateError extends DomainError {
  readonly code = 'invalid_state';
  readonly status: string;
  readonly change: string;
  constructor(change: string, status: string) {
    super(`cannot ${change} a campaign that is ${status}`);
    this.name = 'InvalidCampaignStateError';
    this.change = change;
    this.status = status;
  }
}

/** No campaign with that id (HTTP 404). */
export class CampaignNotFoundError extends DomainError {
  readonly code = 'not_found';
  readonly campaignId: string;
  constructor(campaignId: string) {
    super(`campaign ${campaignId} does not exist`);
    this.campaignId = campaignId;
    this.name = 'CampaignNotFoundError';
  }
}

/** The contact unsubscribed or complained: no campaign may start for it (HTTP 409). */
export class ContactSuppressedError extends DomainError {
  readonly code = 'contact_suppressed';
  readonly contactId: string;
  readonly reason: string | null;
  constructor(contactId: string, reason: string | null) {
    super(`contact ${contactId} is suppressed${reason ? ` (${reason})` : ''}: no campaign may start for it`);
    this.contactId = contactId;
    this.reason = reason;
    this.name = 'ContactSuppressedError';
  }
}

/** A new plan version that the campaign cannot move to (rule 9; HTTP 409). */
export class PlanUpdateConflictError extends DomainError {
  readonly code = 'plan_conflict';
  constructor(message: string) {
    super(message);
    this.name = 'PlanUpdateConflictError';
  }
}

/** A timeline cursor this campaign did not hand out: malformed, or another campaign's (HTTP 400). */
export class InvalidTimelineCursorError extends DomainError {
  readonly code = 'invalid_cursor';
  constructor(reason: string) {
    super(`invalid timeline cursor: ${reason}; pass back a nextCursor exactly as it was returned, or none`);
    this.name = 'InvalidTimelineCursorError';
  }
}

/** A timeline page size outside 1 to 1000 (HTTP 400). */
export class InvalidTimelineLimitError extends DomainError {
  readonly code = 'invalid_limit';
  constructor(limit: unknown) {
    super(`invalid timeline limit ${JSON.stringify(String(limit))}: it must be an integer from 1 to 1000`);
    this.name = 'InvalidTimelineLimitError';
  }
}

/**
 * An idempotency key the contact already used for a different request (HTTP 409). Keys are scoped per
 * contact; the same key with the same request returns the campaign it created, a different request
 * (contact, plan or activate differ, compared as canonical JSON) is refused, so a reused key never
 * silently answers with another request's campaign.
 */
export class IdempotencyConflictError extends DomainError {
  readonly code = 'idempotency_conflict';
  readonly contactId: string;
  readonly idempotencyKey: string;
  readonly campaignId: string;
  constructor(contactId: string, idempotencyKey: string, campaignId: string) {
    super(
      `idempotency key ${JSON.stringify(idempotencyKey)} was already used for contact ${contactId} with a different request (campaign ${campaignId}); send exactly the same contact, plan and activate to get that campaign back, or use a new key for a new request`,
    );
    this.contactId = contactId;
    this.idempotencyKey = idempotencyKey;
    this.campaignId = campaignId;
    this.name = 'IdempotencyConflictError';
  }
}

/**
 * A simulated event dated more than EVENT_TIME_TOLERANCE_MS before the message it names was sent
 * (`campaign simulate` exits 2). `pointer` is the event's JSON pointer in the events file.
 */
export class ImplausibleEventTimeError extends DomainError {
  readonly code = 'implausible_time';
  readonly pointer: string;
  readonly eventId: string | null;
  constructor(pointer: string, eventId: string | null, message: string) {
    super(message);
    this.pointer = pointer;
    this.eventId = eventId;
    this.name = 'ImplausibleEventTimeError';
  }
}
