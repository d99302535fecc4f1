/*
 * The transition engine: pure functions of (definition, state, input, now) that return the new state and
 * the effects to apply (DESIGN section 4). Nothing here does I/O or reads a clock; the simulator and the
 * database-backed service both drive these same functions. One file per concern: nodes (reading a
 * definition), entry (rules 1-2), sends (rules 3-4), matching and events (rule 5), timeouts (rule 6),
 * controls (rule 8), plan-update (rule 9); apply-effects interprets effects in memory (the simulator),
 * timeline-entries turns audit records into timeline entries for the simulator and the store alike.
 */

export { cancel, pause, resume } from './controls.ts';
export { activate, timeoutsFromAnchor } from './entry.ts';
export { onEvent } from './events.ts';
export { goalReason, onCustomEvent } from './goals.ts';
export { decisiveEvents, isGenuine, matchTransition, referenceMessage } from './matching.ts';
export { findNode, initialState } from './nodes.ts';
export {
  decidePlanUpdate,
  type PlanUpdateAcceptance,
  type PlanUpdateDecision,
  type PlanUpdateRefusal,
  type PlanUpdateRefusalCode,
} from './plan-update.ts';
export {
  type ActionReadiness,
  actionReadiness,
  deferSend,
  onAddressSuppressed,
  onSendExecuted,
  onSendFailed,
} from './sends.ts';
export { type AuditRecord, timelineEntriesOf } from './timeline-entries.ts';
export {
  type FiringFacts,
  onTimeout,
  someTransitionCanStillFire,
  timeoutConditionHolds,
} from './timeouts.ts';
