import type {
  CampaignStatus,
  DeferReason,
  EventEffect,
  SkipReason,
  StopReason,
  TimeoutEffect,
  ZeroTimeMove,
} from '../engine/types.ts';
import type { EngagementEvent, TimeoutEvent, TransitionEvent } from '../plan/plan-schema.ts';
import type { InboundKind } from '../ports/inbound-repository.ts';

/**
 * One entry of a campaign's timeline, as `campaign simulate` prints it and `GET /v1/campaigns/:id`
 * returns it. Every `at` is a UTC ISO string with milliseconds and `Z`.
 */
export type TimelineEntry =
  | { at: string; kind: 'enter'; node: string; step: number }
  | {
      at: string;
      kind: 'send';
      node: string;
      message: string;
      /** Entry time + delay, before the quiet-hour adjustment; `at` is when it was sent. */
      dueAt: string;
      /** Email: the rendered subject. */
      subject?: string;
      /** Present for SMS sends only (1.1); email sends leave it out. */
      channel?: 'sms';
      /** SMS: the rendered text and its segment count. */
      text?: string;
      segments?: number;
      /** A threaded email (1.1 `thread`): the Message-ID of the email it replies to. */
      inReplyTo?: string;
    }
  | {
      at: string;
      kind: 'event';
      type: EngagementEvent;
      message: string | null;
      id?: string;
      effect: EventEffect;
      /** An inbound message (DESIGN section 14): its classification and the header that decided it. */
      inbound?: { kind: InboundKind; decidedBy: string };
    }
  /** Leaving a node on an event or timeout, or a `branch` / `split` node (with the split's `variant`). */
  | {
      at: string;
      kind: 'transition';
      from: string;
      to: string;
      on: TransitionEvent | ZeroTimeMove;
      variant?: string;
    }
  | { at: string; kind: 'timeout'; node: string; event: TimeoutEvent; effect: TimeoutEffect }
  | { at: string; kind: 'pause' | 'resume' | 'cancel' }
  /** A due send moved at execution time; `until` is when it runs instead (null: held without an end). */
  | { at: string; kind: 'deferred'; node: string; until: string | null; reason: DeferReason }
  /** A send not sent (1.1 `expireAfter`); the `end` entry with reason `send_expired` follows. */
  | { at: string; kind: 'skipped'; node: string; dueAt: string; reason: SkipReason }
  | {
      at: string;
      kind: 'end';
      status: Exclude<CampaignStatus, 'pending' | 'active' | 'paused'>;
      reason?: StopReason;
    }
  /** The contact was updated (`PATCH /v1/contacts/:id`): which of its fields changed. */
  | { at: string; kind: 'contact_update'; fields: string[] }
  /** Rule 9: plan `version` took over; the campaign stays at `node` (null before activation). */
  | { at: string; kind: 'plan_update'; version: number; node: string | null }
  /** Rule 9: a new plan was refused (`reason` says why); nothing changed. */
  | { at: string; kind: 'plan_update'; refused: true; reason: string };

export type SimulatedStatus = Exclude<CampaignStatus, 'pending'>;

export interface SimulationResult {
  status: SimulatedStatus;
  currentNodeId: string | null;
  stopReason: StopReason | null;
  timeline: TimelineEntry[];
}
