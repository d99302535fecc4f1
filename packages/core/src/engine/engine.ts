/*
 * The transition engine: pure functions of (definition, state, input, now) that return the new state and
 * the effects to apply (DESIGN section 4). Nothing here does I/O or reads a clock; the simulator and the
 * database-backed service both drive these same functions.
 */

export { cancel, pause, resume } from './controls.ts';
export { activate, timeoutsFromAnchor } from './entry.ts';
export { onEvent } from './events.ts';
export { decisiveEvents, isGenuine, matchTransition, referenceMessage } from './matching.ts';
export { findNode, initialState } from './nodes.ts';
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
