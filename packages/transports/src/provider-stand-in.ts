import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a provider stand-in received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What a stand-in answers. */
export interface StandInAnswer {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON, a string as it stands. */
  body?: unknown;
}

/**
 * A local HTTP server that stands in for a provider's API (there is no network here): it records each
 * request and answers with what `answer` gives, as the provider's documentation says it answers.
 */
export class ProviderStandIn {
  readonly requests: RecordedRequest[] = [];
  answer: (request: RecordedRequest) => StandInAnswer;
  private readonly server: Server;

  private constructor(answer: (request: RecordedRequest) => StandInAnswer) {
    this.answer = answer;
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        this.requests.push(request);
        const { status, headers = {}, body } = this.answer(request);
        const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
        const type = typeof body === 'string' ? 'text/plain' : 'application/json';
        res.writeHead(status, { 'content-type': type, ...headers });
        res.end(text);
      });
    });
  }

  static async start(answer: (request: RecordedRequest) => StandInAnswer): Promise<ProviderStandIn> {
    const standIn = new ProviderStandIn(answer);
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The last request's body as JSON. */
  lastJson(): Record<string, unknown> {
    const last = this.requests.at(-1);
    if (!last) throw new Error('the stand-in received no request');
    return JSON.parse(last.body.toString('utf8')) as Record<string, unknown>;
  }

  /** The last request's body as a multipart form (Mailgun). */
  async lastForm(): Promise<FormData> {
    const last = this.requests.at(-1);
    if (!last) throw new Error('the stand-in received no request');
    return new Request('http://stand-in/', {
      method: 'POST',
      headers: { 'content-type': String(last.headers['content-type']) },
      body: last.body,
    }).formData();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
