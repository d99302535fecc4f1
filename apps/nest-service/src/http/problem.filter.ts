import { DomainError, InvalidSenderError, PlanValidationError } from '@campaign/core';
import { redactUrlsIn } from '@campaign/runtime';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { type Problem, ProblemError } from './problem.ts';

/** Domain error codes to HTTP statuses: the one place the mapping lives. */
const DOMAIN_STATUS: Record<string, number> = {
  not_found: 404,
  contact_suppressed: 409,
  invalid_state: 409,
  plan_conflict: 409,
  idempotency_conflict: 409,
  invalid_cursor: 400,
  invalid_limit: 400,
  invalid_phone: 400,
  missing_contact_address: 400,
  invalid_sender: 400,
  sender_exists: 409,
  sender_in_use: 409,
  no_sender: 400,
  unknown_sender: 400,
  sender_channel_mismatch: 400,
  // Issue 14: the campaign list and the contact endpoints.
  invalid_filter: 400,
  invalid_contact: 400,
  invalid_timezone: 400,
  missing_variable: 409,
};

function fromError(error: unknown): Problem {
  if (error instanceof ProblemError) return error.problem;
  if (error instanceof PlanValidationError) {
    return {
      type: 'about:blank',
      title: 'Invalid plan',
      status: 400,
      code: 'invalid_plan',
      detail: error.message,
      issues: error.issues,
    };
  }
  if (error instanceof InvalidSenderError) {
    return {
      type: 'about:blank',
      title: 'Invalid sender',
      status: 400,
      code: error.code,
      detail: error.message,
      issues: error.issues,
    };
  }
  if (error instanceof DomainError) {
    const status = DOMAIN_STATUS[error.code] ?? 422;
    return {
      type: 'about:blank',
      title: error.name.replace(/Error$/, ''),
      status,
      code: error.code,
      detail: error.message,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code =
      status === 404
        ? 'not_found'
        : status === 401
          ? 'unauthorized'
          : status === 413
            ? 'payload_too_large'
            : `http_${status}`;
    return { type: 'about:blank', title: error.message, status, code };
  }
  return { type: 'about:blank', title: 'Internal error', status: 500, code: 'internal' };
}

/** Every error leaves as application/problem+json with a stable code; no stack trace ever does. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger: Logger;
  constructor(logger: Logger) {
    this.logger = logger;
  }

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    const problem = { ...fromError(error), instance: request.originalUrl };
    // A detail may quote a driver's message: never a connection string's password.
    if (typeof problem.detail === 'string') problem.detail = redactUrlsIn(problem.detail);
    if (problem.status >= 500) this.logger.error({ err: error, url: request.originalUrl }, 'request failed');
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
