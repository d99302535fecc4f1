/**
 * Where time comes from. Core never reads the wall clock: every decision takes its `now` from a Clock
 * (or an explicit instant), so tests and the simulator run on virtual time.
 *
 * Implementations MUST return a fresh Date per call (callers may keep it) and SHOULD be monotonic
 * enough that two calls in one unit of work do not go backwards.
 */
export interface Clock {
  now(): Date;
}
