import type { CampaignStatus, DeferReason, EventEffect, StopReason, TimeoutEffect } from '../engine/types.ts';
import type { EngagementEvent, TimeoutEvent, TransitionEvent } from '../plan/plan-schema.ts';

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
      subject: string;
    }
  | {
      at: string;
      kind: 'event';
      type: EngagementEvent;
      message: string | null;
      id?: string;
      effect: EventEffect;
    }
  | { at: string; kind: 'transition'; from: string; to: string; on: TransitionEvent }
  | { at: string; kind: 'timeout'; node: string; event: TimeoutEvent; effect: TimeoutEffect }
  | { at: string; kind: 'pause' | 'resume' | 'cancel' }
  /** A due send moved at execution time; `until` is when it runs instead. */
  | { at: string; kind: 'deferred'; node: string; until: string; reason: DeferReason }
  | {
      at: string;
      kind: 'end';
      status: Exclude<CampaignStatus, 'pending' | 'active' | 'paused'>;
      reason?: StopReason;
    }
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
