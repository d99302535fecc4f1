/**
 * Base of the errors this package throws (invalid duration, zone or quiet hours); `code` is stable.
 * Core's `DomainError` cannot be the base: core depends on this package, not the other way round.
 */
export abstract class ScheduleError extends Error {
  abstract readonly code: string;
}
