import { timingSafeEqual } from 'node:crypto';
import type { Clock, InboundMessageInput, InboundResult, InboundSource } from '@campaign/core';
import { InboundError, MAX_INBOUND_BYTES, type ParsedInbound, parseInbound } from '@campaign/inbound';
import type { Logger } from 'pino';
import type { PrometheusMetrics } from './metrics.ts';

/*
 * The ways inbound mail comes in over HTTP (DESIGN section 14): SendGrid Inbound Parse (multipart form
 * with the raw message in `email`, "POST the raw, full MIME message" on), Mailgun routes (a forward to a
 * URL ending in `mime`: the raw message in `body-mime`, signed as Mailgun's events are), Postmark inbound
 * (JSON with `RawEmail`, "include raw email content" on) and the raw message itself. Each request is
 * authenticated first, then its message parsed (@campaign/inbound) and handed to the engine; a refused
 * request (401 forged, 400 malformed, 413 too large) stores nothing.
 */

/** HTTP basic credentials a provider is configured to send (in its webhook URL). */
export interface BasicCredentials {
  username: string;
  password: string;
}

/** The Mailgun signature check (`@campaign/webhooks`' createMailgunInboundCheck satisfies it). */
export type MailgunInboundCheck = (
  fields: { timestamp: string | null; token: string | null; signature: string | null },
  now: Date,
) => { ok: true } | { ok: false; status: 401; code: string; message: string };

export interface InboundMailRequest {
  rawBody: Buffer | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/** What the intake made of one message: the engine's result, with the classification that decided it. */
export interface InboundMailBody {
  result: 'accepted' | 'duplicate' | 'unmatched' | 'implausible_time';
  messageId: string;
  kind: ParsedInbound['classification']['kind'];
  decidedBy: string;
  /** For `accepted`: what the event did to its campaign. */
  effect?: string;
}

export type InboundMailAnswer =
  | { ok: true; body: InboundMailBody }
  | { ok: false; status: 400 | 401 | 413; code: string; title: string; detail: string };

/** The body limit of the inbound routes: the largest message plus room for the form or JSON around it. */
export const INBOUND_BODY_LIMIT_BYTES = MAX_INBOUND_BYTES + 1024 * 1024;

export class InboundMailIntake {
  private readonly engine: {
    recordInbound(parsed: InboundMessageInput, source: InboundSource): Promise<InboundResult>;
  };
  private readonly sendgrid: BasicCredentials | undefined;
  private readonly postmark: BasicCredentials | undefined;
  private readonly mailgun: MailgunInboundCheck | undefined;
  private readonly metrics: PrometheusMetrics;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;

  constructor(options: {
    engine: InboundMailIntake['engine'];
    /** SendGrid Inbound Parse: basic auth in its destination URL; absent: every request is refused. */
    sendgrid?: BasicCredentials | undefined;
    /** Postmark inbound: basic auth in its webhook URL; absent: every request is refused. */
    postmark?: BasicCredentials | undefined;
    /** Mailgun routes: the signing key's check; absent: every request is refused. */
    mailgun?: MailgunInboundCheck | undefined;
    metrics: PrometheusMetrics;
    clock: Clock;
    logger?: Logger | undefined;
  }) {
    this.engine = options.engine;
    this.sendgrid = options.sendgrid;
    this.postmark = options.postmark;
    this.mailgun = options.mailgun;
    this.metrics = options.metrics;
    this.clock = options.clock;
    this.logger = options.logger;
  }

  /** `POST /v1/inbound/mime`: the raw message (the API key was checked by the app). */
  mime(request: InboundMailRequest): Promise<InboundMailAnswer> {
    return this.run('mime', async () => {
      if (!request.rawBody || request.rawBody.length === 0)
        return malformed('the body is empty: send the raw message');
      return request.rawBody;
    });
  }

  /** `POST /v1/webhooks/sendgrid-inbound`: basic auth, then the multipart form's `email` field. */
  sendgridInbound(request: InboundMailRequest): Promise<InboundMailAnswer> {
    return this.run('sendgrid', async () => {
      const refused = checkBasic(
        this.sendgrid,
        request.headers,
        'SENDGRID_INBOUND_USER/SENDGRID_INBOUND_PASSWORD',
      );
      if (refused) return refused;
      const form = await formOf(request);
      if (!form) return malformed('SendGrid Inbound Parse posts multipart/form-data');
      return (
        (await field(form, 'email')) ??
        malformed('no `email` field: turn on "POST the raw, full MIME message"')
      );
    });
  }

