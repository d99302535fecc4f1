import type { EngagementEvent, Plan, TimeoutEvent, TransitionEvent } from '../plan/plan-schema.ts';

export type CampaignStatus = 'pending' | 'active' | 'paused' | 'completed' | 'stopped' | 'cancelled';

/**
 * Why a campaign ended: an exit event, `send_failed` (a send step kept failing, see `onSendFailed`;
 * status `stopped`), or `no_path` (status `completed`: an event broke the node's last timeout and none of
 * its transitions can still fire, rule 6, see `onTimeout`).
 */
export type StopReason = EngagementEvent | 'send_failed' | 'no_path' | 'send_expired' | GoalReason;

/** A goal reached (DESIGN section 14): the campaign `completed` as converted, by the custom event `name`. */
export type GoalReason = `goal:${string}`;

/**
 * Why a due send was moved at execution time (DESIGN section 11 lists the reasons): the first rule of
 * section 10's allowed instant that the due time breaks.
 */
export type DeferReason =
  | 'quiet_hours'
  | 'send_window'
  | 'holiday'
  | 'sms_hours'
  | 'sender_daily_cap'
  | 'sender_hourly_cap'
  | 'sender_min_gap'
  | 'contact_frequency_cap'
  | 'sender_paused'
  | 'sender_disabled'
  | 'emergency_stop';

/** Why a send was not sent (DESIGN section 10: it could not go by `due + expireAfter`). */
export type SkipReason = 'expired';

/** How a zero-time node was left: `branch` or `split` (with the variant), recorded as a transition's `on`. */
export type ZeroTimeMove = 'branch' | 'split';

/** Statuses a campaign never leaves. */
export const TERMINAL_STATUSES: readonly CampaignStatus[] = ['completed', 'stopped', 'cancelled'];

/**
 * What the engine needs to know about one campaign to decide its next move (a `contact_campaigns` row,
 * without the plan).
 */
export interface CampaignState {
  status: CampaignStatus;
  /** Null until activation. */
  currentNodeId: string | null;
  /** `step_seq`: 0 before activation, +1 on every node entry. Actions and messages carry the step they belong to. */
  step: number;
  /**
   * The instant `within` and `after` count from: the send time of a `send` node (null until it has sent),
   * the entry time of a `wait` node.
   */
  anchorAt: Date | null;
  /** What stopped the campaign, when status is `stopped`; `no_path` when it `completed` stranded (rule 6). */
  stopReason: StopReason | null;
  /** When the campaign was paused, while status is `paused`. */
  pausedAt: Date | null;
}

/** A validated plan with the zone its local-time rules use (the plan's, else the contact's). */
export interface CampaignDefinition {
  plan: Plan;
  /** IANA zone. */
  timezone: string;
  /** Who the campaign is for, as branch conditions and split assignment read it (1.1). */
  contact?: ContactFacts | undefined;
}

/** The facts about the contact a plan may branch on or hash (DESIGN section 10). */
export interface ContactFacts {
  /**
   * The split key: the contact's `id` as the caller gave it, else its email lower-cased, else its
   * phone. Null when the contact has none (a split then takes its first variant).
   */
  key: string | null;
  attributes: Readonly<Record<string, unknown>>;
  email?: string | undefined;
  /** E.164. */
  phone?: string | undefined;
}

/** A message the campaign has sent. */
export interface MessageRef {
  id: string;
  nodeId: string;
  step: number;
  sentAt: Date;
}

/** An engagement event as stored in `message_events`. */
export interface RecordedEvent {
  /** Provider event id (unique per contact). */
  id: string;
  /** The message it concerns; null when the provider could not tie it to one (an unsubscribe by address). */
  messageId: string | null;
  type: EngagementEvent;
  occurredAt: Date;
  /** An open the provider flags as automatic (Apple Mail Privacy Protection and the like). */
  machine?: boolean | undefined;
  /** A click the provider flags as a bot or link scanner, or an open it flags as a bot/scanner open (Mailgun `client-info.bot`). */
  bot?: boolean | undefined;
  /** A reply flagged as automatic (`Auto-Submitted`, out-of-office). */
  autoReply?: boolean | undefined;
}

/**
 * The slice of a campaign's history a decision may look at. A node's reference message is always the
 * campaign's latest message (a `wait` node sends nothing, a `send` node's own message is the latest once
 * sent), so this is all the engine ever reads.
 */
export interface EngineContext {
  latestMessage: MessageRef | null;
  /**
   * Events recorded for `latestMessage`, in any order (the engine orders them by `occurredAt`, ties in
   * the given order). It MAY hold only `decisiveEvents` of them (the earliest genuine event of each type):
   * decisions are the same, and a store reads a bounded number of rows however many events the message has.
   */
  latestMessageEvents: readonly RecordedEvent[];
  /**
   * The genuine engagement events (`opened`, `clicked`, `replied`; rule 5's definition of genuine) on any
   * message of this campaign, with the send node of their message: what `engaged` branch conditions read.
   * `opened` and `clicked` count on email messages only (they do not exist for SMS). Absent: none.
   */
  engagements?: readonly { type: EngagementEvent; nodeId: string }[] | undefined;
  /**
   * The contact's custom events (DESIGN section 14), at least the earliest occurrence of each name:
   * what `event` branch conditions read. Absent: none.
   */
  customEvents?: readonly CustomEventFact[] | undefined;
}

