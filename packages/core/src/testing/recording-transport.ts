import type { OutboundEmail, Transport, TransportResult } from '../ports/transport.ts';

/** A Transport that keeps what it was given; `failNext` makes the next sends reject. */
export class RecordingTransport implements Transport {
  readonly sent: OutboundEmail[] = [];
  private failures = 0;

  failNext(count = 1): void {
    this.failures += count;
  }

  async send(email: OutboundEmail): Promise<TransportResult> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('transport unavailable (simulated)');
    }
    this.sent.push(email);
    return { providerMessageId: `provider-${email.messageId}` };
  }
}
