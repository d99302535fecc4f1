/** Why `parseInbound` refused a message; stable, for API problems and metrics. */
export type InboundErrorCode = 'malformed_mime' | 'message_too_large';

/** A raw message `parseInbound` cannot read. The only error it throws. */
export class InboundError extends Error {
  readonly code: InboundErrorCode;
  constructor(code: InboundErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InboundError';
    this.code = code;
  }
}