  /** `POST /v1/webhooks/mailgun-inbound[/mime]`: Mailgun's signature, then the form's `body-mime` field. */
  mailgunInbound(request: InboundMailRequest): Promise<InboundMailAnswer> {
    return this.run('mailgun', async () => {
      if (!this.mailgun)
        return unauthorized('provider_not_configured', 'MAILGUN_WEBHOOK_SIGNING_KEY is not configured');
      const form = await formOf(request);
      if (!form)
        return unauthorized(
          'missing_signature',
          'a Mailgun forward is a form with timestamp, token and signature',
        );
      const text = async (name: string) => (await field(form, name))?.toString('utf8') ?? null;
      const verdict = this.mailgun(
        {
          timestamp: await text('timestamp'),
          token: await text('token'),
          signature: await text('signature'),
        },
        this.clock.now(),
      );
      if (!verdict.ok) return unauthorized(verdict.code, verdict.message);
      return (
        (await field(form, 'body-mime')) ?? malformed('no `body-mime` field: forward to a URL ending in mime')
      );
    });
  }

  /** `POST /v1/webhooks/postmark-inbound`: basic auth, then the JSON's `RawEmail`. */
  postmarkInbound(request: InboundMailRequest): Promise<InboundMailAnswer> {
    return this.run('postmark', async () => {
      const refused = checkBasic(
        this.postmark,
        request.headers,
        'POSTMARK_WEBHOOK_USER/POSTMARK_WEBHOOK_PASSWORD',
      );
      if (refused) return refused;
      let body: unknown;
      try {
        body = JSON.parse((request.rawBody ?? Buffer.alloc(0)).toString('utf8'));
      } catch {
        return malformed('a Postmark inbound body is JSON');
      }
      const raw =
        typeof body === 'object' && body !== null ? (body as { RawEmail?: unknown }).RawEmail : undefined;
      if (typeof raw !== 'string' || raw === '') {
        return malformed('no `RawEmail`: turn on "Include raw email content in JSON payload"');
      }
      return Buffer.from(raw, 'utf8');
    });
  }

  /** Authenticates and extracts (`extract`), parses, records; counts every outcome by source. */
  private async run(
    source: InboundSource,
    extract: () => Promise<Buffer | Extract<InboundMailAnswer, { ok: false }>>,
  ): Promise<InboundMailAnswer> {
    const counter = this.metrics.inboundMessages;
    const raw = await extract();
    if (!Buffer.isBuffer(raw)) {
      counter.inc({ source, result: raw.status === 401 ? 'unauthorized' : 'malformed' });
      return raw;
    }
    let parsed: ParsedInbound;
    try {
      parsed = await parseInbound(raw);
    } catch (error) {
      if (!(error instanceof InboundError)) throw error;
      const tooLarge = error.code === 'message_too_large';
      counter.inc({ source, result: tooLarge ? 'too_large' : 'malformed' });
      return {
        ok: false,
        status: tooLarge ? 413 : 400,
        code: error.code,
        title: tooLarge ? 'Message too large' : 'Malformed message',
        detail: error.message,
      };
    }
    const recorded = await this.engine.recordInbound(parsed, source);
    const result = recorded.status;
    counter.inc({ source, result });
    this.logger?.info(
      { source, messageId: parsed.messageId, kind: parsed.classification.kind, result },
      'inbound message',
    );
    return {
      ok: true,
      body: {
        result,
        messageId: parsed.messageId,
        kind: parsed.classification.kind,
        decidedBy: parsed.classification.decidedBy,
        ...(recorded.status === 'accepted' ? { effect: recorded.effect } : {}),
      },
    };
  }
}

function malformed(detail: string): Extract<InboundMailAnswer, { ok: false }> {
  return { ok: false, status: 400, code: 'malformed_request', title: 'Malformed request', detail };
}

function unauthorized(code: string, detail: string): Extract<InboundMailAnswer, { ok: false }> {
  return { ok: false, status: 401, code, title: 'Unauthorized', detail };
}

/** A 401 unless the request carries exactly the configured basic credentials (compared in constant time). */
function checkBasic(
  expected: BasicCredentials | undefined,
  headers: InboundMailRequest['headers'],
  envNames: string,
): Extract<InboundMailAnswer, { ok: false }> | null {
  if (!expected) return unauthorized('provider_not_configured', `${envNames} is not configured`);
  const header = headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value ?? '');
  if (!match?.[1]) return unauthorized('missing_credentials', 'basic authorization is required');
  const given = Buffer.from(match[1], 'base64');
  const want = Buffer.from(`${expected.username}:${expected.password}`, 'utf8');
  const same = given.length === want.length && timingSafeEqual(given, want);
  return same ? null : unauthorized('invalid_credentials', 'the credentials do not match');
}

/** The request's form (multipart or urlencoded, parsed by the platform's fetch Response); null when it is none. */
async function formOf(request: InboundMailRequest): Promise<FormData | null> {
  const header = request.headers['content-type'];
  const contentType = Array.isArray(header) ? header[0] : header;
  if (!contentType || !/^(multipart\/form-data|application\/x-www-form-urlencoded)\b/i.test(contentType))
    return null;
  try {
    return await new Response(request.rawBody ?? Buffer.alloc(0), {
      headers: { 'content-type': contentType },
    }).formData();
  } catch {
    return null;
  }
}

/** A form field's bytes (a text field or a file part); null when absent. */
async function field(form: FormData, name: string): Promise<Buffer | null> {
  const value = form.get(name);
  if (value === null) return null;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.from(await value.arrayBuffer());
}
