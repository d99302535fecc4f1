export { addDuration } from './add-duration.ts';
export type { ParsedDuration } from './duration.ts';
export {
  durationCovers,
  fractionalCalendarProblem,
  InvalidDurationError,
  isValidIsoDuration,
  isWithinMaxDuration,
  isZeroDuration,
  longestDurationMs,
  MAX_DURATION_DAYS,
  nominalDurationMs,
  parseIsoDuration,
} from './duration.ts';
export { ScheduleError } from './errors.ts';
export type { LocalDateTime } from './local-time.ts';
export { resolveLocalTime } from './local-time.ts';
export type { QuietHours } from './quiet-hours.ts';
export {
  applyQuietHours,
  InvalidQuietHoursError,
  isQuietTime,
  isValidQuietHours,
  isValidTimeOfDay,
} from './quiet-hours.ts';
export { calculateScheduleTime } from './schedule.ts';
export type { TimezoneCheck } from './zone.ts';
export { checkTimezone, InvalidTimezoneError, isValidTimezone } from './zone.ts';
