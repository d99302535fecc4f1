import {
  DEFAULT_EXIT_ON,
  type EngagementEvent,
  nodeTransitions,
  type PlanNode,
  type Transition,
} from '../plan/plan-schema.ts';
import type { CampaignDefinition, CampaignState, RecordedEvent } from './types.ts';

/* Reading a definition: its nodes, their transitions, the plan's exit events. */

/** The state of a campaign that was stored but not activated yet. */
export function initialState(): CampaignState {
  return {
    status: 'pending',
    currentNodeId: null,
    step: 0,
    anchorAt: null,
    stopReason: null,
    pausedAt: null,
  };
}

export function findNode(def: CampaignDefinition, nodeId: string): PlanNode {
  const node = def.plan.nodes.find((n) => n.id === nodeId);
  if (!node) throw new Error(`plan has no node "${nodeId}"`);
  return node;
}

export function transitionsOf(node: PlanNode): readonly Transition[] {
  return nodeTransitions(node);
}

export function exitEvents(def: CampaignDefinition): readonly EngagementEvent[] {
  return def.plan.exitOn ?? DEFAULT_EXIT_ON;
}

/** Events oldest first; ties keep the given order. */
export function inOccurrenceOrder(events: readonly RecordedEvent[]): RecordedEvent[] {
  return [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
}
