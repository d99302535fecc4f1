/**
 * A request that must be refused. Provider code throws it; `handle` turns it into
 * `{ ok: false, status, code, message }`, so callers never see it thrown.
 */
export class WebhookVerificationError extends Error {
  readonly status: 400 | 401;
  readonly code: string;
  constructor(status: 400 | 401, code: string, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.status = status;
    this.code = code;
  }
}

/** Thrown by `createWebhookVerifier` when a configured secret cannot be used: fail at startup, not per request. */
export class WebhookConfigurationError extends Error {
  readonly code = 'invalid_configuration';
  constructor(message: string) {
    super(message);
    this.name = 'WebhookConfigurationError';
  }
}

/** 401: the request is not proven to come from the provider. */
export function unauthorized(code: string, message: string): WebhookVerificationError {
  return new WebhookVerificationError(401, code, message);
}

/** 400: the body cannot be read at all. */
export function malformed(message: string): WebhookVerificationError {
  return new WebhookVerificationError(400, 'malformed_body', message);
}

/** An item of a verified request that cannot be normalized; it lands in `rejected`, the others go on. */
export class ItemError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ItemError';
    this.code = code;
  }
}
