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
