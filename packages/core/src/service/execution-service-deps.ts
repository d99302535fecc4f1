import type { CampaignStore } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { ExecutionObserver } from '../ports/execution-observer.ts';
import type { CampaignMode } from '../ports/records.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import type { SmsTransport, Transport } from '../ports/transport.ts';
import type { ContactFrequencyCap } from '../senders/throttle.ts';

/** The ports and settings of `CampaignPlanExecutionService`. */
export interface ExecutionServiceDeps {
  store: CampaignStore;
  scheduler: Scheduler;
  transport: Transport;
  /** Where `sms` sends go (plan 1.1). Absent: an SMS send is refused like a failed transport call. */
  smsTransport?: SmsTransport | undefined;
  clock: Clock;
  /**
   * Attempts at a send step (a refused send, or the step after the provider's acceptance) before the
   * action fails and the campaign stops with reason `send_failed`. Default 5.
   */
  maxSendAttempts?: number;
  /**
   * How long a claimed send stays `running` before the reconcile loop may take it over (its worker died),
   * in milliseconds. Longer than any transport call. Default 300 000.
   */
  sendClaimLeaseMs?: number;
  /** Delay before the first send retry, doubled per attempt, in milliseconds. Default 30 000. */
  retryBaseDelayMs?: number;
  /**
   * A throttled send whose cap frees a slot within this many milliseconds waits for it in the worker
   * (no deferral recorded, no trip through the queue; at most five rounds, then it is deferred).
   * Default 0: every throttled send is deferred (the runtime sets `THROTTLE_WAIT_MS`).
   */
  throttleWaitMs?: number;
  /**
   * How many throttled sends with sends ahead of them may wait in this process at once; beyond it a send
   * goes back to the queue (see `SendWaitSettings`). Default: no bound (the runtime sets its worker
   * concurrency minus one, so a job slot is always left to fetch the send they wait for).
   */
  throttleMaxWaiting?: number;
  /**
   * How many actions this process runs at once; a throttled send sleeping until its slot gives its
   * permit back meanwhile, so the queue may deliver more jobs than this (the runtime lets it deliver the
   * waiting ones on top: WORKER_CONCURRENCY run, up to three times that wait). Default: no bound.
   */
  actionConcurrency?: number;
  /** How a send waits for its slot (`throttleWaitMs`); default a timer. Tests on virtual time move the clock. */
  sleep?: (ms: number) => Promise<void>;
  /** Domain of generated Message-ID headers. Default `campaign-engine.invalid`. */
  messageIdDomain?: string;
  /**
   * One-click unsubscribe (RFC 8058): every message gets `List-Unsubscribe` with
   * `${baseUrl}/${signed token}` and `List-Unsubscribe-Post`. Absent: no such headers (tests only).
   * Links are signed with `secret`; `previousSecrets` (a rotated-out secret) are accepted when
   * verifying only, so links already delivered keep working across a rotation.
   */
  unsubscribe?: { baseUrl: string; secret: string; previousSecrets?: string[] };
  /** Metrics hooks. */
  observer?: ExecutionObserver;
  /**
   * `CONTACT_FREQUENCY_CAP` parsed (parseContactFrequencyCap): at most `count` messages to a contact in
   * any `window`, over all its campaigns and both channels. Absent: no contact cap.
   */
  contactFrequencyCap?: ContactFrequencyCap;
  /**
   * `EXECUTION_MODE`: `shadow` runs every new campaign in shadow mode (rendered and recorded, never sent;
   * DESIGN section 11). Default `live`: each campaign's own `mode`.
   */
  executionMode?: CampaignMode;
  /**
   * True (the API and workers): a plan that sends SMS needs an SMS sender, else `no_sender`. Default
   * false (an embedding host): an SMS without a sender goes from the SMS transport's default number.
   */
  smsSenderRequired?: boolean | undefined;
  /** MAIL_FROM: an inbound message to its address matches what was sent with no sender (DESIGN section 14). */
  mailFrom?: string | undefined;
}
