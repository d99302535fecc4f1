import { timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ProblemError } from './problem.ts';

/** Routes under /v1 that authenticate otherwise: provider signatures, signed unsubscribe tokens. */
const OPEN_PREFIXES = ['/v1/webhooks/', '/v1/unsubscribe/'];

export function apiKeyMatches(header: string | undefined, apiKey: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(apiKey);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `Authorization: Bearer <API_KEY>` on /v1, compared in constant time. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly apiKey: string;
  constructor(apiKey: string) {
    this.apiKey = apiKey;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    // Lower-cased: a route that matched must never skip the key by a change of letter case.
    const path = request.path.toLowerCase();
    if (!path.startsWith('/v1/') || OPEN_PREFIXES.some((p) => path.startsWith(p))) return true;
    if (apiKeyMatches(request.headers.authorization, this.apiKey)) return true;
    throw new ProblemError(401, 'unauthorized', 'Unauthorized', 'send Authorization: Bearer <API key>');
  }
}
