import type { TimelineEntry } from '../simulate/timeline.ts';
import { timelineEntriesOf } from './timeline-entries.ts';
import type { CampaignDefinition, Effect, PlannedAction } from './types.ts';

/** An action scheduled on an in-memory campaign. */
export interface InMemoryAction {
  /** `act_<n>`, n counting from 1 in scheduling order. */
  id: string;
  seq: number;
  action: PlannedAction;
  /** When it runs: the planned `runAt`, moved by `reschedule` and `defer`. */
  runAt: Date;
  status: 'pending' | 'done' | 'cancelled' | 'skipped';
}

/** A campaign held in memory (the simulator's): what effects change besides the engine's state. */
export interface InMemoryCampaign {
  definition: CampaignDefinition;
  /** 1 for the plan it started with, +1 per accepted update. */
  planVersion: number;
  actions: InMemoryAction[];
  timeline: TimelineEntry[];
  /** Split assignments, in order (`assign_variant`). */
  variants: { node: string; experiment: string; variant: string; at: Date }[];
}

/** A campaign with its first plan, nothing scheduled and an empty timeline. */
export function inMemoryCampaign(definition: CampaignDefinition): InMemoryCampaign {
  return { definition, planVersion: 1, actions: [], timeline: [], variants: [] };
}

/** Applies `effects` to `campaign`, in order (see applyEffect). */
export function applyEffects(campaign: InMemoryCampaign, effects: readonly Effect[]): void {
  for (const effect of effects) applyEffect(campaign, effect);
}

/**
 * The interpreter of the engine's effects for a campaign held in memory: the one place the simulator
 * turns an effect into scheduled actions and timeline entries. Timeline entries come from the same
 * per-kind table (`timelineEntriesOf`) the store's timeline rebuild maps its audit rows through. The
 * store's own interpreter (the service's effect applier) writes rows instead; both switch over every
 * effect kind, so a new kind fails to compile until each of them handles it.
 *
 * `suppress_contact` changes nothing here: one campaign is held, and the store stops the contact's
 * other campaigns.
 */
export function applyEffect(campaign: InMemoryCampaign, effect: Effect): void {
  switch (effect.type) {
    case 'enter':
      campaign.timeline.push(
        ...timelineEntriesOf({
          kind: 'enter',
          at: effect.at,
          from: effect.from,
          to: effect.to,
          step: effect.step,
          on: effect.on,
          variant: effect.variant,
        }),
      );
      return;
    case 'schedule': {
      const seq = campaign.actions.length + 1;
      campaign.actions.push({
        id: `act_${seq}`,
        seq,
        action: effect.action,
        runAt: effect.action.runAt,
        status: 'pending',
      });
      return;
    }
    case 'cancel_pending':
      for (const a of campaign.actions) if (a.status === 'pending') a.status = 'cancelled';
      return;
    case 'reschedule': {
      const a = campaign.actions.find((x) => x.id === effect.actionId);
      if (a) a.runAt = effect.runAt;
      return;
    }
    case 'defer': {
      const a = campaign.actions.find((x) => x.id === effect.actionId);
      // A hold without an end (until null) leaves the action where it is.
      if (a && effect.until !== null) a.runAt = effect.until;
      campaign.timeline.push(
        ...timelineEntriesOf({
          kind: 'deferred',
          at: effect.at,
          node: effect.node,
          until: effect.until,
          reason: effect.reason,
        }),
      );
      return;
    }
    case 'pause':
    case 'resume':
    case 'cancel':
      campaign.timeline.push(...timelineEntriesOf({ kind: effect.type, at: effect.at }));
      return;
    case 'end':
      campaign.timeline.push(
        ...timelineEntriesOf({ kind: 'end', at: effect.at, status: effect.status, reason: effect.reason }),
      );
      return;
    case 'suppress_contact':
      return;
    case 'assign_variant':
      campaign.variants.push({
        node: effect.node,
        experiment: effect.experiment,
        variant: effect.variant,
        at: effect.at,
      });
      return;
    case 'skip': {
      const a = campaign.actions.find((x) => x.id === effect.actionId);
      if (a && a.status === 'pending') a.status = 'skipped';
      campaign.timeline.push(
        ...timelineEntriesOf({
          kind: 'skipped',
          at: effect.at,
          node: effect.node,
          dueAt: effect.dueAt,
          reason: effect.reason,
        }),
      );
      return;
    }
    case 'plan_update':
      campaign.definition = effect.definition;
      campaign.planVersion = effect.version;
      for (const a of campaign.actions) {
        if (a.status === 'pending' && a.action.kind === 'timeout') a.status = 'cancelled';
      }
      campaign.timeline.push(
        ...timelineEntriesOf({
          kind: 'plan_update',
          at: effect.at,
          version: effect.version,
          node: effect.node,
        }),
      );
      return;
    default:
      unhandledEffect(effect);
  }
}

/**
 * The `never` check of an exhaustive switch over effects: a new effect kind makes every interpreter that
 * does not handle it fail to compile here.
 */
export function unhandledEffect(effect: never): never {
  throw new Error(`unhandled effect ${JSON.stringify(effect)}`);
}
