import type { Clock } from '@campaign/core';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemError } from './problem.ts';
import { IS_PUBLIC } from './public.ts';
import {
  cookieValues,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  secretEquals,
  sessionKey,
  signSession,
  verifySession,
} from './session.ts';

export type AuthResult = { ok: true } | { ok: false; status: 401 | 403; code: string; detail: string };

/** Methods that change nothing: a cookie alone may make them (SameSite=Strict keeps other sites out). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Who may call: `Authorization: Bearer <API_KEY or API_KEY_PREVIOUS>`, or the sign-in's session cookie
 * (signed with a key derived from either). A cookie-authenticated request that may change something must
 * also carry an `Origin` equal to the public URL's origin or to the request's own, else it is refused (403).
 */
export class Authenticator {
  readonly secureCookies: boolean;
  private readonly apiKey: string;
  private readonly keys: string[];
  private readonly sessionKeys: Buffer[];
  private readonly publicOrigin: string;
  private readonly clock: Clock;

  /** `clock`: what sessions are issued and checked against (the runtime's). */
  constructor(options: {
    apiKey: string;
    apiKeyPrevious?: string | undefined;
    publicUrl: string;
    clock: Clock;
  }) {
    this.clock = options.clock;
    this.apiKey = options.apiKey;
    this.keys = [options.apiKey, ...(options.apiKeyPrevious ? [options.apiKeyPrevious] : [])];
    this.sessionKeys = this.keys.map(sessionKey);
    const url = new URL(options.publicUrl);
    this.publicOrigin = url.origin;
    this.secureCookies = url.protocol === 'https:';
  }

  /**
   * Whether `given` is the current API key (the sign-in takes only this one: a session minted from the
   * previous key would outlive its removal).
   */
  isCurrentKey(given: string): boolean {
    return secretEquals(given, this.apiKey);
  }

  /** A session token signed with the current key, valid for 12 hours from `nowMs` (default: the clock's now). */
  issueSession(nowMs = this.clock.now().getTime()): string {
    return signSession(sessionKey(this.apiKey), nowMs + SESSION_TTL_MS);
  }

  authenticate(req: Request, nowMs = this.clock.now().getTime()): AuthResult {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    // Every key is compared, so the time taken does not tell which one matched.
    if (bearer && this.keys.reduce((ok, key) => secretEquals(bearer, key) || ok, false)) return { ok: true };
    const session = cookieValues(req.headers.cookie, SESSION_COOKIE).some((token) =>
      verifySession(token, this.sessionKeys, nowMs),
    );
    if (!session)
      return {
        ok: false,
        status: 401,
        code: 'unauthorized',
        detail: 'send Authorization: Bearer <API key>, or sign in at /auth/sign-in',
      };
    if (SAFE_METHODS.has(req.method) || this.sameOrigin(req)) return { ok: true };
    return {
      ok: false,
      status: 403,
      code: 'origin_refused',
      detail: 'a request signed in by cookie that changes something must carry this site’s Origin header',
    };
  }

  private sameOrigin(req: Request): boolean {
    const origin = req.headers.origin;
    if (!origin) return false;
    if (origin === this.publicOrigin) return true;
    const host = req.headers.host;
    if (!host) return false;
    try {
      return origin === new URL(`${req.protocol}://${host}`).origin;
    } catch {
      return false;
    }
  }
}

/** Deny by default: every route needs the API key (or the session cookie) unless marked `@Public()`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly authenticator: Authenticator;
  private readonly reflector: Reflector;
  constructor(authenticator: Authenticator, reflector: Reflector) {
    this.authenticator = authenticator;
    this.reflector = reflector;
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]))
      return true;
    const result = this.authenticator.authenticate(context.switchToHttp().getRequest<Request>());
    if (result.ok) return true;
    throw new ProblemError(
      result.status,
      result.code,
      result.status === 401 ? 'Unauthorized' : 'Forbidden',
      result.detail,
    );
  }
}
