/**
 * Hooks for metrics: the execution service reports what it did, the runtime turns it into counters and
 * histograms. Every method is optional and MUST NOT throw or block (it runs inside transactions).
 */
export interface ExecutionObserver {
  /** Actions stored and queued, by kind. */
  actionsScheduled?(kind: 'send' | 'timeout', count: number): void;
  /** A due action was handled; `latenessMs` is how late after its run_at it ran (null when it did not run). */
  actionExecuted?(kind: 'send' | 'timeout', outcome: string, latenessMs: number | null): void;
  /** A campaign moved between nodes, by what caused it (event, timeout). */
  transition?(trigger: string): void;
  /**
   * A send step gave up after its last attempt and stopped its campaign (`send_failed`): `stage` says
   * whether the transport kept refusing the message or the step after the provider's acceptance kept
   * failing. `error` is the last error's message.
   */
  /** An inbound message matched nothing we sent and was kept in the unmatched list (counted once per message). */
  inboundUnmatched?(source: string): void;
  sendFailed?(
    stage: 'transport' | 'after_acceptance',
    info: { actionId: string; campaignId: string; error: string },
  ): void;
}