/** A custom event of the contact (`POST /v1/events` type `custom`), as a branch condition reads it. */
export interface CustomEventFact {
  name: string;
  occurredAt: Date;
}

/** A custom event reaching the contact's campaigns: a goal of a plan that lists `name`. */
export interface CustomEvent extends CustomEventFact {
  /** The caller's event id (unique per contact). */
  id: string;
}

/** An action the campaign wants run later: a send, or a timeout that raises a synthetic event. */
export type PlannedAction =
  | {
      kind: 'send';
      nodeId: string;
      step: number;
      /** Entry time + delay, before quiet hours. */
      dueAt: Date;
      /** When it should run: `dueAt` moved to the first allowed instant (quiet hours, window, holidays, SMS hours). */
      runAt: Date;
      /** `dueAt + expireAfter` (1.1): the send may not go after it. Absent: no expiry. */
      expiresAt?: Date | undefined;
    }
  | {
      kind: 'timeout';
      nodeId: string;
      step: number;
      event: TimeoutEvent;
      /** Index of the transition in the node's `transitions`. */
      transitionIndex: number;
      dueAt: Date;
      runAt: Date;
    };

/** A pending action as the engine sees it when it has to move one (resume). */
export interface PendingActionRef {
  id: string;
  kind: PlannedAction['kind'];
  runAt: Date;
  /** A send's `expiresAt` (1.1), when it has one: resume does not move it past that. */
  expiresAt?: Date | null | undefined;
}

/** What made the campaign enter a node. */
export type EntryTrigger =
  | { kind: 'activation' }
  | { kind: 'event'; eventId: string }
  | { kind: 'timeout'; event: TimeoutEvent };

/**
 * A change to apply, in order, inside the transaction that holds the campaign's lock. The simulator and
 * the database-backed service apply the same effects; neither decides anything itself.
 */
export type Effect =
  | {
      type: 'enter';
      at: Date;
      from: string | null;
      to: string;
      step: number;
      /**
       * The taken transition's `on` (a click taken through an `opened` transition says `opened`), or how a
       * zero-time node was left (`branch`, `split`); null at activation.
       */
      on: TransitionEvent | ZeroTimeMove | null;
      /** The split variant taken, when `on` is `split`. */
      variant?: string | undefined;
      trigger: EntryTrigger;
    }
  /** A split node assigned the contact to `variant` of `experiment` (stored queryably for analytics). */
  | { type: 'assign_variant'; at: Date; node: string; experiment: string; variant: string }
  /**
   * A send that could not go by `due + expireAfter` is not sent (its pending action, if any, is
   * `skipped`); an `end` effect with reason `send_expired` follows.
   */
  | {
      type: 'skip';
      at: Date;
      node: string;
      step: number;
      dueAt: Date;
      actionId: string | null;
      reason: SkipReason;
    }
  | { type: 'schedule'; action: PlannedAction }
  /** Every pending action of the campaign is cancelled (they belong to a node it has left, or it ended). */
  | { type: 'cancel_pending' }
  /** A pending action that fell due while paused runs at `runAt` instead. */
  | { type: 'reschedule'; actionId: string; runAt: Date }
  | { type: 'pause'; at: Date }
  | { type: 'resume'; at: Date }
  | { type: 'cancel'; at: Date }
  | { type: 'end'; at: Date; status: 'completed' | 'stopped' | 'cancelled'; reason: StopReason | null }
  /**
   * A due send may not go at `at` (rule 3 at execution time): it runs at `until` instead. `until` null:
   * held without an end (an emergency stop, a paused or disabled sender); the action stays pending and
   * is queued again when the hold is lifted.
   */
  | { type: 'defer'; actionId: string; node: string; at: Date; until: Date | null; reason: DeferReason }
  /** Stop every other campaign of the contact and refuse new ones (unsubscribe, complaint). */
  | { type: 'suppress_contact'; at: Date; reason: EngagementEvent }
  /**
   * Rule 9: plan version `version` (`definition`) takes over at `at`; the campaign stays at `node` (null
   * before activation). Every pending timeout of the old version is cancelled (a pending send stays: its
   * time was fixed when the node was entered); the timeouts recomputed from the node's original anchor
   * follow as `schedule` effects. Only `decidePlanUpdate` returns it.
   */
  | { type: 'plan_update'; at: Date; version: number; definition: CampaignDefinition; node: string | null };

/** Every kind of effect: each interpreter switches over these exhaustively, with a `never` check. */
export type EffectType = Effect['type'];

export interface Decision {
  state: CampaignState;
  effects: Effect[];
}

export type EventEffect = 'transition' | 'exit' | 'ignored';
export type TimeoutEffect = 'transition' | 'stale' | 'skipped';
