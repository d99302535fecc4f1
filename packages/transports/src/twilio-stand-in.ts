import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in received, its form body decoded. */
export interface TwilioStandInRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  form: Record<string, string>;
}

/** What the stand-in answers to one Messages request: a status and Twilio's JSON body. */
export type TwilioStandInAnswer = { status: number; body: Record<string, unknown> };

/**
 * A local HTTP server standing in for Twilio's REST API (no network here): it records every request
 * and answers `POST /2010-04-01/Accounts/{sid}/Messages.json` as `answer` says, by default as Twilio
 * documents an accepted message (201 with `sid` `SM...`, status `queued`). For tests and for worker
 * processes pointed at it through `TWILIO_API_BASE_URL`.
 */
export class TwilioStandIn {
  readonly requests: TwilioStandInRequest[] = [];
  private server: Server | undefined;
  private counter = 0;
  answer: (request: TwilioStandInRequest) => TwilioStandInAnswer = (request) => this.accepted(request);

  /** Listens on 127.0.0.1 at a free port; resolves with the base URL (`http://127.0.0.1:port`). */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      void readBody(req).then((raw) => {
        const request: TwilioStandInRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          form: Object.fromEntries(new URLSearchParams(raw)),
        };
        this.requests.push(request);
        const { status, body } = /\/Accounts\/[^/]+\/Messages\.json$/.test(request.path)
          ? this.answer(request)
          : {
              status: 404,
              body: { code: 20404, message: 'The requested resource was not found', status: 404 },
            };
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Twilio's 201 for an accepted message, with a fresh `SM` sid (34 characters, as Twilio's). */
  accepted(request: TwilioStandInRequest): TwilioStandInAnswer {
    this.counter += 1;
    const sid = `SM${this.counter.toString(16).padStart(32, '0')}`;
    return {
      status: 201,
      body: {
        sid,
        status: 'queued',
        to: request.form.To,
        from: request.form.From,
        body: request.form.Body,
        num_segments: '1',
        date_created: new Date(0).toUTCString(),
      },
    };
  }
}

/** Twilio's error body (`code`, `message`, `more_info`, `status`), as its REST API answers a refusal. */
export function twilioError(status: number, code: number, message: string): TwilioStandInAnswer {
  return {
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
