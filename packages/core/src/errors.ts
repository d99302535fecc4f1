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

/** Neither the plan nor the contact names a valid IANA zone, so local-time rules cannot be applied. */
export class InvalidTimezoneError extends DomainError {
  readonly code = 'invalid_timezone';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTimezoneError';
  }
}
