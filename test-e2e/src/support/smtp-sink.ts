import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  subject: string;
  html: string;
  messageId: string;
  headers: Map<string, unknown>;
  raw: ParsedMail;
}

/** A real SMTP server on loopback that keeps every message it accepts. */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  private readonly server: SMTPServer;
  private port = 0;
  private hold: { arrived: () => void; release: Promise<void> } | undefined;

  /** Users that authenticated (AUTH PLAIN / LOGIN); only with `credentials`. */
  readonly authenticated: string[] = [];

  /** `credentials`: the server offers AUTH (in clear, on loopback) and accepts only these. */
  constructor(options: { credentials?: { user: string; pass: string } } = {}) {
    const { credentials } = options;
    this.server = new SMTPServer({
      authOptional: !credentials,
      allowInsecureAuth: Boolean(credentials),
      onAuth: (auth, _session, callback) => {
        if (!credentials || auth.username !== credentials.user || auth.password !== credentials.pass)
          return callback(new Error('invalid credentials'));
        this.authenticated.push(auth.username ?? '');
        return callback(null, { user: auth.username });
      },
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.received.push({
              to: Array.isArray(mail.to) ? (mail.to[0]?.text ?? '') : (mail.to?.text ?? ''),
              subject: mail.subject ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              messageId: mail.messageId ?? '',
              headers: mail.headers,
              raw: mail,
            });
            const hold = this.hold;
            this.hold = undefined;
            if (!hold) return callback();
            hold.arrived();
            return hold.release.then(() => callback());
          })
          .catch((error: Error) => callback(error));
      },
    });
  }

  /**
   * The next message is kept (as a provider that accepted it) but its SMTP reply is held back until
   * `release`: the sender sits between the provider's acceptance and its own commit.
   */
  holdNext(): { arrived: Promise<void>; release: () => void } {
    let arrived!: () => void;
    let release!: () => void;
    const arrivedPromise = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    this.hold = { arrived, release: new Promise<void>((resolve) => (release = resolve)) };
    return { arrived: arrivedPromise, release };
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return `smtp://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Waits until `count` messages matched `predicate`, or throws after `timeoutMs`. */
  async waitFor(
    predicate: (mail: ReceivedMail) => boolean,
    count = 1,
    timeoutMs = 15_000,
  ): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matched = this.received.filter(predicate);
      if (matched.length >= count) return matched;
      if (Date.now() > deadline) {
        throw new Error(`expected ${count} matching messages within ${timeoutMs} ms, got ${matched.length}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
