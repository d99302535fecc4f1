import type {
  OutboundEmail,
  OutboundSms,
  SmsTransport,
  Transport,
  TransportResult,
} from '../ports/transport.ts';

/** A transport that records what it accepted, and can refuse or hold sends on demand. */
export class RecordingTransport implements Transport {
  readonly sent: OutboundEmail[] = [];
  /** Every call, accepted or not. */
  readonly attempts: OutboundEmail[] = [];
  private failures = 0;
  private hold: { reached: (email: OutboundEmail) => void; released: Promise<void> } | undefined;

  failNext(count = 1): void {
    this.failures += count;
  }

  /**
   * The next send stays in the provider's hands until `release` is called (a slow provider, or a worker
   * that dies mid-call when it is never released); then it is accepted. `reached` resolves when the
   * send has started.
   */
  holdNext(): { reached: Promise<OutboundEmail>; release: () => void } {
    let reached: (email: OutboundEmail) => void = () => {};
    let release: () => void = () => {};
    const reachedPromise = new Promise<OutboundEmail>((resolve) => {
      reached = resolve;
    });
    this.hold = { reached, released: new Promise<void>((resolve) => (release = resolve)) };
    return { reached: reachedPromise, release };
  }

  async send(email: OutboundEmail): Promise<TransportResult> {
    this.attempts.push(email);
    const hold = this.hold;
    this.hold = undefined;
    if (hold) {
      hold.reached(email);
      await hold.released;
    }
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('transport unavailable (simulated)');
    }
    this.sent.push(email);
    return { providerMessageId: `provider-${email.messageId}` };
  }
}

/** An SMS transport that records what it accepted (the provider gives no message id). */
export class RecordingSmsTransport implements SmsTransport {
  readonly sent: OutboundSms[] = [];

  async send(sms: OutboundSms): Promise<TransportResult> {
    this.sent.push(sms);
    return { providerMessageId: null };
  }
}
