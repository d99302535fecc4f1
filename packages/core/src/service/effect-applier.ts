import { timeoutsFromAnchor } from '../engine/engine.ts';
import type { Decision, Effect, PlannedAction } from '../engine/types.ts';
import type { StoreTransaction } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { ExecutionObserver } from '../ports/execution-observer.ts';
import type {
  CampaignRecord,
  NewScheduledAction,
  NewTransition,
  ScheduledActionRecord,
  StoredEventEffect,
} from '../ports/records.ts';
import type { ScheduledJob, Scheduler } from '../ports/scheduler.ts';
import { definition } from './campaign-record.ts';
import type { AfterCommit } from './transactions.ts';

/** What caused a decision: recorded on every transition row it writes. */
export interface DecisionCause {
  trigger: NewTransition['trigger'];
  eventId?: string;
  actionId?: string;
}

/**
 * The store side of the engine's effects: turns a decision into transition rows, action rows and
 * scheduler jobs, and saves the campaign's new state, inside the caller's transaction (which holds the
 * campaign's lock). The simulator applies the same effects to its virtual clock.
 */
export class EffectApplier {
  private readonly scheduler: Scheduler;
  private readonly clock: Clock;
  private readonly observer: ExecutionObserver;
  private readonly lines: SendPlanner | undefined;

  constructor(deps: {
    scheduler: Scheduler;
    clock: Clock;
    observer?: ExecutionObserver | undefined;
    /** Defers a send stored behind a line of its sender (`SendLinePlanner`); absent: its claim does. */
    lines?: SendPlanner | undefined;
  }) {
    this.scheduler = deps.scheduler;
    this.clock = deps.clock;
    this.observer = deps.observer ?? {};
    this.lines = deps.lines;
  }

  /** Applies a decision's effects in order and saves the new state. */
  async apply(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
    decision: Decision,
    cause: DecisionCause,
    /** The effect of the event that caused the decision, written with it (one round trip for all). */
    eventEffect: { eventId: string; effect: StoredEventEffect } | null = null,
  ): Promise<CampaignRecord> {
    const rows: NewTransition[] = [];
    let toSchedule: PlannedAction[] = [];
    const base = { eventId: cause.eventId ?? null, actionId: cause.actionId ?? null };
    const next: CampaignRecord = { ...campaign, state: decision.state };
    let cancelPending = false;
    for (const [index, effect] of decision.effects.entries()) {
      switch (effect.type) {
        case 'enter':
          if (effect.from !== null) this.observer.transition?.(effect.trigger.kind);
          rows.push(
            transitionRow(next, {
              kind: 'enter',
              at: effect.at,
              step: effect.step,
              fromNodeId: effect.from,
              toNodeId: effect.to,
              on: effect.on,
              variant: effect.variant ?? null,
              trigger: effect.trigger.kind,
              ...base,
              // a replayed event (wait entry, resume) is the cause of its own transition
              ...(effect.trigger.kind === 'event' ? { eventId: effect.trigger.eventId } : {}),
            }),
          );
          break;
        case 'schedule':
          toSchedule.push(effect.action);
          break;
        case 'cancel_pending':
          toSchedule = [];
          // With the last writes (one round trip) unless a later effect changes an action itself.
          if (decision.effects.slice(index + 1).some((e) => ACTION_WRITES.has(e.type)))
            pending.cancelled.push(...(await tx.actions.cancelPending(campaign.id)));
          else cancelPending = true;
          break;
        case 'reschedule':
          await tx.actions.reschedule(effect.actionId, effect.runAt);
          pending.jobs.push({
            actionId: effect.actionId,
            contactId: campaign.contactId,
            runAt: effect.runAt,
          });
          break;
        case 'defer':
          // Held without an end: the action stays pending at its due time (due order kept) with no job;
          // lifting the hold queues it again.
          if (effect.until !== null) {
            await tx.actions.reschedule(effect.actionId, effect.until);
            pending.jobs.push({
              actionId: effect.actionId,
              contactId: campaign.contactId,
              runAt: effect.until,
            });
          }
          rows.push(
            transitionRow(next, {
              kind: 'deferred',
              at: effect.at,
              step: decision.state.step,
              toNodeId: effect.node,
              trigger: cause.trigger,
              reason: effect.reason,
              untilAt: effect.until,
              ...base,
            }),
          );
          break;
        case 'pause':
        case 'resume':
        case 'cancel':
          rows.push(
            transitionRow(next, {
              kind: effect.type,
              at: effect.at,
              step: decision.state.step,
              trigger: 'api',
            }),
          );
          break;
        case 'end':
          rows.push(
            transitionRow(next, {
              kind: 'end',
              at: effect.at,
              step: decision.state.step,
              trigger: cause.trigger,
              status: effect.status,
              reason: effect.reason,
              ...base,
            }),
          );
          break;
        case 'suppress_contact':
          // Applied by the caller, which holds the contact lock.
          break;
        case 'assign_variant':
          await tx.assignments.insert({
            contactId: campaign.contactId,
            campaignId: campaign.id,
            nodeId: effect.node,
            experiment: effect.experiment,
            variant: effect.variant,
            assignedAt: effect.at,
            planVersion: next.planVersion,
          });
          break;
        case 'skip':
          // An expired send is not sent: its action ends `skipped` (outcome `expired`), and the audit row
          // gives the timeline its `skipped` entry; the `end` effect with `send_expired` follows.
          if (effect.actionId !== null) {
            await tx.actions.finish(effect.actionId, 'skipped', 'expired', effect.at, effect.reason);
          }
          rows.push(
            transitionRow(next, {
              kind: 'skipped',
              at: effect.at,
              step: effect.step,
              toNodeId: effect.node,
              trigger: cause.trigger,
              reason: effect.reason,
              dueAt: effect.dueAt,
              ...base,
            }),
          );
          break;
        case 'plan_update':
          // Rule 9: the new version is stored; rows and actions from here on carry it (new timeout keys).
          await tx.campaigns.savePlan(campaign.id, effect.definition.plan, effect.version, effect.at);
          next.plan = effect.definition.plan;
          next.planVersion = effect.version;
          next.timezone = effect.definition.timezone;
          toSchedule = toSchedule.filter((a) => a.kind !== 'timeout');
          pending.cancelled.push(...(await tx.actions.cancelPending(campaign.id, 'timeout')));
          rows.push(
            transitionRow(next, {
              kind: 'plan_update',
              at: effect.at,
              step: decision.state.step,
              trigger: 'api',
            }),
          );
          break;
        default:
          // A new effect kind fails to compile here until the store knows how to apply it.
          return unhandledEffect(effect);
      }
    }
    // The cancellation, the audit rows (in timeline order), the actions and the state in one statement.
    const saveState = decision.effects.length > 0 || decision.state !== campaign.state;
    if (cancelPending || rows.length > 0 || toSchedule.length > 0 || saveState || eventEffect) {
      const { inserted, cancelled } = await tx.campaigns.saveDecision({
        contactId: campaign.contactId,
        campaignId: campaign.id,
        cancelPending,
        transitions: rows,
        actions: this.actionRows(next, toSchedule),
        state: saveState ? { state: decision.state, at: this.clock.now() } : null,
        eventEffect,
      });
      pending.cancelled.push(...cancelled);
      await this.queue(tx, pending, next, inserted);
    }
    return next;
  }

  /** Schedules the current node's timeouts from its anchor (the seed's `scheduleNodeTimeouts`). */
  async scheduleNodeTimeouts(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
  ): Promise<void> {
    await this.scheduleActions(
      tx,
      pending,
      campaign,
      timeoutsFromAnchor(definition(campaign), campaign.state),
    );
  }

  /**
   * Stores planned actions, idempotently per idempotency key, and queues them: in the transaction when
   * the scheduler can, else after commit.
   */
  async scheduleActions(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
    actions: readonly PlannedAction[],
  ): Promise<void> {
    if (actions.length === 0) return;
    await this.queue(tx, pending, campaign, await tx.actions.insertMany(this.actionRows(campaign, actions)));
  }

  private actionRows(campaign: CampaignRecord, actions: readonly PlannedAction[]): NewScheduledAction[] {
    return actions.map((action) => ({
      contactId: campaign.contactId,
      campaignId: campaign.id,
      action,
      idempotencyKey: actionKey(campaign, action),
    }));
  }

  /** Counts newly stored actions and queues them: in the transaction when the scheduler can, else after commit. */
  private async queue(
    tx: StoreTransaction,
    pending: AfterCommit,
    campaign: CampaignRecord,
    inserted: readonly ScheduledActionRecord[],
  ): Promise<void> {
    if (inserted.length === 0) return;
    for (const kind of ['send', 'timeout'] as const) {
      const count = inserted.filter((a) => a.kind === kind).length;
      if (count > 0) this.observer.actionsScheduled?.(kind, count);
    }
    const jobs: ScheduledJob[] = [];
    for (const a of inserted) {
      const planned = a.kind === 'send' && this.lines ? await this.lines.plan(tx, campaign, a) : null;
      jobs.push(planned ?? { actionId: a.id, contactId: a.contactId, runAt: a.runAt });
    }
    if (this.scheduler.enqueuesInTransaction) await this.scheduler.schedule(jobs, { transaction: tx.handle });
    else pending.jobs.push(...jobs);
  }
}

/** Moves the job of a send just stored behind a line of its sender (`SendLinePlanner`), or leaves it (null). */
export interface SendPlanner {
  plan(
    tx: StoreTransaction,
    campaign: CampaignRecord,
    action: ScheduledActionRecord,
  ): Promise<ScheduledJob | null>;
}

/** Effects that write an action row themselves (a pending cancellation before them runs at once). */
const ACTION_WRITES: ReadonlySet<Effect['type']> = new Set(['reschedule', 'defer', 'skip', 'plan_update']);

/** The exhaustiveness check of `apply`: only reachable with an effect kind the switch does not handle. */
export function unhandledEffect(effect: never): never {
  throw new Error(`no store handling for effect ${JSON.stringify((effect as Effect).type)}`);
}

/** Unique per campaign: the same planned action (per step, kind, transition and plan version) is stored once. */
function actionKey(campaign: CampaignRecord, action: PlannedAction): string {
  return action.kind === 'send'
    ? `${campaign.id}:${action.step}:send`
    : `${campaign.id}:${action.step}:timeout:${action.transitionIndex}:v${campaign.planVersion}`;
}

/** A transition row of `campaign` at its plan version, every column `row` leaves out null. */
export function transitionRow(
  campaign: CampaignRecord,
  row: Pick<NewTransition, 'kind' | 'at' | 'step' | 'trigger'> & Partial<NewTransition>,
): NewTransition {
  return {
    contactId: campaign.contactId,
    campaignId: campaign.id,
    fromNodeId: null,
    toNodeId: null,
    on: null,
    eventId: null,
    actionId: null,
    status: null,
    reason: null,
    untilAt: null,
    planVersion: campaign.planVersion,
    ...row,
  };
}
